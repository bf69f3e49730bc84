"""The world every authorisation test shares: 11 personas and five children with distinctive markers.

Every marker string below appears nowhere else in the world (no persona works for a marker
organisation), so "this string is not on the page" means the page really left it out.
"""

import copy
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, Model
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role, SealedTOTPDevice, User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer, Child, Involvement, RecordStatus
from children.records import (
    Address,
    CarerDetails,
    ChildDetails,
    EducationalSetting,
    Gender,
    InvolvementDetails,
    SensitiveCategory,
    SourceIdentifier,
)
from children.services import child_create, involvement_record
from corrections.models import Complaint, Correction
from disclosure.models import DisclosureExport
from lifecycle.services import child_archive
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.personas import World, make_user


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
PERSONA = {p.name: p for p in PERSONAS}
# The account guard refuses these two on every signed-in page, whatever the page or method.
# How the account guard answers a persona whose vetting fails: a suspended account is refused (and signed
# out); one whose training has lapsed is sent to the course, whose pages alone answer it (training app).
GUARD_REASON = {"suspended": "suspended"}
GUARD_REDIRECT = {"lapsed": "training:course"}

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class ChildMarkers:
    """What one child's record holds, as strings a page either shows or must leave out."""

    given: str
    family: str
    la: str
    address_line: str
    postcode: str
    carer: str
    carer_phone: str
    school: str
    gp: str
    shielded: bool = False
    sensitive: bool = False  # bob (GP, South) recorded a sexual-health involvement
    identified: bool = False  # an NHS number issued by bob's surgery, a local reference issued by North
    archived: bool = False  # archived today by the daily job: in its first year, North's data manager only
    closed: bool = False  # closed by North's team for a new identity (lifecycle.identity): opened by nobody

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


SCENARIOS: dict[str, ChildMarkers] = {
    "north": ChildMarkers(
        "Amelia",
        "Thornton",
        "N",
        "14 Larkspur Mews",
        "LS1 4AB",
        "Grace Thornton",
        "07700 900123",
        "Brackenfold Primary School",
        "Alderhythe Surgery",
    ),
    "south": ChildMarkers(
        "Noah",
        "Begum",
        "S",
        "3 Saltings Walk",
        "SO14 2DF",
        "Rukhsana Begum",
        "07700 900234",
        "Marshgate Infant School",
        "Quayside Medical Centre",
    ),
    "north_shielded": ChildMarkers(
        "Jasmine",
        "Okafor",
        "N",
        "9 Hollowmere Close",
        "LS6 2QT",
        "Perpetua Okafor",
        "07700 900456",
        "Wrenfield Academy",
        "Moorgate Surgery",
        shielded=True,
        sensitive=True,
        identified=True,
    ),
    "north_sensitive": ChildMarkers(
        "Kai",
        "Lindqvist",
        "N",
        "27 Thistledown Road",
        "LS2 7EW",
        "Mara Lindqvist",
        "07700 900567",
        "Copperbeech Primary School",
        "Fellside Surgery",
        sensitive=True,
    ),
    "north_identified": ChildMarkers(
        "Ruby",
        "Achterberg",
        "N",
        "5 Gorsebank Terrace",
        "LS3 1HP",
        "Ilse Achterberg",
        "07700 900678",
        "Ashgill Church School",
        "Kestrel Lane Surgery",
        identified=True,
    ),
    "north_archived": ChildMarkers(
        "Ruth",
        "Achebe",
        "N",
        "11 Cinderford Row",
        "LS4 2BN",
        "Ngozi Achebe",
        "07700 900789",
        "Rowanbrook Primary School",
        "Heatherlea Surgery",
        archived=True,
    ),
    "north_closed": ChildMarkers(
        "Tamsin",
        "Oyelaran",
        "N",
        "6 Brindlecombe Yard",
        "LS5 3JX",
        "Funmi Oyelaran",
        "07700 900891",
        "Sedgeholme Primary School",
        "Larchgate Surgery",
        closed=True,
    ),
}
CHILD_SCENARIOS = list(SCENARIOS)
# An unacknowledged misuse alert in each LA's queue about a practitioner, and one about each LA team
# member themselves (an LA team member can search their own family name too).
ALERT_RAISERS = {"N": "alice", "S": "bob", "N-lena": "lena", "S-stella": "stella"}
# The alerts about LA team members: in the system administrator's queue, as `oversight.misuse` raises them.
NATIONAL_ALERTS = {"N-lena", "S-stella"}

# Involvements: every child has alice's (a current, ordinary one); some have bob's sensitive one.
ORDINARY_ROLE = "Hedgerow family keyworker"
ORDINARY_PHONE = "0113 496 0771"
SENSITIVE_NAME = "Nurse Quillon Abernethy"
SENSITIVE_ROLE = "Sexual health outreach nurse"
BROKER_NOTICE = "The local authority ContactPoint team can broker contact with it"
NHS_NUMBER = "485 777 3456"  # issued by South Street Surgery (bob's organisation)
LOCAL_REFERENCE = "NLA-REF-Q4471"  # issued by Northshire Council (lena's organisation)
SHIELDED_NOTICE = "This record is shielded. Its other details are hidden"


