"""Reading the alert queue opens each break-glass reason, free text an officer typed about a shielded
child and sealed under that child's key. The read must be on that child's own access report and subject
access report, as the matches inbox and the brokering page put theirs (one event per child named): the
queue's own event carries alert ids only, and the reports find a child's events by its id.

Review, session 32: the queue's read named no child, so a team member reading why an officer opened a
shielded record left nothing on the record's access report."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from children.override import shield_override
from children.shredding import child_shred
from oversight.models import Alert, AlertKind
from reports.reports import child_access
from reports.subject_access import subject_access_report
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user
from vault.providers import key_provider

REASON = "Synthetic: reported missing from the placement tonight"
OTHER_REASON = "Synthetic: school raised a concern this morning"
QUEUE_HEADING = "Alerts for your local authority"


@pytest.fixture(autouse=True)
def fresh_keys():
    key_provider.cache_clear()
    yield
    key_provider.cache_clear()


def _read_queue(reader):
    return rendered(signed_in(reader).get(reverse("oversight:alerts")), heading=QUEUE_HEADING)


def _reads_about(child, reader):
    return [e for e in child_access(child=child, fetched_by=reader) if e.tag == AuditTag.AlertsViewed]


def test_each_child_whose_reason_the_queue_opened_has_the_read_on_its_access_report(world, shielded_child):
    second = make_child(world, given_names="Ruby", family_name="Nowak", postcode="LS9 8HX", shielded=True)
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    shield_override(child=second, by=world.olivia, reason=OTHER_REASON)
    first_alert = Alert.objects.get(child_id=shielded_child.pk)
    second_alert = Alert.objects.get(child_id=second.pk)
    Alert.objects.create(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice
    )

    page = _read_queue(world.lena)
    assert REASON in page and OTHER_REASON in page

    for child, alert in ((shielded_child, first_alert), (second, second_alert)):
        [read] = _reads_about(child, world.lena)
        assert read.actor_id == world.lena.pk
        assert read.additional == {
            "actor_role": "la_team",
            "alert_ids": [alert.pk],
            "raised_by_ids": [world.olivia.pk],
        }
        assert "Synthetic" not in json.dumps(read.additional)  # ids only, never the reason's text


def test_the_childs_access_report_page_and_subject_access_report_list_the_read(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    _read_queue(world.lena)

    colleague = make_user("leah", world.north, "la_team")
    report_page = signed_in(colleague).get(reverse("audit:child_access", args=[shielded_child.pk]))
    assert report_page.status_code == 200
    assert tag_label(AuditTag.AlertsViewed) in report_page.content.decode()

    report = subject_access_report(child=shielded_child, produced_by=colleague, reference="SAR-1")
    listed = [(e.description, e.organisation) for e in report.accesses]
    assert (tag_label(AuditTag.AlertsViewed), "A local authority") in listed  # shielded: by kind only


def test_every_read_of_the_queue_is_on_the_childs_report(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    _read_queue(world.lena)
    _read_queue(world.lena)
    assert len(_reads_about(shielded_child, world.lena)) == 2


def test_a_queue_that_opened_no_reason_names_no_child(world, shielded_child):
    """A misuse alert names a person, not a child; an override whose child's key was shredded (the record
    purged) shows no reason: neither puts the read on any child's report."""
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    child_shred(child=shielded_child, by=world.dara)
    Alert.objects.create(local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice)

    page = _read_queue(world.lena)
    assert "Synthetic" not in page
    reads = AuditEvent.objects.filter(tag=AuditTag.AlertsViewed, actor=world.lena)
    assert [e.child_id for e in reads] == [None]  # the queue's own read only


def test_another_las_team_reading_its_queue_puts_nothing_on_this_las_children(world, shielded_child):
    shield_override(child=shielded_child, by=world.olivia, reason=REASON)
    stella = make_user("stella", world.south, "la_team")
    assert "No alerts." in _read_queue(stella)
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertsViewed, child_id__isnull=False).exists()
