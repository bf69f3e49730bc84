"""Property-based: no form, query parameter or URL answers a hostile value with a server error.

Hypothesis draws arbitrary text mixed with values known to have broken parsers (huge numbers, the last
day of the calendar, Unicode digits that `isdigit()` accepts and `int()` refuses, NUL, bidi overrides).
Bounded (`max_examples`, no deadline) so it stays quick in `make test`. The Django test client re-raises
any exception a view lets escape, so a would-be 500 fails the test with its traceback.
"""

import inspect
import re
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import accounts.forms
import administration.forms
import children.forms
import corrections.forms
import lifecycle.forms
import linkage.forms
import reports.forms
import team.forms
from accounts.models import Role
from children.records import InvolvementDetails
from children.services import involvement_record
from corrections.fields import CHILD_FIELDS
from disclosure.services import export_request
from tests.journeys import session_copy, session_of, signed_in, state_purpose
from tests.personas import make_user

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "99999999999999999999",
    "-99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "\u00b2",
    "\u0661\u0662",
    "\uff11",
    "-1",
    "0",
    "",
    " ",
    "\x00",
    "a\x00b",
    "1e309",
    "NaN",
    "\u202edemo",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "x" * 5000,
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers().map(str),
    st.dates().map(str),
)
NUMBERS = st.integers(min_value=-(10**22), max_value=10**22).map(str)
DATES = st.dates().map(date.isoformat)


def _strategy(name: str, field: forms.Field | None = None) -> st.SearchStrategy[str]:
    """Arbitrary text, plus values shaped like what the field expects (where parsers break)."""
    if isinstance(field, forms.DateField) or name in ("date_from", "date_to"):
        return st.one_of(DATES, VALUES)
    if name.endswith(("_day", "_month", "_year")) or name in ("page", "user"):
        return st.one_of(NUMBERS, VALUES)
    if name == "child":
        return st.one_of(st.uuids().map(str), VALUES)
    if isinstance(field, forms.ChoiceField) and field.choices:
        choices = [str(value) for value, _ in list(field.choices)]  # type: ignore[arg-type]
        return st.one_of(st.sampled_from(choices), VALUES)
    return VALUES


def _data(fields: dict[str, forms.Field | None]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {}, optional={name: _strategy(name, field) for name, field in fields.items()}
    )


def _with_every_hostile_value(
    test: Callable[..., None], argument: str, names: list[str]
) -> Callable[..., None]:
    """Always try each known-hostile value in every field at once, besides what Hypothesis explores,
    so the regressions the pentest found are run on every run, not only when drawn."""
    for value in HOSTILE:
        test = example(**{argument: dict.fromkeys(names, value)})(test)
    return test