def make_org(kind: str, name: str, la: Organisation | None) -> Organisation:
    code = "".join(word[0] for word in name.split()).upper() + f"-{Organisation.objects.count()}"
    return Organisation.objects.create(
        kind=kind,
        name=name,
        code=code,
        local_authority=la,
        phone="0300 000 0000",
        email=f"{code.lower()}@example.org",
        accredited_on=date(2020, 1, 1),
    )


def _child(world: World, markers: ChildMarkers) -> Child:
    la = world.north if markers.la == "N" else world.south
    school = make_org(OrganisationKind.SCHOOL, markers.school, la)
    gp = make_org(OrganisationKind.GP_PRACTICE, markers.gp, la)
    identifiers = (
        [
            SourceIdentifier("nhs_number", NHS_NUMBER, world.south_gp.pk),
            SourceIdentifier("child_benefit", LOCAL_REFERENCE, world.north.pk),
        ]
        if markers.identified
        else []
    )
    details = ChildDetails(
        given_names=markers.given,
        family_name=markers.family,
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=[markers.address_line, "Leeds"], postcode=markers.postcode),
        educational_setting=EducationalSetting(school.pk, date(2020, 9, 1)),
        gp_practice_id=gp.pk,
        source_identifiers=identifiers,
    )
    carers = [CarerDetails(name=markers.carer, relationship="mother", phone=markers.carer_phone)]
    return child_create(local_authority=la, details=details, carers=carers, shielded=markers.shielded)


@dataclass
class MatrixWorld:
    world: World
    users: dict[str, User]
    children: dict[str, Child]
    involvements: dict[str, Involvement]  # alice's, per scenario
    alerts: dict[str, Alert]  # an unacknowledged alert in each LA's queue
    clients: dict[str, Client] = field(default_factory=dict)
    match_args: dict[str, list[object]] = field(default_factory=dict)  # built once: see test_matrix

    def client(self, name: str) -> Client:
        """One signed-in client per persona per test (signing in is the slow part)."""
        if name not in self.clients:
            self.clients[name] = signed_in(self.users[name])
        return self.clients[name]


def build_matrix_world(world: World) -> MatrixWorld:
    make_user("stella", world.south, Role.LA_TEAM)
    make_user("fiona", world.north, Role.FEED_SOURCE)
    make_user("simon", world.north, Role.SYSTEM_ADMIN)
    users = {u.username: u for u in User.objects.filter(username__in=list(PERSONA))}
    children = {key: _child(world, markers) for key, markers in SCENARIOS.items()}
    involvements = {}
    for key, child in children.items():
        involvements[key] = involvement_record(
            child=child,
            by=world.alice,
            details=InvolvementDetails(
                "Alice Example",
                ORDINARY_ROLE,
                world.north_social_care.pk,
                phone=ORDINARY_PHONE,
                started_on=date(2024, 1, 1),
            ),
        )
        if SCENARIOS[key].sensitive:
            involvement_record(
                child=child,
                by=world.bob,
                details=InvolvementDetails(
                    SENSITIVE_NAME,
                    SENSITIVE_ROLE,
                    world.south_gp.pk,
                    started_on=date(2024, 2, 1),
                    sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
                ),
            )
    for key, child in children.items():
        if SCENARIOS[key].archived:
            child_archive(child_id=child.pk, rule="age", today=timezone.localdate())
            children[key] = Child.objects.get(pk=child.pk)
        if SCENARIOS[key].closed:  # what lifecycle.identity does to the old record (the new one is not here)
            Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
            children[key] = Child.objects.get(pk=child.pk)
    alerts = {
        key: Alert.objects.create(
            local_authority=world.north if key.startswith("N") else world.south,
            kind=AlertKind.OWN_SURNAME_SEARCH,
            raised_by=users[raiser],
            national=key in NATIONAL_ALERTS,
        )
        for key, raiser in ALERT_RAISERS.items()
    }
    return MatrixWorld(world, users, children, involvements, alerts)


# What `state()` compares, part by part: a model and the columns a request could change on it.
_STATE_ROWS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "users": (
        User,
        ("pk", "is_active", "suspended_at", "password", "role", "home_postcode_token", "background_check_on"),
    ),
    "devices": (SealedTOTPDevice, ("pk", "user_id", "confirmed")),
    "children": (Child, ("pk", "shielded", "lead_professional", "caf_completed")),
    "involvements": (Involvement, ("pk", "ceased", "ended_on")),
    "alerts": (Alert, ("pk", "acknowledged_at")),
    "organisations": (
        Organisation,
        ("pk", "name", "code", "closed_on", "working_hours_start", "working_hours_end"),
    ),
    "exports": (DisclosureExport, ("pk", "status", "decided_by", "downloads")),
    "corrections": (Correction, ("pk", "status")),
    "complaints": (Complaint, ("pk", "status")),
}
# Events that are not the page changing anything: a refusal, a sign-out, and the misuse rules' own answer
# to a refusal (a record closed for a new identity tried by id alerts its LA team at once:
# `oversight.misuse.refusal_screen`, proved by oversight/tests/test_closed_record_tried.py).
_NOT_CHANGES = (AuditTag.AccessDenied, AuditTag.LoggedOut, AuditTag.MisuseSuspected)
# Rows the misuse rules write in answer to a refusal (the alert to the team holding a closed record), left
# out of the state a page may not change, as their event is.
_STATE_ROWS_LEFT_OUT = {"alerts": f"kind <> '{AlertKind.CLOSED_RECORD_TRIED.value}'"}


