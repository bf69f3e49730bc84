"""One current involvement per practitioner, organisation and role with a child.

The details are sealed, so the database compares a keyed hash of (child, practitioner, organisation,
role) under a partial unique constraint on current rows; the page explains the refusal in words.
"""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children import services
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.services import DuplicateInvolvement, involvement_cease, involvement_record
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.pages import headings
from tests.personas import build_world, make_child


def _details(world, role="Social worker"):
    return InvolvementDetails(
        practitioner_name="Alice Example",
        role=role,
        organisation_id=world.north_social_care.pk,
        started_on=date(2024, 9, 2),
    )


def test_a_second_current_involvement_in_the_same_role_is_refused_with_a_govuk_message(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    url = reverse("children:involvement_new", args=[child.pk])
    assert client.post(url, INVOLVEMENT_FORM).status_code == 302
    response = client.post(url, {**INVOLVEMENT_FORM, "role": "  social   WORKER "})
    page = response.content.decode()
    assert response.status_code == 200
    assert headings(page) == ["Record your involvement"]
    assert "<title>Error: Record your involvement - ContactPoint</title>" in page
    assert "You are already recorded as working with this child in this role" in page
    assert 'href="#id_role"' in page
    assert Involvement.objects.count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).count() == 1


def test_the_same_practitioner_may_record_a_different_role(world, child):
    involvement_record(child=child, by=world.alice, details=_details(world))
    involvement_record(child=child, by=world.alice, details=_details(world, role="Family group conference"))
    assert Involvement.objects.filter(ceased=False).count() == 2


def test_another_practitioner_may_record_the_same_role(world, child):
    involvement_record(child=child, by=world.alice, details=_details(world))
    involvement_record(child=child, by=world.tom, details=_details(world))
    assert Involvement.objects.filter(ceased=False).count() == 2


def test_an_ended_involvement_does_not_stop_a_new_one_in_the_same_role(world, child):
    first = involvement_record(child=child, by=world.alice, details=_details(world))
    involvement_cease(involvement=first, by=world.alice, ended_on=date(2025, 1, 1))
    involvement_record(child=child, by=world.alice, details=_details(world))
    assert Involvement.objects.filter(ceased=False).count() == 1
    with pytest.raises(DuplicateInvolvement):
        involvement_record(child=child, by=world.alice, details=_details(world))


def test_the_database_refuses_a_second_current_row_with_the_same_key(world, child):
    first = involvement_record(child=child, by=world.alice, details=_details(world))
    copy = Involvement(child=child, recorded_by=world.alice, current_key=first.current_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_a_request_that_raced_past_the_check_is_refused_by_the_constraint(world, child, monkeypatch):
    involvement_record(child=child, by=world.alice, details=_details(world))
    answers = iter([False, True])  # the check ran before the other request committed
    monkeypatch.setattr(services, "_current_involvement_exists", lambda key: next(answers))
    with pytest.raises(DuplicateInvolvement):
        involvement_record(child=child, by=world.alice, details=_details(world))
    assert Involvement.objects.count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).count() == 1


def test_the_key_reveals_nothing_readable(world, child):
    involvement = involvement_record(child=child, by=world.alice, details=_details(world))
    assert isinstance(involvement.current_key, int)
    assert "Social" not in str(involvement.current_key)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one database lock, so two requests cannot race there",
)
def test_two_requests_racing_record_one_involvement_and_the_other_is_told_why():
    world = build_world()
    child = make_child(world)
    child = Child.objects.select_related("data_key").get(pk=child.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            involvement_record(child=child, by=world.alice, details=_details(world))
            outcomes.append("recorded")
        except DuplicateInvolvement:
            outcomes.append("duplicate")
        except BaseException as error:
            outcomes.append(f"failed: {error!r}")
        finally:
            connections.close_all()

    for _ in range(5):  # several rounds: the race must be lost cleanly whichever thread wins
        Involvement.objects.all().delete()
        outcomes.clear()
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["duplicate", "recorded"], outcomes
        assert Involvement.objects.filter(child=child, ceased=False).count() == 1
