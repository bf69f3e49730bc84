"""Raising a correction: whoever may view the record, for the details they can see, with a purpose."""

import uuid
from datetime import date

import pytest
from django.urls import reverse

from audit.tags import AuditTag
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record
from corrections.models import Correction, CorrectionStatus
from corrections.tests.support import events, raise_via_page
from tests.journeys import signed_in, state_purpose
from tests.other_la import main_of
from tests.personas import make_user

NAME_FIX = {"value": "Thorneton", "reason": "Birth certificate seen at school admission"}
ADDRESS_FIX = {"line_1": "8 Fernbank Way", "town": "Leeds", "postcode": "ls2 9jt", "reason": "Moved in May"}


def _found_by_search(user, family_name: str = "Thornton") -> None:
    """Their search found the child, their way in: refused, they are told why (whoever may not identify the
    child is told nothing of it: children/tests/test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it)."""
    child_search(criteria=SearchCriteria(family_name, date_of_birth=date(2015, 3, 4)), fetched_by=user)


def test_a_practitioner_with_a_purpose_raises_a_correction_sealed_and_audited(world, child):
    client = signed_in(world.alice)
    correction = raise_via_page(client, child, "family_name", NAME_FIX)
    assert correction.status == CorrectionStatus.PENDING and correction.raised_by == world.alice
    raw = bytes(Correction.objects.values_list("proposed_value", flat=True).get(pk=correction.pk))
    assert b"Thorneton" not in raw and b"Birth certificate" not in raw
    [event] = events(AuditTag.CorrectionRaised, correction_id=str(correction.pk))
    assert event.actor_id == world.alice.pk and event.child_id == child.pk
    assert event.additional["field"] == "family_name" and "Thorneton" not in str(event.additional)
    page = client.get(reverse("corrections:mine")).content.decode()
    assert "Family name" in page and "Waiting for a decision" in page and "Thorneton" not in page


def test_a_correction_needs_the_purpose_that_viewing_needs(world, child):
    client = signed_in(world.alice)
    response = client.post(reverse("corrections:propose", args=[child.pk, "family_name"]), NAME_FIX)
    assert response.status_code == 302
    assert response["Location"] == reverse("children:purpose", args=[child.pk])
    assert not Correction.objects.exists()
    chooser = client.get(reverse("corrections:choose", args=[child.pk]))
    assert chooser["Location"] == reverse("children:purpose", args=[child.pk])


def test_the_record_page_links_to_corrections_for_a_viewer(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    assert reverse("corrections:choose", args=[child.pk]) in page
    assert reverse("corrections:complaint_new", args=[child.pk]) not in page  # the LA team's job


def test_each_kind_of_detail_can_be_proposed(world, child):
    client = signed_in(world.lena)
    cases = {
        "given_names": ({"value": "Amelie"}, "Amelie"),
        "date_of_birth": ({"value_day": "5", "value_month": "3", "value_year": "2015"}, "2015-03-05"),
        "gender": ({"value": "not_specified"}, "not_specified"),
        "educational_setting": (
            {"value": str(world.north_school.pk)},
            {"organisation_id": world.north_school.pk, "started_on": None},
        ),
        "gp_practice": ({"value": str(world.north_gp.pk)}, {"organisation_id": world.north_gp.pk}),
        "carer-0-phone": ({"value": "07700 900999"}, "07700 900999"),
        "carer-0-email": ({"value": "grace@example.org"}, "grace@example.org"),
    }
    from vault.sealing import Sealer

    for field, (data, stored) in cases.items():
        correction = raise_via_page(client, child, field, {**data, "reason": "Checked with the family"})
        assert Sealer(child.data_key).unseal(correction, "proposed_value") == stored, field
    address = raise_via_page(client, child, "address", ADDRESS_FIX)
    assert Sealer(child.data_key).unseal(address, "proposed_value")["postcode"] == "LS2 9JT"


def test_form_errors_are_in_govuk_words(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.post(
        reverse("corrections:propose", args=[child.pk, "date_of_birth"]), {"reason": ""}
    ).content.decode()
    assert "Enter the correct date of birth" in page and "Enter why the record is wrong" in page
    assert "<title>Error: " in page
    page = client.post(
        reverse("corrections:propose", args=[child.pk, "address"]), {**ADDRESS_FIX, "postcode": "NOPE"}
    ).content.decode()
    assert "Enter a real postcode" in page
    assert not Correction.objects.exists()


def test_a_shielded_childs_location_details_cannot_be_named_by_anyone_but_its_la_team(world, shielded_child):
    _found_by_search(world.alice, "Okafor")  # told why: she may identify the child
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    chooser = client.get(reverse("corrections:choose", args=[shielded_child.pk])).content.decode()
    assert "Family name" in chooser and "Date of birth" in chooser
    assert "Address" not in chooser and "GP practice" not in chooser and "Parent or carer" not in chooser
    for field in ("address", "educational_setting", "gp_practice", "carer-0-phone"):
        response = client.get(reverse("corrections:propose", args=[shielded_child.pk, field]))
        assert response.status_code == 403 and 'data-reason="shielded"' in response.content.decode(), field
        response = client.post(reverse("corrections:propose", args=[shielded_child.pk, field]), ADDRESS_FIX)
        assert response.status_code == 403
    assert not Correction.objects.exists()
    assert events(AuditTag.AccessDenied, reason="shielded")
    # the restricted view still lets a practitioner say the name is wrong
    raise_via_page(client, shielded_child, "family_name", NAME_FIX)
    # and the owning LA team may correct the address
    raise_via_page(signed_in(world.lena), shielded_child, "address", ADDRESS_FIX)


def test_the_shielded_page_does_not_show_the_current_location_either(world, shielded_child):
    client = signed_in(world.lena)
    state_purpose(client, shielded_child)
    page = client.get(reverse("corrections:propose", args=[shielded_child.pk, "address"])).content.decode()
    assert "12 Quarry Lane" in page  # the LA team sees it; nobody else gets this far (test above)


@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        ("dara", 403, "role_not_permitted"),
        ("nadia", 403, "role_not_permitted"),
        ("sam", 403, "suspended"),
        ("tom", 302, None),  # lapsed training: sent to the course
    ],
)
def test_roles_without_a_view_and_unvetted_people_cannot_raise(world, child, who, status, reason):
    client = signed_in(getattr(world, who))
    response = client.post(reverse("corrections:propose", args=[child.pk, "family_name"]), NAME_FIX)
    assert response.status_code == status
    if reason:
        assert f'data-reason="{reason}"' in response.content.decode()
    else:
        assert response["Location"].startswith(reverse("training:course"))
    assert not Correction.objects.exists()


