"""A new identity (adoption, protection): a separate record, the old one closed, and nothing links them.

"Through every page and report": each role that can see either record is walked through the record
pages, search results, the child access report, the subject access report, the user activity report
and the audit export, and the other identity's index number and names must appear on none of them.
"""

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from access.policy import feed_row_decide
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from children.models import Child, RecordStatus
from children.selectors import child_details
from feeds.ingest import batch_ingest
from feeds.models import RowOutcome
from feeds.parsers import rows_fingerprint
from feeds.tests.factories import feed_row, health_source
from lifecycle.identity import CLOSE_CATEGORY_CONTEXT, CREATED_BY_CONTEXT
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in, state_purpose
from tests.other_la import main_of
from tests.personas import make_child, make_user
from vault.sealing import note_unseal

OLD_NAMES = ("Amelia", "Thornton")
NEW_NAMES = ("Poppy", "Marchbank")
FORM = {
    "category": "adoption",
    "given_names": "Poppy",
    "family_name": "Marchbank",
    "gender": "female",
    "dob_day": "4",
    "dob_month": "3",
    "dob_year": "2015",  # adoption keeps the date of birth: the two share it, and still never link
    "line_1": "8 Elmhurst Gardens",
    "town": "York",
    "postcode": "YO1 7HH",
    "shielded": "",
    "confirm": "on",
}
SUBJECT_ACCESS = {"identity_checked": "on", "reference": "SAR-2033-0001"}


def _refusal(response) -> str:
    page = response.content.decode()
    marker = 'data-reason="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _markers(child: Child, names: tuple[str, str]) -> list[str]:
    """Every way a page could name this identity: the index number (raw, formatted) and the names."""
    return [child.index_number, formatted(child.index_number), *names]


def _search(client, **criteria) -> str:
    response = client.post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def changed(world):
    """Alice works with Amelia; North's team (lena) gives Amelia a new identity through the page."""
    from children.records import InvolvementDetails
    from children.services import involvement_record

    old = make_child(world)
    involvement_record(
        child=old,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk),
    )
    alice = signed_in(world.alice)
    _search(alice, family_name="Thornton", dob_day="4", dob_month="3", dob_year="2015")
    state_purpose(alice, old)
    alice.get(reverse("children:record", args=[old.pk]))
    response = signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("children:search")
    new = Child.objects.exclude(pk=old.pk).get()
    old.refresh_from_db()
    return old, new


def test_the_new_identity_is_a_separate_sealed_record_and_the_old_one_is_closed(world, changed):
    old, new = changed
    assert old.status == RecordStatus.CLOSED and new.status == RecordStatus.ACTIVE
    assert new.index_number != old.index_number and new.data_key_id != old.data_key_id
    assert new.local_authority_id == old.local_authority_id
    details = child_details(new)
    assert (details.given_names, details.family_name) == NEW_NAMES
    assert details.address.postcode == "YO1 7HH"
    assert not new.carers.exists() and not new.involvements.exists() and details.source_identifiers == []
    for column in Child.SEALED:  # stored encrypted like every record
        assert b"Poppy" not in bytes(getattr(new, column)) and b"Marchbank" not in bytes(getattr(new, column))


def test_the_close_and_the_create_are_separate_events_naming_only_their_own_record(world, changed):
    old, new = changed
    closed = AuditEvent.objects.get(tag=AuditTag.ChildClosed)
    created = AuditEvent.objects.get(tag=AuditTag.ChildCreated, child_id=new.pk)
    assert (closed.child_id, closed.actor_id) == (old.pk, world.lena.pk)
    assert created.actor_id is None and created.organisation_id is None  # not in lena's activity
    assert set(closed.additional) == {"actor_role", "category_sealed"}
    assert set(created.additional) == {"created_by_sealed"}
    assert (
        note_unseal(old.data_key, context=CLOSE_CATEGORY_CONTEXT, sealed=closed.additional["category_sealed"])
        == "adoption"
    )
    assert note_unseal(
        new.data_key, context=CREATED_BY_CONTEXT, sealed=created.additional["created_by_sealed"]
    ) == str(world.lena.pk)
    for event in AuditEvent.objects.all():  # no event anywhere names both records
        text = json.dumps(event.additional)
        mentions = {
            child.pk
            for child in (old, new)
            if event.child_id == child.pk or str(child.pk) in text or child.index_number in text
        }
        assert len(mentions) <= 1, event.tag


def test_a_new_identity_needs_the_confirmation_and_a_reason_category(world):
    old = make_child(world)
    lena = signed_in(world.lena)
    url = reverse("moves:new_identity", args=[old.pk])
    page = lena.post(url, {**FORM, "confirm": "", "category": ""}).content.decode()
    assert "<title>Error: Create a new identity for this child - ContactPoint</title>" in page
    assert "Confirm that the current record will be closed" in page
    assert "Select why the child needs a new identity" in page
    old.refresh_from_db()
    assert old.status == RecordStatus.ACTIVE and Child.objects.count() == 1
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildClosed).exists()