FAST = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _form_cases(world: Any) -> dict[type[forms.Form], Callable[[dict[str, str]], forms.Form]]:
    """How each form is built by its view; every Form class in the project must be here."""
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
    return {
        children.forms.SearchForm: lambda d: children.forms.SearchForm(d),
        children.forms.PurposeForm: lambda d: children.forms.PurposeForm(d),
        # Built as a sensitive service's (every field an ordinary one has, and the basis question).
        children.forms.InvolvementForm: lambda d: children.forms.InvolvementForm(d, ask_basis=True),
        children.forms.CeaseForm: lambda d: children.forms.CeaseForm(d, started_on=date(2024, 1, 1)),
        children.forms.LeadProfessionalForm: lambda d: children.forms.LeadProfessionalForm(
            d, choices=[(str(uuid.uuid4()), "Someone")]
        ),
        children.forms.CafForm: lambda d: children.forms.CafForm(d),
        children.forms.OverrideForm: lambda d: children.forms.OverrideForm(d),
        reports.forms.ReportFilterForm: lambda d: reports.forms.ReportFilterForm(d),
        reports.forms.LookupForm: lambda d: reports.forms.LookupForm(d),
        reports.forms.SubjectAccessForm: lambda d: reports.forms.SubjectAccessForm(d),
        team.forms.InviteForm: lambda d: team.forms.InviteForm(d, local_authority_id=world.north.pk),
        team.forms.SuspendForm: lambda d: team.forms.SuspendForm(d),
        team.forms.HomePostcodeForm: lambda d: team.forms.HomePostcodeForm(d),
        team.forms.BackgroundCheckForm: lambda d: team.forms.BackgroundCheckForm(d, subject=world.alice),
        team.forms.InvitationAddressForm: lambda d: team.forms.InvitationAddressForm(
            d, invitee=world.alice, corrector=world.lena
        ),
        administration.forms.OrganisationForm: lambda d: administration.forms.OrganisationForm(d),
        administration.forms.DirectoryFilterForm: lambda d: administration.forms.DirectoryFilterForm(d),
        administration.forms.NationalInviteForm: lambda d: administration.forms.NationalInviteForm(d),
        team.forms.ExportRequestForm: lambda d: team.forms.ExportRequestForm(
            d, local_authority_id=world.north.pk
        ),
        team.forms.ExportDecisionForm: lambda d: team.forms.ExportDecisionForm(d),
        accounts.forms.SignInForm: lambda d: accounts.forms.SignInForm(request, data=d),
        accounts.forms.CodeForm: lambda d: accounts.forms.CodeForm(d),
        accounts.forms.EnrolmentCodeForm: lambda d: accounts.forms.EnrolmentCodeForm(d),
        accounts.forms.ReauthenticateForm: lambda d: accounts.forms.ReauthenticateForm(d),
        accounts.forms.SetPasswordForm: lambda d: accounts.forms.SetPasswordForm(d, user=world.alice),
        accounts.forms.ChangePasswordForm: lambda d: accounts.forms.ChangePasswordForm(d, user=world.alice),
        # the correction form's inputs depend on the field: the address has the most (every kind: corrections/tests)
        corrections.forms.CorrectionForm: lambda d: corrections.forms.CorrectionForm(
            d, field=next(f for f in CHILD_FIELDS if f.key == "address")
        ),
        corrections.forms.CorrectionDecisionForm: lambda d: corrections.forms.CorrectionDecisionForm(d),
        corrections.forms.ComplaintForm: lambda d: corrections.forms.ComplaintForm(d),
        corrections.forms.ComplaintProgressForm: lambda d: corrections.forms.ComplaintProgressForm(
            d, received_on=date(2026, 11, 2)
        ),
        linkage.forms.MergeFindForm: lambda d: linkage.forms.MergeFindForm(d),
        linkage.forms.MergeConfirmForm: lambda d: linkage.forms.MergeConfirmForm(d),
        linkage.forms.UnmergeForm: lambda d: linkage.forms.UnmergeForm(d),
        lifecycle.forms.ArchiveOpenForm: lambda d: lifecycle.forms.ArchiveOpenForm(d, statutory=True),
        lifecycle.forms.ArchiveFindForm: lambda d: lifecycle.forms.ArchiveFindForm(d),
        lifecycle.forms.TransferRequestForm: lambda d: lifecycle.forms.TransferRequestForm(
            d, local_authorities=[(str(world.south.pk), world.south.name)]
        ),
        lifecycle.forms.TransferDecisionForm: lambda d: lifecycle.forms.TransferDecisionForm(d),
        lifecycle.forms.TransferWithdrawForm: lambda d: lifecycle.forms.TransferWithdrawForm(d),
        lifecycle.forms.AddressStatusForm: lambda d: lifecycle.forms.AddressStatusForm(d),
        lifecycle.forms.NewIdentityForm: lambda d: lifecycle.forms.NewIdentityForm(d),
        lifecycle.forms.ShieldingForm: lambda d: lifecycle.forms.ShieldingForm(d, shielded=False),
        lifecycle.forms.ArchiveAgeForm: lambda d: lifecycle.forms.ArchiveAgeForm(d),
    }


