"""Every URL x every role x (own LA / other LA / shielded / suspended / lapsed training).

The expected outcomes are written out here from the rules in domain.md, not computed by the policy,
so a change in `access/policy.py` that loosens a rule fails this test. A URL added without a row here
fails `test_every_url_has_a_row_in_the_matrix`.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in
from tests.personas import make_child, make_user

OK, REDIRECT, DENIED, NOT_FOUND = 200, 302, 403, 404


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    la: str | None
    status: str = "ok"


PERSONAS = [
    Persona("alice", Role.PRACTITIONER, "N"),
    Persona("bob", Role.PRACTITIONER, "S"),
    Persona("olivia", Role.OVERRIDE_HOLDER, "S"),
    Persona("lena", Role.LA_TEAM, "N"),
    Persona("stella", Role.LA_TEAM, "S"),
    Persona("dara", Role.DATA_MANAGER, "N"),
    Persona("nadia", Role.NATIONAL_AUDITOR, None),
    Persona("fiona", Role.FEED_SOURCE, "N"),
    Persona("simon", Role.SYSTEM_ADMIN, "N"),
    Persona("sam", Role.PRACTITIONER, "N", status="suspended"),
    Persona("tom", Role.PRACTITIONER, "N", status="lapsed"),
]
CHILD_SCENARIOS = ["north", "south", "north_shielded", "north_archived"]
PRACTITIONERS = {Role.PRACTITIONER, Role.OVERRIDE_HOLDER}
VIEWERS = {*PRACTITIONERS, Role.LA_TEAM}
AUDITORS = {Role.LA_TEAM, Role.NATIONAL_AUDITOR}
REVIEWERS = {Role.LA_TEAM, Role.DATA_MANAGER}


def _child_la(scenario: str) -> str:
    return "S" if scenario == "south" else "N"


def _owning_team(p: Persona, scenario: str) -> bool:
    return p.role == Role.LA_TEAM and p.la == _child_la(scenario)


def expected_child(url: str, p: Persona, scenario: str) -> int:
    """Outcome of GET (POST for POST-only) on a child URL without a stated purpose."""
    shielded = scenario == "north_shielded"
    archived = scenario == "north_archived"  # archived today: in its first year
    purpose_first = REDIRECT  # allowed pages first ask for the purpose of access
    if url == "lifecycle:archived_record":  # the archive: North's data manager only, archived records only
        return OK if archived and p.role == Role.DATA_MANAGER and p.la == "N" else DENIED
    if archived and url.startswith("children:"):
        return DENIED  # nobody opens or changes an archived record through the practitioner pages
    if url == "children:purpose":
        return OK if p.role in VIEWERS else DENIED
    if url == "children:record":
        return purpose_first if p.role in VIEWERS else DENIED
    if url == "children:involvement_new":
        return purpose_first if p.role in PRACTITIONERS and not shielded else DENIED
    if url == "children:involvement_end":  # the involvement was recorded by alice
        if _owning_team(p, scenario) or (p.name == "alice" and not shielded):
            return purpose_first
        return DENIED
    if url in ("children:lead_professional", "children:caf"):  # alice is involved with every child
        if _owning_team(p, scenario) or (p.name == "alice" and not shielded):
            return purpose_first
        return DENIED
    if url == "children:override":
        return OK if p.role == Role.OVERRIDE_HOLDER and shielded else DENIED
    if url == "audit:child_access":  # national scope for the auditor, own LA for the LA team
        return OK if p.role == Role.NATIONAL_AUDITOR or _owning_team(p, scenario) else DENIED
    if url == "audit:subject_access":
        return OK if _owning_team(p, scenario) else DENIED
    if url == "audit:subject_access_pdf":  # an empty POST goes back to the request form
        return REDIRECT if _owning_team(p, scenario) else DENIED
    raise AssertionError(f"no rule for {url}")


def expected_other(url: str, p: Persona) -> int:
    """Outcome of GET (POST for POST-only) on a URL that is not about one child."""
    team_own_subject = p.role == Role.LA_TEAM and p.la == "N"  # subject: alice, in North
    rules = {
        "home": REDIRECT,
        "children:search": OK if p.role in VIEWERS else DENIED,
        "accounts:mfa": OK,
        "accounts:mfa_enrol": REDIRECT,
        "accounts:reauthenticate": OK,
        "accounts:passkeys": OK,
        "team:users": OK if p.role == Role.LA_TEAM else DENIED,
        "team:invite": OK if p.role == Role.LA_TEAM else DENIED,
        "oversight:alerts": OK if p.role == Role.LA_TEAM else DENIED,
        # the alert belongs to North: its LA team only; South's LA team is refused as other_la
        "oversight:alert_acknowledge": REDIRECT if team_own_subject else DENIED,
        "team:user": OK if team_own_subject else DENIED,
        "team:suspend": OK if team_own_subject else DENIED,
        "team:reinstate": REDIRECT if team_own_subject else DENIED,
        "team:close": REDIRECT if team_own_subject else DENIED,
        "team:reset_mfa": REDIRECT if team_own_subject else DENIED,
        "audit:index": OK if p.role in AUDITORS else DENIED,
        "audit:unexplained": OK if p.role in AUDITORS else DENIED,
        "audit:export": OK if p.role in AUDITORS else DENIED,
        "audit:user_activity": OK if team_own_subject or p.role == Role.NATIONAL_AUDITOR else DENIED,
        "linkage:reviews": OK if p.role in REVIEWERS else DENIED,
        # the review belongs to North (not a shielded hold): North's LA team and data manager only
        "linkage:review": OK if p.role in REVIEWERS and p.la == "N" else DENIED,
    }
    return rules[url]


OPEN_URLS = {"accounts:login": REDIRECT, "accounts:logout": REDIRECT, "accounts:invitation": NOT_FOUND}
# Passkey JSON endpoints answer in JSON, never redirect: (verified, re-authenticated persona; anonymous).
# Begin returns options; complete without a begun ceremony is refused as invalid state (400).
# Anonymous callers get 403 `not_authenticated` (no passwordless sign-in); the script catalog is public.
PASSKEY_URLS = {
    "accounts:passkey_registration_begin": (OK, DENIED),
    "accounts:passkey_registration_complete": (400, DENIED),
    "accounts:passkey_authentication_begin": (OK, DENIED),
    "accounts:passkey_authentication_complete": (400, DENIED),
    "accounts:passkey_js_catalog": (OK, OK),
}
POST_ONLY = {
    "accounts:logout",
    "team:reinstate",
    "team:close",
    "team:reset_mfa",
    "accounts:passkey_registration_begin",
    "accounts:passkey_registration_complete",
    "accounts:passkey_authentication_begin",
    "accounts:passkey_authentication_complete",
    "audit:subject_access_pdf",
    "oversight:alert_acknowledge",
}
ALERT_URLS = {"oversight:alert_acknowledge"}
REVIEW_URLS = {"linkage:review"}
# The feeds API answers feed sources' bearer tokens only: a browser session is not a token (401),
# whoever holds it; the schema is public. (signed-in persona, anonymous). Token tests: feeds/tests/test_api.py.
API_URLS = {
    "feeds_api:api-root": (NOT_FOUND, NOT_FOUND),
    "feeds_api:openapi-json": (OK, OK),
    "feeds_api:batch_submit": (401, 401),
    "feeds_api:batch_status": (401, 401),
}
SUBJECT_URLS = {
    "team:user",
    "team:suspend",
    "team:reinstate",
    "team:close",
    "team:reset_mfa",
    "audit:user_activity",
}
CHILD_URLS = {
    "children:purpose",
    "children:record",
    "children:involvement_new",
    "children:involvement_end",
    "children:lead_professional",
    "children:caf",
    "children:override",
    "audit:child_access",
    "audit:subject_access",
    "audit:subject_access_pdf",
    "lifecycle:archived_record",
}
OTHER_URLS = {
    "home",
    "children:search",
    "accounts:mfa",
    "accounts:mfa_enrol",
    "accounts:reauthenticate",
    "accounts:passkeys",
    "team:users",
    "team:invite",
    "oversight:alerts",
    "oversight:alert_acknowledge",
    "team:user",
    "team:suspend",
    "team:reinstate",
    "team:close",
    "team:reset_mfa",
    "audit:index",
    "audit:unexplained",
    "audit:export",
    "audit:user_activity",
    "linkage:reviews",
    "linkage:review",
}
SUBJECT_ACCESS_FORM = {"audit:subject_access_pdf": "audit:subject_access"}


def _named_urls(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row_in_the_matrix():
    assert _named_urls(get_resolver().url_patterns) == CHILD_URLS | OTHER_URLS | set(OPEN_URLS) | set(
        PASSKEY_URLS
    ) | set(API_URLS)


@pytest.fixture
def matrix_world(world):
    make_user("stella", world.south, Role.LA_TEAM)
    make_user("fiona", world.north, Role.FEED_SOURCE)
    make_user("simon", world.north, Role.SYSTEM_ADMIN)
    children = {
        "north": make_child(world),
        "south": make_child(world, given_names="Noah", family_name="Begum", la=world.south),
        "north_shielded": make_child(world, given_names="Jasmine", family_name="Okafor", shielded=True),
        "north_archived": make_child(world, given_names="Ruth", family_name="Achebe"),
    }
    involvements = {
        key: involvement_record(
            child=child,
            by=world.alice,
            details=InvolvementDetails(
                "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
            ),
        )
        for key, child in children.items()
    }
    children["north_archived"] = _archived(children["north_archived"])
    return world, children, involvements


def _archived(child):
    """Archived today, as the daily job would (lifecycle.services.child_archive)."""
    from django.utils import timezone

    from children.models import Child, RecordStatus
    from lifecycle.services import child_archive

    child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
    archived = Child.objects.get(pk=child.pk)
    assert archived.status == RecordStatus.ARCHIVED
    return archived


def _north_alert_id(world) -> int:
    """An unacknowledged alert in North's queue (raised by a misuse rule about alice)."""
    from oversight.models import Alert, AlertKind

    return Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    ).pk