def test_a_new_identity_asks_the_team_member_to_confirm_it_is_them_first(world):
    old = make_child(world)
    stale = signed_in(world.lena, reauthenticated=False)
    response = stale.post(reverse("moves:new_identity", args=[old.pk]), FORM)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauthenticate"))
    old.refresh_from_db()
    assert old.status == RecordStatus.ACTIVE and Child.objects.count() == 1


def test_only_the_owning_la_team_creates_a_new_identity(world):
    old = make_child(world)
    stella = make_user("stella", world.south, Role.LA_TEAM)
    response = signed_in(stella).post(reverse("moves:new_identity", args=[old.pk]), FORM)
    # by id alone: refused, and told nothing of the child (review, session 37)
    assert response.status_code == 403 and _refusal(response) == "not_found_by_search"
    assert world.north.name not in main_of(response)
    for person in (world.alice, world.olivia, world.dara, world.nadia):
        response = signed_in(person).post(reverse("moves:new_identity", args=[old.pk]), FORM)
        assert response.status_code == 403 and _refusal(response) == "role_not_permitted"
    assert Child.objects.count() == 1 and Child.objects.get().status == RecordStatus.ACTIVE


def test_a_second_submission_on_the_closed_record_creates_nothing(world, changed):
    old, _ = changed
    response = signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM)
    assert response.status_code == 403 and _refusal(response) == "closed"
    assert Child.objects.count() == 2


def test_the_closed_record_is_never_found_nor_opened_by_practitioners(world, changed):
    old, _ = changed
    for person in (world.alice, world.lena):
        found = _search(
            signed_in(person), family_name="Thornton", dob_day="4", dob_month="3", dob_year="2015"
        )
        assert "Amelia" not in found and formatted(old.index_number) not in found
    # Alice worked with the old identity, so may have kept its id: it answers as an id that never existed
    # (a closed record is known to the LA team holding it alone: review, session 37), as to Olivia.
    alice = signed_in(world.alice)
    for url in ("children:purpose", "children:record", "children:involvement_new"):
        response = alice.get(reverse(url, args=[old.pk]))
        made_up = alice.get(reverse(url, args=[uuid.uuid4()]))
        assert response.status_code == made_up.status_code == 404, url
        assert main_of(response) == main_of(made_up), url
    olivia = signed_in(world.olivia)
    response = olivia.get(reverse("children:override", args=[old.pk]))
    made_up = olivia.get(reverse("children:override", args=[uuid.uuid4()]))
    assert response.status_code == made_up.status_code == 404
    assert main_of(response) == main_of(made_up)
    # its own LA team is told why
    assert _refusal(signed_in(world.lena).get(reverse("children:purpose", args=[old.pk]))) == "closed"
    dara = signed_in(world.dara)
    assert dara.get(reverse("lifecycle:archived_record", args=[old.pk])).status_code == 404  # as any id


def test_no_page_or_report_links_the_old_and_new_identities(world, changed):
    """Alice worked with the old identity; lena closed it. Nell (LA team) and Carla (a teacher) meet
    only the new one; Nora (LA team) and Nadia (national auditor) read every report about both.

    A person's own activity lists every record they touched, as any honest log must: the people who
    meet the new identity here never touched the old one, so a link on any page could only come from
    the service itself.
    """
    old, new = changed
    nell = make_user("nell", world.north, Role.LA_TEAM)
    nora = make_user("nora", world.north, Role.LA_TEAM)
    carla = make_user("carla", world.north_school)
    old_markers, new_markers = _markers(old, OLD_NAMES), _markers(new, NEW_NAMES)
    by_dob = {"dob_day": "4", "dob_month": "3", "dob_year": "2015"}
    seen: dict[str, str] = {}
    for person in (world.alice, nell, carla):  # search: the old names find nothing, the new the new
        client = signed_in(person)
        seen[f"{person} search old"] = _search(client, family_name="Thornton", **by_dob)
        seen[f"{person} search new"] = _search(client, family_name="Marchbank", **by_dob)
        assert "Poppy Marchbank" in seen[f"{person} search new"]
    for person in (nell, carla):  # the new record's page
        client = signed_in(person)
        state_purpose(client, new)
        seen[f"{person} record of {new.index_number}"] = client.get(
            reverse("children:record", args=[new.pk])
        ).content.decode()
        assert "Poppy Marchbank</h1>" in seen[f"{person} record of {new.index_number}"]
    for person in (nora, world.nadia):  # every activity report and the export, then each child's reports
        client = signed_in(person)
        for subject in (world.lena, world.alice, nell, carla):
            seen[f"{person} activity of {subject}"] = client.get(
                reverse("audit:user_activity", args=[subject.pk])
            ).content.decode()
        seen[f"{person} export"] = client.get(reverse("audit:export")).content.decode()
    for person in (nora, world.nadia):
        client = signed_in(person)
        for child in (old, new):
            seen[f"{person} child access of {child.index_number}"] = client.get(
                reverse("audit:child_access", args=[child.pk])
            ).content.decode()
            if person == nora:
                seen[f"{person} subject access of {child.index_number}"] = client.post(
                    reverse("audit:subject_access", args=[child.pk]), SUBJECT_ACCESS
                ).content.decode()
    problems = []
    for where, page in seen.items():
        # A page about one identity must not name the other; a page about neither must not name both.
        names_old = [m for m in old_markers if m in page]
        names_new = [m for m in new_markers if m in page]
        if (old.index_number in where and names_new) or (new.index_number in where and names_old):
            problems.append(f"{where}: names the other identity ({names_old} / {names_new})")
        elif names_old and names_new:
            problems.append(f"{where}: names both ({names_old} / {names_new})")
    assert not problems, problems
    # the pages were really produced and show their own record, so the checks above are not vacuous
    for person in (nora, world.nadia):
        assert formatted(old.index_number) in seen[f"{person} child access of {old.index_number}"]
        assert formatted(new.index_number) in seen[f"{person} child access of {new.index_number}"]
        lena_activity = seen[f"{person} activity of {world.lena}"]
        assert "Record closed" in lena_activity and formatted(old.index_number) in lena_activity
    assert "Poppy Marchbank" in seen[f"{nora} subject access of {new.index_number}"]
    assert "Amelia Thornton" in seen[f"{nora} subject access of {old.index_number}"]


