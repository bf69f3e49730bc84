"""A loop in the data keys' `superseded_by` chain is refused as a broken chain, never followed forever.

Rotation only ever points an owner's key at a fresh one, so a loop is a damaged (or tampered) database.
Following it hung every write sealing under the key (`data_key_for_write`), every read looking for the
key a rotation put in its place (`data_key_current`), a shred (`_data_key_locked_current`, then
`data_key_chain`), each holding its locks and its worker for good.
"""

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from children.models import Child
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.keys import (
    KeyChainBroken,
    data_key_build,
    data_key_chain,
    data_key_current,
    data_key_for_write,
    data_key_shred,
)
from vault.models import DataKey


class _StillRunning(Exception):
    pass


@contextmanager
def _at_most(seconds: int) -> Iterator[None]:
    """Fail a call that would never return, rather than hang the test run."""

    def stop(*_: object) -> None:
        raise _StillRunning(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _loop(child: Child, length: int) -> DataKey:
    """The child's key made the first of `length` keys each superseded by the next, the last by the first."""
    first = child.data_key
    keys = [first]
    for _ in range(length - 1):
        key, _dek = data_key_build()
        key.save()
        keys.append(key)
    for key, successor in zip(keys, keys[1:] + keys[:1], strict=True):
        DataKey.objects.filter(pk=key.pk).update(superseded_by=successor)
    first.refresh_from_db()
    return first


@pytest.fixture(params=[1, 2, 3], ids=["a key superseded by itself", "two keys", "three keys"])
def looped(world, request) -> DataKey:
    return _loop(make_child(world), request.param)


def test_the_key_in_use_is_not_looked_for_forever_round_a_loop(looped):
    with _at_most(5), pytest.raises(KeyChainBroken):
        data_key_current(looped)


def test_a_write_does_not_follow_a_loop_forever(looped):
    with _at_most(5), pytest.raises(KeyChainBroken), transaction.atomic():
        data_key_for_write(looped)


def test_an_owners_keys_are_not_gathered_forever_round_a_loop(looped):
    with _at_most(5), pytest.raises(KeyChainBroken):
        data_key_chain(looped)


def test_a_shred_refuses_a_looped_chain_and_destroys_nothing(looped):
    with _at_most(5), pytest.raises(KeyChainBroken):
        data_key_shred(looped)
    assert not DataKey.objects.filter(shredded_at__isnull=False).exists()


def test_a_broken_chain_is_a_decryption_failure_naming_keys_by_id_only(looped):
    """Callers that leave a key that does not open (rotation, search) treat a looped one the same way."""
    with _at_most(5), pytest.raises(DecryptionFailed) as caught:
        data_key_current(looped)
    assert str(looped.pk) in str(caught.value)


def test_an_ordinary_chain_is_followed_and_gathered_as_before(world):
    child = make_child(world)
    old = child.data_key
    newer, _dek = data_key_build()
    newer.save()
    DataKey.objects.filter(pk=old.pk).update(superseded_by=newer)
    old.refresh_from_db()
    assert data_key_current(old).pk == newer.pk
    with transaction.atomic():
        assert data_key_for_write(old).pk == newer.pk
    assert {k.pk for k in data_key_chain(newer)} == {old.pk, newer.pk}