def _project_forms() -> set[type[forms.Form]]:
    found: set[type[forms.Form]] = set()
    for module in (
        accounts.forms,
        team.forms,
        reports.forms,
        children.forms,
        administration.forms,
        corrections.forms,
        linkage.forms,
        lifecycle.forms,
    ):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.Form) and value.__module__ == module.__name__:
                found.add(value)
    return found


def test_every_form_in_the_project_is_covered(world):
    assert _project_forms() == set(_form_cases(world))


def _after_validation(form: forms.Form) -> None:
    """What views call on a valid form, so a value that validates but breaks later is caught too."""
    for method in ("criteria", "period", "organisation_chosen", "details"):
        if form.is_valid() and hasattr(form, method):
            getattr(form, method)()


@pytest.mark.parametrize("form_class", sorted(_project_forms(), key=repr))
def test_no_form_raises_on_any_input(world, form_class):
    build = _form_cases(world)[form_class]
    sample = build({})
    fields: dict[str, forms.Field | None] = dict(sample.fields) or {"anything": None}

    @FAST
    @given(data=_data(fields))
    def check(data: dict[str, str]) -> None:
        form = build(data)
        form.is_valid()
        _after_validation(form)
        assert all(isinstance(error, str) for errors in form.errors.values() for error in errors)

    _with_every_hostile_value(check, "data", list(fields))()


# The audit reports' period filter (GOV.UK date parts, the older ISO form) and paging.
REPORT_FILTERS = [
    "from_day",
    "from_month",
    "from_year",
    "to_day",
    "to_month",
    "to_year",
    "date_from",
    "date_to",
    "page",
]
QUERY_PARAMETERS = {
    "audit:index": ["username", "index_number", "find"],
    "audit:user_activity": REPORT_FILTERS,
    "audit:child_access": REPORT_FILTERS,
    "audit:unexplained": REPORT_FILTERS,
    "audit:export": ["report", "user", "child", *REPORT_FILTERS],
    "children:purpose": ["alert"],
    "team:user": ["confirm"],
    "accounts:reauthenticate": ["next"],
    "accounts:login": ["next"],
    "administration:organisations": ["kind", "name"],
    "administration:organisation": ["confirm"],
    "administration:account": ["confirm"],
    "insight:local": ["months"],
    "insight:local_csv": ["months"],
    "insight:national": ["months"],
    "insight:national_csv": ["months"],
}


def _source_query_parameters() -> set[str]:
    """Every `request.GET.get("name")` and every field of a form built from `request.GET`."""
    names: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text()
        names |= set(re.findall(r'request\.GET\.get\("(\w+)"', text))
        for form_name in re.findall(r"(\w+Form)\(request\.GET", text):
            for module in (reports.forms, children.forms, accounts.forms, team.forms, administration.forms):
                if hasattr(module, form_name):
                    names |= set(getattr(module, form_name).base_fields)
    return names


def test_every_query_parameter_in_the_code_is_covered():
    covered = {name for names in QUERY_PARAMETERS.values() for name in names}
    assert _source_query_parameters() <= covered


@pytest.mark.parametrize("url_name", sorted(QUERY_PARAMETERS))
def test_no_query_parameter_raises_on_any_value(world, child, url_name):
    from django.urls import reverse

    args = {
        "audit:user_activity": [world.alice.pk],
        "audit:child_access": [child.pk],
        "children:purpose": [child.pk],
        "team:user": [world.alice.pk],
        "administration:organisation": [world.north_gp.pk],
        "administration:account": [world.nadia.pk],
    }.get(url_name, [])
    url = reverse(url_name, args=args)
    administrator = url_name.startswith("administration:")
    client = signed_in(make_user("simon", world.north, "system_admin") if administrator else world.lena)
    names = QUERY_PARAMETERS[url_name]

    @settings(FAST, max_examples=25)
    @given(query=_data(dict.fromkeys(names)))
    def check(query: dict[str, str]) -> None:
        response = client.get(url, query)
        assert response.status_code < 500

    _with_every_hostile_value(check, "query", names)()