def _ingest(world, **row):
    rows = [feed_row(**row)]
    return batch_ingest(
        source=health_source(world),
        batch_id="b1",
        fingerprint=rows_fingerprint(rows),
        rows=enumerate(rows, start=1),
        entitled=lambda source, fields, la: feed_row_decide(
            source=source, fields=fields, local_authority_id=la.pk if la else None
        ),
        today=timezone.localdate(),
    )


AMELIA_ROW = {
    "given_names": "Amelia",
    "family_name": "Thornton",
    "date_of_birth": "2015-03-04",
    "postcode": "LS1 4AB",
    "address_line": "12 Quarry Lane",
    "nhs_number": "943 476 5919",
}


def test_a_feed_update_for_the_old_identity_neither_reopens_it_nor_creates_a_duplicate(world, changed):
    old, new = changed
    report = _ingest(world, **AMELIA_ROW)
    assert report.counts[RowOutcome.REVIEW] == 1
    assert Child.objects.count() == 2
    old.refresh_from_db()
    assert old.status == RecordStatus.CLOSED
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.CLOSED_IDENTITY  # held for the LA team, showing no candidate at all
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    for marker in (*_markers(old, ()), *_markers(new, NEW_NAMES)):
        assert marker not in page


def test_a_feed_row_for_the_old_identity_is_never_shown_beside_a_new_identity_at_the_same_address(world):
    """Adopted by the carers they live with: same date of birth, same address, a shielded new identity.
    Without the closed-record hold first, the row would be a shield review showing the new record."""
    old = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:new_identity", args=[old.pk]),
        {**FORM, "line_1": "12 Quarry Lane", "town": "Leeds", "postcode": "LS1 4AB", "shielded": "on"},
    )
    assert response.status_code == 302
    new = Child.objects.exclude(pk=old.pk).get()
    assert new.shielded
    report = _ingest(world, **AMELIA_ROW)
    assert report.counts[RowOutcome.REVIEW] == 1 and Child.objects.count() == 2
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.CLOSED_IDENTITY
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    for marker in _markers(new, NEW_NAMES):
        assert marker not in page


def test_a_row_held_as_resembling_a_closed_identity_can_never_become_a_new_visible_record(world, changed):
    """Only "not a match" is offered, and a forged "new child" is refused: a record made from the row
    would be the birth identity back, active and found by any practitioner."""
    _ingest(world, **AMELIA_ROW)
    review = ClericalReview.objects.get()
    lena = signed_in(world.lena)
    page = lena.get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert 'value="new_child"' not in page and 'value="not_a_match"' in page
    assert "Resembles a record closed for a new identity" in page
    refused = lena.post(reverse("linkage:review", args=[review.pk]), {"decision": "new_child"})
    assert refused.status_code == 400
    assert "resembles one closed for a new identity" in refused.content.decode()
    assert Child.objects.filter(status=RecordStatus.ACTIVE).count() == 1  # the new identity alone
    found = _search(
        signed_in(world.alice), family_name="Thornton", dob_day="4", dob_month="3", dob_year="2015"
    )
    assert "Amelia" not in found
    lena.post(reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"})
    assert ClericalReview.objects.get().status == "not_a_match"