def test_a_field_that_is_not_on_the_record_is_refused(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.get(reverse("corrections:propose", args=[child.pk, "source_identifiers"]))
    assert response.status_code == 403 and 'data-reason="not_a_field"' in response.content.decode()
    assert client.get(reverse("corrections:propose", args=[child.pk, "carer-7-phone"])).status_code == 404


def test_an_archived_record_cannot_be_corrected(world, child):
    from django.utils import timezone

    from lifecycle.services import child_archive

    involvement_record(  # before the archiving: involved, she may identify the child, so is told why
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.alice.organisation_id,
        ),
    )
    child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    client = signed_in(world.alice)
    response = client.post(reverse("corrections:propose", args=[child.pk, "family_name"]), NAME_FIX)
    assert response.status_code == 403 and 'data-reason="archived"' in response.content.decode()
    # by id alone the archived record answers as an id that never existed (review, session 37)
    bob = signed_in(world.bob)
    response = bob.post(reverse("corrections:propose", args=[child.pk, "family_name"]), NAME_FIX)
    made_up = bob.post(reverse("corrections:propose", args=[uuid.uuid4(), "family_name"]), NAME_FIX)
    assert response.status_code == made_up.status_code == 404
    assert main_of(response) == main_of(made_up)
    assert not Correction.objects.exists()
    assert len(events(AuditTag.AccessDenied, reason="archived")) == 2


def test_a_practitioner_in_another_la_may_raise_as_they_may_view(world, child):
    """Viewing is national (a stated purpose); so is saying a detail is wrong. The owning LA decides."""
    bob = signed_in(world.bob)
    correction = raise_via_page(bob, child, "family_name", NAME_FIX)
    assert correction.child.local_authority_id == world.north.pk
    other_team = make_user("stella", world.south, role="la_team")
    queue = signed_in(other_team).get(reverse("corrections:queue")).content.decode()
    assert "Family name" not in queue


def test_every_detail_has_its_own_page_whose_title_is_its_heading(world, child):
    from tests.pages import headings
    from tests.test_titles import title_matches_heading

    client = signed_in(world.lena)
    state_purpose(client, child)
    chooser = client.get(reverse("corrections:choose", args=[child.pk])).content.decode()
    assert title_matches_heading(chooser) is None
    seen = {}
    for key in ("given_names", "date_of_birth", "gender", "address", "educational_setting", "gp_practice"):
        page = client.get(reverse("corrections:propose", args=[child.pk, key])).content.decode()
        assert title_matches_heading(page) is None, key
        seen[key] = headings(page)[0]
    for key in ("carer-0-phone", "carer-0-email"):
        page = client.get(reverse("corrections:propose", args=[child.pk, key])).content.decode()
        seen[key] = headings(page)[0]
    assert seen["gp_practice"] == "Correct the GP practice"
    assert seen["carer-0-phone"] == "Correct the phone number of parent or carer 1"
    assert seen["educational_setting"] == "Correct the educational setting"
