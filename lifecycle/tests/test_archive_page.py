"""The archive page: a data manager opens an archived record with a purpose (first year) or a statutory
reason (afterwards), each opening audited; everyone else is refused with a reason they can read.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from tests.journeys import signed_in


@pytest.fixture
def archived(world, child, clock):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk),
    )
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Sasha Clinic", "Nurse", world.north_gp.pk, sensitive_category=SensitiveCategory.SEXUAL_HEALTH
        ),
    )
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    return Child.objects.get(pk=child.pk)


def _url(child: Child) -> str:
    return reverse("lifecycle:archived_record", args=[child.pk])


def _revetted(user: User) -> User:
    today = timezone.localdate()
    User.objects.filter(pk=user.pk).update(background_check_on=today, training_completed_on=today)
    return User.objects.get(pk=user.pk)


def test_in_the_first_year_a_data_manager_states_a_purpose_and_sees_the_record(world, archived):
    client = signed_in(world.dara)
    page = client.get(_url(archived))
    assert page.status_code == 200 and b"statutory_reason" not in page.content
    assert events(AuditTag.ArchivedRecordViewed) == []

    shown = client.post(_url(archived), {"purpose": "subject_access"})
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert b"Thornton" in shown.content and b"Alice Example" in shown.content
    assert b"Sasha Clinic" not in shown.content and b"sensitive-notice" in shown.content
    [event] = events(AuditTag.ArchivedRecordViewed, archived)
    assert event.actor == world.dara and event.additional["purpose"] == "subject_access"


def test_after_the_first_year_the_page_asks_for_a_statutory_reason(world, archived, clock):
    move_to(clock, date(2034, 3, 4))
    client = signed_in(_revetted(world.dara))
    page = client.get(_url(archived))
    assert page.status_code == 200 and b"statutory-warning" in page.content

    refused = client.post(_url(archived), {"purpose": "correction"})
    assert refused.status_code == 200
    assert b"Select the statutory reason" in refused.content and b"Thornton" not in refused.content
    assert events(AuditTag.ArchivedRecordViewed) == []

    shown = client.post(
        _url(archived),
        {"purpose": "correction", "statutory_reason": "child_protection_enquiry", "detail": "Ref S47-0001"},
    )
    assert shown.status_code == 200 and b"Thornton" in shown.content
    [event] = events(AuditTag.ArchivedRecordViewed, archived)
    assert event.additional["statutory_reason"] == "child_protection_enquiry"
    assert "S47" not in str(event.additional)


@pytest.fixture
def found_then_archived(world, child, request):
    """Archived after Olivia recorded an involvement: she may identify the child (Alice recorded
    involvements, Lena is its LA team), so each is told why (by id alone, or after a past search only, an
    archived record answers as no record: children/tests/test_a_childs_id_tells_nothing_to_whoever_may_not_
    identify_it, access/tests/test_a_past_search_does_not_tell_that_a_record_was_archived)."""
    involvement_record(
        child=child,
        by=world.olivia,
        details=InvolvementDetails(
            practitioner_name="Olivia Example",
            role="Police officer",
            organisation_id=world.olivia.organisation_id,
        ),
    )
    return request.getfixturevalue("archived")


@pytest.mark.parametrize("persona", ["alice", "lena", "olivia"])
def test_practitioners_and_the_la_team_are_refused_the_archived_record_with_a_clear_reason(
    world, found_then_archived, persona
):
    archived = found_then_archived
    client = signed_in(getattr(world, persona))
    record = client.get(reverse("children:record", args=[archived.pk]))
    assert record.status_code == 403
    assert b"This record has been archived. Only a data manager can open it." in record.content
    archive = client.get(_url(archived))
    assert archive.status_code == 403 and b"Your role does not allow this." in archive.content
    reasons = [e.additional["reason"] for e in events(AuditTag.AccessDenied, archived)]
    assert reasons == ["archived"]
    # The archive page refuses the role before looking the id up (no probing), so with no child named.
    role_refusal = AuditEvent.objects.filter(
        tag=AuditTag.AccessDenied, actor=getattr(world, persona), child_id__isnull=True
    ).get()
    assert role_refusal.additional["reason"] == "role_not_permitted"
    assert events(AuditTag.ArchivedRecordViewed) == []


def test_a_data_manager_cannot_use_the_archive_page_for_an_active_record(world, child):
    """Answered as an id naming no one (`test_archived_record_by_id_is_no_oracle`)."""
    response = signed_in(world.dara).get(_url(child))
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"Thornton" not in response.content