def _north_review_id(world):
    """An open clerical review for North's team (a possible match from a feed)."""
    from linkage.linking import LinkDecision, Outcome
    from linkage.models import ReviewReason
    from linkage.services import review_open

    decision = LinkDecision(Outcome.REVIEW, reason=ReviewReason.POSSIBLE_MATCH, review_la_id=world.north.pk)
    return review_open(decision=decision, incoming={"record": {}}, submitted_by=_user(world, "fiona")).pk


def _other_args(world, url_name):
    if url_name in SUBJECT_URLS:
        return [world.alice.pk]
    if url_name in ALERT_URLS:
        return [_north_alert_id(world)]
    if url_name in REVIEW_URLS:
        return [_north_review_id(world)]
    return []


def _user(world, name):
    from accounts.models import User

    return User.objects.get(username=name)


def _outcome_for_status(p: Persona, normal: int) -> int:
    return DENIED if p.status in ("suspended", "lapsed") else normal


def _request(client, url_name, path):
    return client.post(path) if url_name in POST_ONLY else client.get(path)


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
@pytest.mark.parametrize("scenario", CHILD_SCENARIOS)
@pytest.mark.parametrize("url_name", sorted(CHILD_URLS))
def test_child_url_outcomes(matrix_world, persona, scenario, url_name):
    world, children, involvements = matrix_world
    child = children[scenario]
    args = [child.pk, involvements[scenario].pk] if url_name == "children:involvement_end" else [child.pk]
    path = reverse(url_name, args=args)
    client = signed_in(_user(world, persona.name))
    response = _request(client, url_name, path)
    expected = _outcome_for_status(persona, expected_child(url_name, persona, scenario))
    assert response.status_code == expected, (url_name, persona.name, scenario, response.status_code)
    if expected == REDIRECT:
        back_to = SUBJECT_ACCESS_FORM.get(url_name, "children:purpose")
        assert response["Location"] == reverse(back_to, args=[child.pk])


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
@pytest.mark.parametrize("url_name", sorted(OTHER_URLS))
def test_other_url_outcomes(matrix_world, persona, url_name):
    world, _, _ = matrix_world
    path = reverse(url_name, args=_other_args(world, url_name))
    client = signed_in(_user(world, persona.name))
    response = _request(client, url_name, path)
    expected = _outcome_for_status(persona, expected_other(url_name, persona))
    assert response.status_code == expected, (url_name, persona.name, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
@pytest.mark.parametrize("url_name", sorted(OPEN_URLS))
def test_open_url_outcomes(matrix_world, persona, url_name):
    world, _, _ = matrix_world
    path = reverse(url_name, args=["not-a-real-token"] if url_name == "accounts:invitation" else [])
    response = _request(signed_in(_user(world, persona.name)), url_name, path)
    assert response.status_code == OPEN_URLS[url_name]


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
@pytest.mark.parametrize("url_name", sorted(PASSKEY_URLS))
def test_passkey_url_outcomes(matrix_world, persona, url_name):
    world, _, _ = matrix_world
    response = _request(signed_in(_user(world, persona.name)), url_name, reverse(url_name))
    expected = _outcome_for_status(persona, PASSKEY_URLS[url_name][0])
    assert response.status_code == expected, (url_name, persona.name, response.status_code)


@pytest.mark.parametrize("url_name", sorted(PASSKEY_URLS))
def test_anonymous_visitors_cannot_use_passkey_endpoints(matrix_world, client, url_name):
    response = _request(client, url_name, reverse(url_name))
    assert response.status_code == PASSKEY_URLS[url_name][1]


@pytest.mark.parametrize("url_name", sorted(CHILD_URLS | OTHER_URLS - {"home"}))
def test_anonymous_visitors_are_sent_to_sign_in(matrix_world, client, url_name):
    world, children, involvements = matrix_world
    if url_name in CHILD_URLS:
        args = [children["north"].pk] + (
            [involvements["north"].pk] if url_name == "children:involvement_end" else []
        )
    else:
        args = _other_args(world, url_name)
    response = _request(client, url_name, reverse(url_name, args=args))
    assert response.status_code == REDIRECT
    assert response["Location"].startswith(reverse("accounts:login"))


def _api_args(url_name):
    return ["b-1"] if url_name in ("feeds_api:batch_submit", "feeds_api:batch_status") else []


def _api_request(client, url_name):
    path = reverse(url_name, args=_api_args(url_name))
    if url_name == "feeds_api:batch_submit":
        return client.post(path, data='{"rows": []}', content_type="application/json")
    return client.get(path)


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
@pytest.mark.parametrize("url_name", sorted(API_URLS))
def test_api_url_outcomes(matrix_world, persona, url_name):
    world, _, _ = matrix_world
    response = _api_request(signed_in(_user(world, persona.name)), url_name)
    expected = _outcome_for_status(persona, API_URLS[url_name][0])
    assert response.status_code == expected, (url_name, persona.name, response.status_code)


@pytest.mark.parametrize("url_name", sorted(API_URLS))
def test_anonymous_callers_of_the_feeds_api_need_a_token(matrix_world, client, url_name):
    assert _api_request(client, url_name).status_code == API_URLS[url_name][1]
