"""The steps `linkage.holding` runs once a shield or a transfer commits are `robust`.

Each is a put-right that the nightly sweep would also do (`linkage.holds_sweep`). Registered plainly, one
raising after the commit (a database gone away, a bug) skipped every step registered after it in the same
transaction, another app's included, and reached the person as a server error although their change had
committed. Now a failure is logged and the next step still runs; the shield stands.
"""

import logging

import pytest
from django.db import transaction

from children.models import Child
from lifecycle.shielding import shield_set
from linkage import holding


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("synthetic failure after the commit")


@pytest.mark.django_db(transaction=True)
def test_a_step_failing_after_a_shield_commits_neither_fails_the_shield_nor_skips_the_next(
    world, child, monkeypatch, caplog
):
    monkeypatch.setattr(holding, "_reviews_elsewhere_follow", _broken)
    ran: list[str] = []
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"), transaction.atomic():
        assert shield_set(child=child, by=world.lena, shielded=True, reason="Risk of harm")
        transaction.on_commit(lambda: ran.append("the next step"), robust=True)
    assert ran == ["the next step"]
    assert Child.objects.get(pk=child.pk).shielded
    assert any("synthetic failure after the commit" in record.getMessage() for record in caplog.records)
