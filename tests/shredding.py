"""A record whose keys were shredded by a purge (or merge) that then failed: the row is still there.

Both tell the key provider first (fail closed), so when the rest of their transaction fails the provider
refuses the record's key for good while every row stays until the next night's purge deletes them.
"""

import contextlib

import pytest
from django.db import transaction

from children.models import Child
from children.shredding import child_shred


class _Interrupted(Exception):
    """The failure after the shred (a lost connection, a full disk)."""


def purge_failed_after_its_shred(monkeypatch: pytest.MonkeyPatch, child: Child) -> None:
    """Run the lifecycle purge of archived `child`, failing after its shred, as a nightly run would."""
    import lifecycle.services
    from lifecycle.services import child_purge

    real_shred = lifecycle.services.child_shred

    def shred_then_fail(**kwargs: object) -> None:
        real_shred(**kwargs)  # type: ignore[arg-type]
        raise _Interrupted

    with monkeypatch.context() as patched:
        patched.setattr(lifecycle.services, "child_shred", shred_then_fail)
        with pytest.raises(_Interrupted):
            child_purge(child_id=child.pk)
    assert Child.objects.filter(pk=child.pk).exists()


def shred_rolled_back(child: Child) -> None:
    """Shred `child`'s keys in a transaction that then fails (a merge failing after its shred)."""
    with contextlib.suppress(_Interrupted), transaction.atomic():
        child_shred(child=Child.objects.select_related("data_key").get(pk=child.pk), by=None)
        raise _Interrupted
    assert Child.objects.filter(pk=child.pk).exists()
