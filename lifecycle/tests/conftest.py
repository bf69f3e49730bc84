"""A frozen clock for every lifecycle test, and a fresh key ring (purges revoke keys at the provider)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from vault.providers import key_provider

# The day before Amelia (tests.personas.make_child, born 4 March 2015) turns 18.
EVE_OF_18TH_BIRTHDAY = datetime(2033, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    key_provider.cache_clear()
    yield
    key_provider.cache_clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Frozen at EVE_OF_18TH_BIRTHDAY; tests move it with `clock.move_to(...)`."""
    with time_machine.travel(EVE_OF_18TH_BIRTHDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock, db):  # the vetting dates of the world are set from the frozen clock
    from tests.personas import build_world

    return build_world()
