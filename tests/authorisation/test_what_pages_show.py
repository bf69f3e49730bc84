"""What each allowed persona SEES, not only whether the page opens: written out from domain.md.

- Shielded: ordinary users see name, gender, date of birth and index number, plus "contact the LA
  team"; address, postcode, carers, school, GP and who works with the child only for the owning LA team.
  Break-glass shows them to the override holder in that one response only.
- Sensitive services: the owning LA team and the practitioner who recorded it; everyone else sees that
  the LA team can broker contact.
- Source identifiers: only staff of the body that issued them (not even the owning LA team otherwise).

Every absence check is paired with a positive marker of the expected page (its h1 or a known string),
so a redirect or an error page cannot pass as "nothing shown".
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from oversight.models import Alert, AlertKind
from tests.authorisation.world import (
    BROKER_NOTICE,
    LOCAL_REFERENCE,
    NHS_NUMBER,
    ORDINARY_PHONE,
    ORDINARY_ROLE,
    SCENARIOS,
    SENSITIVE_NAME,
    SENSITIVE_ROLE,
    SHIELDED_NOTICE,
    ChildMarkers,
    MatrixWorld,
)
from tests.journeys import state_purpose

VIEWERS = ["alice", "bob", "olivia", "lena", "stella"]  # the roles that may view a record, vetted
EVERYONE = set(VIEWERS)
# Who sees each child's record in full (everyone but the owning LA team gets the restricted view of a
# shielded child).
SEES_IN_FULL = {
    "north": EVERYONE,
    "south": EVERYONE,
    "north_shielded": {"lena"},
    "north_sensitive": EVERYONE,
    "north_identified": EVERYONE,
}
# Bob recorded the sensitive involvement; lena is the owning (North) LA team. On the shielded child bob
# has only the restricted view, so he does not see it there.
SEES_SENSITIVE = {"north_shielded": {"lena"}, "north_sensitive": {"lena", "bob"}}
# The NHS number was issued by bob's surgery, the local reference by Northshire Council (lena's employer).
SEES_NHS_NUMBER = {"north_identified": {"bob"}}
SEES_LOCAL_REFERENCE = {"north_identified": {"lena"}, "north_shielded": {"lena"}}
OVERRIDE_HOLDERS = {"olivia"}


def _heading(m: ChildMarkers) -> str:
    return f'<h1 class="govuk-heading-l">{m.name}</h1>'


def _location_and_links(m: ChildMarkers) -> dict[str, str]:
    """What a shielded record hides: where the child is, and who could lead someone there."""
    return {
        "address": m.address_line,
        "postcode": m.postcode,
        "carer": m.carer,
        "carer phone": m.carer_phone,
        "school": m.school,
        "GP": m.gp,
        "involvement": ORDINARY_ROLE,
        "involvement phone": ORDINARY_PHONE,
    }


def _shown(page: str, wanted: dict[str, bool]) -> list[str]:
    return [
        f"{what} {'missing' if should else 'shown'}"
        for what, should in wanted.items()
        if (what in page) != should
    ]


def _record_page(matrix: MatrixWorld, name: str, scenario: str) -> str:
    client = matrix.client(name)
    child = matrix.children[scenario]
    state_purpose(client, child)
    response = client.get(reverse("children:record", args=[child.pk]))
    assert response.status_code == 200, (name, scenario, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("scenario", [s for s, m in SCENARIOS.items() if not (m.archived or m.closed)])
def test_the_record_shows_each_viewer_what_the_rules_allow_after_a_purpose(matrix, scenario):
    m = SCENARIOS[scenario]
    problems = {}
    for name in VIEWERS:
        page = _record_page(matrix, name, scenario)
        full = name in SEES_IN_FULL[scenario]
        sensitive = name in SEES_SENSITIVE.get(scenario, set())
        wanted = {_heading(m): True, formatted(matrix.children[scenario].index_number): True}
        wanted |= {value: full for value in _location_and_links(m).values()}
        wanted |= {
            SHIELDED_NOTICE: not full,
            "Request emergency access": not full and name in OVERRIDE_HOLDERS,
            SENSITIVE_NAME: sensitive,
            SENSITIVE_ROLE: sensitive,
            BROKER_NOTICE: full and m.sensitive and not sensitive,
            NHS_NUMBER: name in SEES_NHS_NUMBER.get(scenario, set()),
            LOCAL_REFERENCE: name in SEES_LOCAL_REFERENCE.get(scenario, set()),
        }
        if found := _shown(page, wanted):
            problems[name] = found
    assert not problems


def test_break_glass_shows_the_shielded_details_in_that_one_response_only(matrix):
    m = SCENARIOS["north_shielded"]
    child = matrix.children["north_shielded"]
    client = matrix.client("olivia")
    hidden = _location_and_links(m)

    form = client.get(reverse("children:override", args=[child.pk])).content.decode()
    assert "Emergency access to a shielded record</h1>" in form
    assert not _shown(form, dict.fromkeys(hidden.values(), False))

    response = client.post(
        reverse("children:override", args=[child.pk]),
        {"reason": "Reported missing overnight", "understood": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="override-warning"' in page
    assert "no-store" in response["Cache-Control"]  # not kept by the browser either
    # the emergency is about where the child is and who works with them: sensitive services stay with
    # the LA team, and source identifiers are not part of it
    wanted = {_heading(m): True, **dict.fromkeys(hidden.values(), True)}
    wanted |= {SENSITIVE_NAME: False, SENSITIVE_ROLE: False, NHS_NUMBER: False, LOCAL_REFERENCE: False}
    assert not _shown(page, wanted)
    assert AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden, child_id=child.pk).count() == 1
    assert Alert.objects.filter(
        local_authority=matrix.world.north, kind=AlertKind.SHIELD_OVERRIDE, child_id=child.pk
    ).exists()

    again = _record_page(matrix, "olivia", "north_shielded")
    assert _heading(m) in again and SHIELDED_NOTICE in again
    assert not _shown(again, dict.fromkeys(hidden.values(), False))


@pytest.mark.parametrize("name", VIEWERS)
def test_the_purpose_page_of_a_shielded_child_shows_nothing_that_locates_it(matrix, name):
    """The name only to whom a search would have shown it (its LA team, or after their own search)."""
    m = SCENARIOS["north_shielded"]
    child = matrix.children["north_shielded"]
    response = matrix.client(name).get(reverse("children:purpose", args=[child.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Why are you looking at this record?" in page
    assert (m.name in page) == (
        name == "lena" or child.involvements.filter(recorded_by__username=name).exists()
    )
    assert not _shown(page, dict.fromkeys(_location_and_links(m).values(), False))


@pytest.mark.parametrize(("name", "sees_sensitive"), [("alice", False), ("bob", True), ("lena", True)])
def test_lead_professional_choices_leave_out_a_sensitive_service_the_person_may_not_see(
    matrix, name, sees_sensitive
):
    child = matrix.children["north_sensitive"]
    client = matrix.client(name)
    state_purpose(client, child)
    response = client.get(reverse("children:lead_professional", args=[child.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Who is the lead professional?" in page and "Alice Example" in page
    assert (SENSITIVE_NAME in page) is sees_sensitive


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_national_auditor_sees_a_childs_access_report_by_index_number_only(matrix, scenario):
    m = SCENARIOS[scenario]
    child = matrix.children[scenario]
    response = matrix.client("nadia").get(reverse("audit:child_access", args=[child.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Index number {formatted(child.index_number)}</h1>" in page
    assert not _shown(
        page, {m.given: False, m.family: False, **dict.fromkeys(_location_and_links(m).values(), False)}
    )


def _search(matrix: MatrixWorld, name: str, **criteria: str) -> str:
    response = matrix.client(name).post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", VIEWERS)
def test_search_finds_a_shielded_child_by_name_and_birth_date_and_shows_nothing_that_locates_it(matrix, name):
    m = SCENARIOS["north_shielded"]
    page = _search(matrix, name, family_name=m.family, dob_day="4", dob_month="3", dob_year="2015")
    assert "1 child found" in page and m.name in page and "Shielded</strong>" in page
    assert not _shown(page, dict.fromkeys(_location_and_links(m).values(), False))


@pytest.mark.parametrize("name", VIEWERS)
def test_a_postcode_search_never_finds_a_shielded_child_not_even_for_its_la_team(matrix, name):
    shielded, ordinary = SCENARIOS["north_shielded"], SCENARIOS["north"]
    page = _search(matrix, name, family_name=shielded.family, postcode=shielded.postcode)
    assert "No children found" in page and shielded.name not in page
    page = _search(matrix, name, family_name=ordinary.family, postcode=ordinary.postcode)
    assert "1 child found" in page and ordinary.name in page


def test_a_purpose_stated_for_one_child_does_not_open_another(matrix):
    client = matrix.client("alice")
    state_purpose(client, matrix.children["north"])
    other = matrix.children["north_sensitive"]
    response = client.get(reverse("children:record", args=[other.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("children:purpose", args=[other.pk])
    assert not AuditEvent.objects.filter(tag=AuditTag.RecordViewed, child_id=other.pk).exists()


def test_no_administration_page_shows_anything_about_a_child(matrix):
    """The directory and national accounts are about organisations and staff: no child's name, address,
    carer, involvement or identifier appears, even on the closing page of the organisation whose staff
    recorded involvements with every child (school and GP names are directory entries, so not markers)."""
    client = matrix.client("simon")
    social_care = matrix.world.north_social_care.pk
    paths = [
        reverse("administration:home"),
        reverse("administration:organisations"),
        reverse("administration:organisation", args=[social_care]),
        reverse("administration:organisation", args=[social_care]) + "?confirm=close",
        reverse("administration:organisation_edit", args=[social_care]),
        reverse("administration:accounts"),
        reverse("administration:account", args=[matrix.users["lena"].pk]),
        reverse("administration:account_invite"),
    ]
    markers = {SENSITIVE_NAME, SENSITIVE_ROLE, ORDINARY_ROLE, ORDINARY_PHONE, NHS_NUMBER, LOCAL_REFERENCE}
    for key, m in SCENARIOS.items():
        child = matrix.children[key]
        markers |= {m.given, m.family, m.address_line, m.postcode, m.carer, m.carer_phone}
        markers |= {child.index_number, formatted(child.index_number)}
    for path in paths:
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200 and "</h1>" in page, path
        shown = sorted(marker for marker in markers if marker in page)
        assert not shown, f"{path} shows {shown}"
    closing = client.get(paths[3]).content.decode()
    assert "current involvements recorded by its staff" in closing  # the page it should be


@pytest.mark.parametrize("name", VIEWERS)
def test_the_correction_pages_of_a_shielded_child_show_nothing_that_locates_it(matrix, name):
    """Asking for a correction offers only the details the person sees; the owning LA team sees them all."""
    m = SCENARIOS["north_shielded"]
    child = matrix.children["north_shielded"]
    client = matrix.client(name)
    state_purpose(client, child)
    pages = [
        client.get(reverse("corrections:choose", args=[child.pk])).content.decode(),
        client.get(reverse("corrections:propose", args=[child.pk, "given_names"])).content.decode(),
    ]
    assert "Which detail is wrong?</h1>" in pages[0] and "Correct the given names</h1>" in pages[1]
    offers_location = reverse("corrections:propose", args=[child.pk, "address"]) in pages[0]
    assert offers_location == (name == "lena")
    if name != "lena":
        for page in pages:
            assert not _shown(page, dict.fromkeys(_location_and_links(m).values(), False))
