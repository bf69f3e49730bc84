"""`attempts_take` counts an attempt before it is checked and `attempts_give_back` uncounts one that
passed (the races themselves: test_lockout_races.py). Both on the local cache and on Redis."""

import pytest

from accounts.ratelimit import Limiter, attempts_give_back, attempts_take

LIMITER = Limiter("test.attempts", limit=2, window_seconds=60)
OTHER = Limiter("test.other", limit=5, window_seconds=60)


@pytest.fixture(params=["local", "redis"])
def cache_kind(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_attempts_are_counted_when_taken_and_refused_unchecked_at_the_limit(cache_kind):
    assert attempts_take((LIMITER, "someone")) == [1]
    assert attempts_take((LIMITER, "someone")) == [2]
    assert attempts_take((LIMITER, "someone")) is None
    assert LIMITER.count("someone") == 2, "a refused attempt is not counted"


def test_an_attempt_refused_by_one_limiter_is_not_counted_by_another(cache_kind):
    for _ in range(2):
        LIMITER.hit("busy address")
    assert attempts_take((OTHER, "someone"), (LIMITER, "busy address")) is None
    assert OTHER.count("someone") == 0


def test_an_attempt_that_passed_is_given_back_and_nothing_goes_below_zero(cache_kind):
    asks = ((LIMITER, "someone"), (OTHER, "somewhere"))
    assert attempts_take(*asks) == [1, 1]
    attempts_give_back(*asks)
    assert (LIMITER.count("someone"), OTHER.count("somewhere")) == (0, 0)
    LIMITER.reset("someone")
    attempts_give_back((LIMITER, "someone"))  # its window ended (or was reset) meanwhile
    assert LIMITER.count("someone") == 0
    assert attempts_take((LIMITER, "someone")) == [1]
