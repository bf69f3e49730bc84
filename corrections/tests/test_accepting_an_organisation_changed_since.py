"""A proposed school or GP practice is judged again when the correction is accepted.

The proposing page offered the LA's open schools (or GP practices); the system administrator may since
have closed that organisation, or reclassified it (as a sensitive service, say: a child's record naming
a sexual health clinic as its "GP practice" would show every practitioner what the domain hides from
them). Accepting such a correction wrote it onto the record unchecked. It is now refused in words,
nothing written, the correction left pending for the team to reject.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from children.selectors import child_details
from corrections.models import Correction, CorrectionStatus
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import fresh, raise_via_page
from tests.journeys import signed_in, state_purpose
from tests.pages import without_tokens

REASON = "The school confirmed she moved in September"


def _organisation(world, kind: str, name: str, code: str) -> Organisation:
    return Organisation.objects.create(
        kind=kind,
        name=name,
        code=code,
        local_authority=world.north,
        phone="0300 000 0001",
        email=f"{code.lower()}@example.org",
        accredited_on=date(2020, 1, 1),
    )


FIELDS = {
    "educational_setting": (OrganisationKind.SCHOOL, "Eastfield Academy", "URN-2", "educational setting"),
    "gp_practice": (OrganisationKind.GP_PRACTICE, "Hill Top Surgery", "GP-H", "GP practice"),
}


def _proposed(world, child, field: str) -> tuple[Correction, Organisation]:
    kind, name, code, _ = FIELDS[field]
    organisation = _organisation(world, kind, name, code)
    correction = raise_via_page(
        signed_in(world.alice), child, field, {"value": str(organisation.pk), "reason": REASON}
    )
    return correction, organisation


def _held(child, field: str) -> int | None:
    details = child_details(fresh(child))
    if field == "educational_setting":
        return details.educational_setting.organisation_id if details.educational_setting else None
    return details.gp_practice_id


def _accepted_page(world, correction: Correction) -> str:
    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
    )
    assert response.status_code == 200, "shown again with the refusal"
    return without_tokens(response.content.decode())


@pytest.mark.parametrize("field", list(FIELDS))
def test_accepting_an_organisation_closed_since_it_was_proposed_is_refused_in_words(world, child, field):
    correction, organisation = _proposed(world, child, field)
    before = _held(child, field)
    organisation.closed_on = timezone.localdate()
    organisation.save(update_fields=["closed_on"])
    page = _accepted_page(world, correction)
    assert f"The proposed {FIELDS[field][3]} has closed since this correction was raised" in page
    assert _held(child, field) == before
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


@pytest.mark.parametrize("field", list(FIELDS))
def test_accepting_an_organisation_reclassified_as_a_sensitive_service_is_refused(world, child, field):
    correction, organisation = _proposed(world, child, field)
    before = _held(child, field)
    organisation.kind = OrganisationKind.SENSITIVE
    organisation.save(update_fields=["kind"])
    page = _accepted_page(world, correction)
    article = "an" if field == "educational_setting" else "a"
    assert f"The proposed {FIELDS[field][3]} is no longer listed as {article} {FIELDS[field][3]}" in page
    assert _held(child, field) == before
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


def test_accepting_a_school_the_directory_no_longer_holds_is_refused(world, child):
    correction, organisation = _proposed(world, child, "educational_setting")
    before = _held(child, "educational_setting")
    organisation.delete()  # never done by the directory's pages; a database tidy-up could
    page = _accepted_page(world, correction)
    assert "The proposed educational setting is no longer in the directory" in page
    assert _held(child, "educational_setting") == before
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


@pytest.mark.parametrize("field", list(FIELDS))
def test_accepting_an_organisation_closing_only_on_a_later_day_corrects_the_record(world, child, field):
    correction, organisation = _proposed(world, child, field)
    organisation.closed_on = timezone.localdate() + timedelta(days=30)
    organisation.save(update_fields=["closed_on"])
    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
    )
    assert response.status_code == 302
    assert _held(child, field) == organisation.pk
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED


def test_the_proposing_page_offers_no_closed_school(world, child):
    closed = _organisation(world, OrganisationKind.SCHOOL, "Eastfield Academy", "URN-2")
    closed.closed_on = timezone.localdate()
    closed.save(update_fields=["closed_on"])
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    page = client.get(reverse("corrections:propose", args=[child.pk, "educational_setting"])).content.decode()
    assert "Northshire Primary School" in page and "Eastfield Academy" not in page
    response = client.post(
        reverse("corrections:propose", args=[child.pk, "educational_setting"]),
        {"value": str(closed.pk), "reason": REASON},
    )
    assert "Select the correct educational setting" in response.content.decode()
    assert not Correction.objects.exists()