HUGE_ID = "99999999999999999999"


def _patterns(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry))
    return found


def _paths(route: str, ids: dict[str, str]) -> list[str]:
    """The route with real ids (so forms are reached) and with ids that cannot exist."""
    real = re.sub(r"<(\w+):(\w+)>", lambda m: ids.get(m.group(2), "0"), route)
    ghost = re.sub(
        r"<(\w+):(\w+)>",
        lambda m: {"int": HUGE_ID, "uuid": str(uuid.uuid4())}.get(m.group(1), "%E2%80%AE%00x"),
        route,
    )
    return sorted({"/" + real, "/" + ghost})


def _hostile_bodies() -> list[dict[str, str]]:
    """Every field name any form or query reads: mixed hostile values, then one value in every field."""
    names = sorted({name for form_class in _project_forms() for name in form_class.base_fields})
    names += ["next", "report", "user", "child", "page"]
    mixed = [{name: HOSTILE[(seed + i) % len(HOSTILE)] for i, name in enumerate(names)} for seed in (0, 7)]
    return [*mixed, *(dict.fromkeys(names, value) for value in (HUGE_ID, "9999-12-31", "\u00b2"))]


@pytest.mark.ci_first_core  # two minutes on PostgreSQL: run beside the browser journeys (.ci/run)
def test_every_url_survives_hostile_values(world, child):
    """GET and POST on every URL, as the LA team, a practitioner and an anonymous visitor, with real
    and impossible ids, hostile query strings and hostile form bodies: never a 500."""
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.north_social_care.pk,
            started_on=date(2024, 1, 1),
        ),
    )
    ids = {
        "child_id": str(child.pk),
        "involvement_id": str(involvement.pk),
        "user_id": str(make_user("victim", world.north_school).pk),
        "alert_id": "1",
        "token": "not-a-token",
        "organisation_id": str(world.north_gp.pk),
        "export_id": str(
            export_request(
                by=make_user("leo", world.north, Role.LA_TEAM),
                local_authority=world.north,
                lawful_basis="court_order",
                reference="CO-2026-118",
                children=[child],
                fields=["name"],
            ).pk
        ),
    }
    simon = make_user("simon", world.north, "system_admin")
    # Each signed in once, lena and alice with a purpose stated for the child; every request below gets a
    # fresh copy of that session (some of these pages end sessions or accounts: sign-out, close).
    people = {"lena": world.lena, "alice": world.alice, "simon": simon}
    held = {}
    for name, user in people.items():
        client = signed_in(user)
        if name != "simon":
            state_purpose(client, child)
        held[name] = session_of(client)

    def clients(route: str) -> dict[str, Client]:
        # The administration pages answer the system administrator alone: their forms are reached as them.
        names = ["lena", "alice", "simon"] if route.startswith("administration/") else ["lena", "alice"]
        return {**{name: session_copy(people[name], held[name]) for name in names}, "anonymous": Client()}

    # A copy is as signed in as the original, purpose held: the child's record opens without asking again.
    record = clients("")["alice"].get(reverse("children:record", args=[child.pk]))
    assert record.status_code == 200 and "Thornton" in record.content.decode()

    routes = _patterns(get_resolver().url_patterns)
    assert len(routes) > 30
    for route, _pattern in routes:
        for path in _paths(route, ids):
            for body in _hostile_bodies():
                # Fresh sessions each time: some of these pages end sessions or accounts (sign-out, close).
                for who, client in clients(route).items():
                    got = client.get(path, body)
                    assert got.status_code < 500, (who, "GET", path, got.status_code)
                    posted = client.post(path, body)
                    assert posted.status_code < 500, (who, "POST", path, posted.status_code)
