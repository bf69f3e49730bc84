"""verify_audit compares each search with its result rows as the event scan passes it, holding no searches.

The search-result rows (`SearchAppearance`) were streamed a search at a time, but the searches they are
checked against were gathered first: the event scan kept every search of the log in a dictionary (its
actor, time and result ids: 0.4 to 1.8 kB a search) and compared only once the whole log had been read.
At the design volume (200,000 enquiries a day) a year of the log is tens of millions of searches, tens of
gigabytes: the verifier would run out of memory before reporting anything, and with it the monitoring
that is meant to notice tampering. Both sides are in event id order, so each search is now compared with
its rows when the scan reaches it, and only the next search's rows are held.
"""

import uuid

import pytest
from django.conf import settings

from audit import verification
from audit.checkpoints import checkpoint_create
from audit.models import SearchAppearance
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.tests.tampering import triggers_bypassed
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db

SEARCHES = 40


def _appearance_findings(report: verification.VerificationReport) -> list[tuple[str, int | None]]:
    """The search index's findings (on PostgreSQL a failed run also lists the id gaps rollbacks leave)."""
    return [(f.kind, f.event_id) for f in report.findings if f.kind.startswith("appearance_")]


def _searches() -> list[int]:
    return [
        event_record(
            tag=AuditTag.SearchPerformed, actor=None, additional={"result_ids": [str(uuid.uuid4())]}
        ).pk
        for _ in range(SEARCHES)
    ]


def test_a_searchs_missing_rows_are_reported_as_the_scan_passes_it_not_after_the_whole_log(
    signed_log, monkeypatch
):
    ids = _searches()
    checkpoint_create()
    with triggers_bypassed():
        SearchAppearance.objects.filter(event_id=ids[0]).delete()
    hashed: list[int] = []
    original_entry_bytes = verification.entry_bytes

    def hashing(**entry):
        hashed.append(entry["id"])
        return original_entry_bytes(**entry)

    found_at: dict[tuple[str, int | None], int] = {}
    original_finding = verification.Finding

    def finding(kind, detail, event_id=None):
        found_at.setdefault((kind, event_id), len(hashed))  # how far the scan had got
        return original_finding(kind, detail, event_id)

    monkeypatch.setattr(verification, "entry_bytes", hashing)
    monkeypatch.setattr(verification, "Finding", finding)
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )

    assert _appearance_findings(report) == [("appearance_missing", ids[0])]
    assert found_at[("appearance_missing", ids[0])] <= 2, "every search was held until the log was read"


def test_rows_of_no_search_and_searches_with_no_rows_are_still_reported_in_id_order(signed_log):
    ids = _searches()
    login = event_record(tag=AuditTag.LoginFailed, actor=None)
    checkpoint_create()
    with triggers_bypassed():
        SearchAppearance.objects.filter(event_id=ids[5]).delete()
        SearchAppearance.objects.create(
            event_id=login.pk, actor_id=None, child_id=uuid.uuid4(), occurred_at=login.occurred_at
        )
        SearchAppearance.objects.create(
            event_id=ids[2], actor_id=None, child_id=uuid.uuid4(), occurred_at=login.occurred_at
        )

    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )

    assert _appearance_findings(report) == [
        ("appearance_inserted", ids[2]),
        ("appearance_missing", ids[5]),
        ("appearance_inserted", login.pk),
    ]
