"""A correction still waiting when its record is archived or closed lapses, audited, and leaves the queue.

Nobody may decide it any more (accepting or rejecting an archived or closed record's correction is
refused), so before it stayed "Waiting for a decision" for ever: in the LA team's queue, where opening
it was refused, and on the raiser's page. It now lapses in the same transaction as the archive or the
close, with an event the record's audit trail shows, and the raiser reads that it was not decided.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.tags import AuditTag
from children.records import ChildDetails
from corrections.fields import field_for
from corrections.models import CorrectionStatus
from corrections.services import correction_raise
from corrections.tests.support import events
from lifecycle.identity import new_identity_create
from lifecycle.services import child_archive
from tests.journeys import signed_in

LAPSED = "Not decided: the record is no longer open"


def _raise(world, child):
    return correction_raise(
        child=child,
        field=field_for("family_name"),
        value="Thorneton",
        reason="Seen the certificate",
        by=world.alice,
    )


def _assert_lapsed(world, correction) -> None:
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.LAPSED and correction.decided_by is None
    assert correction.decided_at is not None
    (event,) = events(AuditTag.CorrectionLapsed, correction_id=str(correction.pk))
    assert event.actor_id is None and event.child_id == correction.child_id
    queue = signed_in(world.lena).get(reverse("corrections:queue")).content.decode()
    assert reverse("corrections:decide", args=[correction.pk]) not in queue
    mine = signed_in(world.alice).get(reverse("corrections:mine")).content.decode()
    assert LAPSED in mine and "Waiting for a decision" not in mine


def test_a_pending_correction_lapses_when_the_record_is_archived(world, child):
    correction = _raise(world, child)
    decided = _raise(world, child)  # already decided ones keep their decision
    decided.status = CorrectionStatus.REJECTED
    decided.save(update_fields=["status"])
    assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    _assert_lapsed(world, correction)
    decided.refresh_from_db()
    assert decided.status == CorrectionStatus.REJECTED
    assert not events(AuditTag.CorrectionLapsed, correction_id=str(decided.pk))


def test_a_pending_correction_lapses_when_the_record_is_closed_for_a_new_identity(world, child):
    correction = _raise(world, child)
    details = ChildDetails(
        given_names="Rowan", family_name="Ashdown", date_of_birth=date(2015, 3, 4), gender="female"
    )
    new_identity_create(old=child, by=world.lena, category="adoption", details=details, shielded=False)
    _assert_lapsed(world, correction)


def test_the_subject_access_report_of_an_archived_record_says_its_correction_lapsed(world, child):
    from children.models import Child
    from reports.subject_access import subject_access_report

    _raise(world, child)
    assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    archived = Child.objects.select_related("data_key").get(pk=child.pk)
    report = subject_access_report(child=archived, produced_by=world.lena, reference="SAR-1")
    (entry,) = report.corrections
    assert entry.decision == LAPSED and entry.decided_on is not None
    assert "A correction lapsed undecided, as the record was archived or closed" in str(report.accesses)


def test_a_correction_raised_on_a_record_archived_since_the_page_checked_it_is_refused_and_not_kept(
    world, child
):
    """The page checked the record was active, then the nightly archive ended it (and lapsed what was
    pending), then the correction was stored: it waited for ever, as before lapsing existed."""
    from children.models import Child
    from corrections.models import Correction
    from corrections.services import RecordNotActive

    loaded = Child.objects.select_related("data_key").get(pk=child.pk)  # as the page loaded it
    assert child_archive(child_id=child.pk, rule="age", today=date(2033, 3, 4))
    with pytest.raises(RecordNotActive):
        _raise(world, loaded)
    assert not Correction.objects.exists()
    assert not events(AuditTag.CorrectionRaised)


def test_a_correction_raised_as_the_record_is_closed_for_a_new_identity_is_refused_on_the_page(
    world, child, monkeypatch
):
    from corrections import views as correction_views
    from corrections.models import Correction
    from corrections.tests.test_raising import NAME_FIX
    from tests.journeys import state_purpose

    real = correction_views.correction_raise

    def closed_first(**kwargs):
        details = ChildDetails(
            given_names="Rowan", family_name="Ashdown", date_of_birth=date(2015, 3, 4), gender="female"
        )
        new_identity_create(old=child, by=world.lena, category="adoption", details=details, shielded=False)
        return real(**kwargs)

    monkeypatch.setattr(correction_views, "correction_raise", closed_first)
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.post(
        reverse("corrections:propose", args=[child.pk, "family_name"]), NAME_FIX, follow=True
    )
    assert response.status_code == 200
    assert "This record is no longer open: the correction was not sent" in response.content.decode()
    assert not Correction.objects.exists()
    mine = signed_in(world.alice).get(reverse("corrections:mine")).content.decode()
    assert "Waiting for a decision" not in mine