def _as_text(model: type[Model], name: str) -> str:
    """One column of a row as text in SQL; bytes (a keyed token) in hexadecimal, which both databases write."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    assert isinstance(field, Field) and field.column, (model, name)
    column = connection.ops.quote_name(field.column)
    if field.get_internal_type() == "BinaryField":
        column = f"encode({column}, 'hex')" if connection.vendor == "postgresql" else f"lower(hex({column}))"
    return f"COALESCE(CAST({column} AS TEXT), '-')"


def _row_text(model: type[Model], names: tuple[str, ...]) -> str:
    """One SQL expression printing the columns of a row as text, the same way before and after."""
    return " || '|' || ".join(_as_text(model, name) for name in names)


@cache
def _state_sql(full: bool) -> str:
    """Every part of `state()` in one statement: a test makes tens of thousands of attempts, each read
    twice, and on PostgreSQL each statement is a round trip (eleven ORM queries were a third of the
    matrix's time there). Also reads the newest audit event's id, which `attempt` starts from."""
    quote = connection.ops.quote_name
    events = quote(AuditEvent._meta.db_table)
    not_changes = ", ".join(f"'{tag.value}'" for tag in _NOT_CHANGES)
    parts = [
        f"SELECT 'last', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM {events}",  # noqa: S608 (no input)
        f"SELECT 'events', tag || '=' || CAST(COUNT(id) AS TEXT) FROM {events} "  # noqa: S608
        f"WHERE tag NOT IN ({not_changes}) GROUP BY tag",
    ]
    if full:
        parts += [
            f"SELECT '{part}', {_row_text(model, names)} FROM {quote(model._meta.db_table)}"  # noqa: S608
            + (f" WHERE {_STATE_ROWS_LEFT_OUT[part]}" if part in _STATE_ROWS_LEFT_OUT else "")
            for part, (model, names) in _STATE_ROWS.items()
        ]
        parts.append(f"SELECT 'carers', CAST(COUNT(*) AS TEXT) FROM {quote(Carer._meta.db_table)}")  # noqa: S608
    return " UNION ALL ".join(parts)


def _state_and_last(*, full: bool) -> tuple[dict[str, object], int]:
    read: dict[str, list[str]] = {part: [] for part in ("events", *(_STATE_ROWS if full else ()))}
    if full:
        read["carers"] = []
    last = 0
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(full))
        for part, text in cursor.fetchall():
            if part == "last":
                last = int(text)
            else:
                read[part].append(text)
    return {part: sorted(texts) for part, texts in read.items()}, last


def state(*, full: bool = True) -> dict[str, object]:
    """Everything a request could change: compared before and after each attempt.

    Refusals and signing a suspended person out are not changes to the world (they are checked apart).
    Every change writes an audit event in its own transaction, so for a GET the events alone are
    compared (cheaper); for every other method the rows themselves are compared too.
    """
    return _state_and_last(full=full)[0]


@dataclass
class Answer:
    status: int
    location: str
    page: str
    reason: str | None  # the data-reason of a refusal page
    denied_events: list[dict]  # the `additional` of each AccessDenied event written
    changed: list[str]  # which parts of `state()` the request changed
    purposes: dict


def _reason(page: str) -> str | None:
    marker = 'data-reason="'
    start = page.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return page[start : page.index('"', start)]


def attempt(
    client: Client,
    method: str,
    path: str,
    data: dict | None = None,
    *,
    before: object = None,
    rows: bool | None = None,
) -> Answer:
    """Send one request and undo everything it did, so the next attempt starts from the same world.

    `before` runs first inside the same savepoint (e.g. to hold a stated purpose in the session).
    `rows`: compare the rows as well as the audit events (default: for every method but GET).
    """
    rows = method != "GET" if rows is None else rows
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if callable(before):
            before()
        start, last = _state_and_last(full=rows)
        sender = getattr(client, method.lower())
        response: HttpResponse = sender(path, data) if method == "POST" else sender(path)
        page = response.content.decode(errors="replace") if not response.streaming else ""
        denied = list(
            AuditEvent.objects.filter(id__gt=last, tag=AuditTag.AccessDenied).values_list(
                "additional", flat=True
            )
        )
        end = state(full=rows)
        changed = [part for part in start if start[part] != end[part]]
        purposes = (
            client.session.get("view_purposes", {}) if settings.SESSION_COOKIE_NAME in client.cookies else {}
        )
        transaction.set_rollback(True)
    client.cookies = cookies
    return Answer(
        status=response.status_code,
        location=response.get("Location", ""),
        page=page,
        reason=_reason(page) if response.status_code == 403 else None,
        denied_events=denied,
        changed=changed,
        purposes=dict(purposes),
    )
