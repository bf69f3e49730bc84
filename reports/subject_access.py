"""Subject access: what ContactPoint holds about a child, and every access to it (issue 5, part C).

Raised by the LA team of the child's LA after it has checked the requester's identity (the form
asks for that confirmation and a case reference). The same report object feeds the HTML page (the LA
team's working copy) and the PDF (the disclosure copy), so what is handed over is what was reviewed.

Rules, chosen here and documented in docs/AUDIT.md:
- **No individual staff names**, in the access list or in the services involved: each entry shows the
  date, the organisation, the role and the stated purpose. Practitioners act for their organisation,
  which is the point of contact; their names are third-party data.
- **Merged records**: the access list includes the entries filed under the ids of every record this one
  carries on (`reports.reports.record_ids`: records merged into it, directly or through a chain of
  merges, and the old id of a record an unmerge gave back), so a merge does not lose who looked at the
  child. Corrections decided on a record merged into this one are kept sealed with the merge, not on
  this record: they are listed too.
- **Searches count as accesses**: a search that returned the child showed their name, date of birth
  and gender, so each appearance in results is listed ("Appeared in search results").
- **Covert-enquiry rule** (on by default, the LA team may switch it off per request): when a police
  officer viewed the record with the purpose "safeguarding", that view is withheld, and with it every
  other entry by the same officer for this child (their searches, refusals, overrides), because any of
  them would reveal the enquiry, and the LA team's work on a correction the officer asked for (opening,
  deciding, the record update it made). An involvement the officer recorded is withheld from the
  services section too, with anyone's entries about it (ending it, naming it lead professional) and the
  automatic entries of the matches it made: listed, it named the force, the role and when it began. A
  disclosure downloaded for the prevention or detection of crime, and an archived record opened on that
  statutory reason (with the data manager's look-up of it just before), are part of an enquiry too,
  whoever made them. The number withheld is shown to the LA team on the page only, never
  in the PDF. Switching the rule off discloses the enquiry to the requester: the production's audit
  event says the rule was switched off and how many of the enquiry's entries went into the report.
- **Shielded child**: shielding exists because someone could harm the child if they knew where the
  child is, and the requester may be that person. Any organisation that touched the record can locate
  the child (the school, the GP, the police force that broke the glass, the service that viewed it),
  so for a shielded child every organisation is shown only by its kind ("A police force"), and the
  location fields of what is held (address, educational setting, GP practice, the parents and carers
  (who the child lives with finds the child, as the disclosure export and the archive page hold),
  involved organisations) are replaced by "Withheld: shielded record". Break-glass overrides are
  listed (date, kind, role) because the fact of emergency access is not locating; who did it is.
  The child's names, current and former, are withheld too, whatever they are: a family that changed its
  name to escape is found by the new one, and withholding only a changed name would say there was one
  (the LA team's page shows them, marked as not in the PDF, to match the request to the child); so is
  the value proposed by a correction to a name. Each service's role is withheld (it is typed freely: "GP
  at South Street Surgery, Harehills"), its organisation shown by kind. Entries telling of a move (a
  transfer between LAs asked, decided or read, an address statement recorded) are left out of the
  access list and counted for the LA team; every shielded child's report says, in the same words
  whether or not any was left out, that such entries are not listed.
  A source identifier that encodes where the child is (the unique pupil number carries the LA number
  and the school's establishment number) is withheld with the location fields, saying why.
- **Shielded family members**: a child who is not shielded is named on an LA team's brokering page only
  because a match with a shielded family member needs brokering; those entries would name the LA that
  holds the shielded child (and say that someone works with that child), so they are withheld from a
  non-shielded child's report and counted for the LA team only; so are the entries about a match whose
  other child is shielded now, held or withdrawn (a withdrawal is filed under both children).
- **Source identifiers** (NHS number, pupil number, benefit reference) are the child's own data, so the
  disclosure copy (PDF) includes them. On the page, the LA team's working copy, each is shown only to
  staff of the body that issued it (the record page's rule, `access.policy.visibility`), and otherwise
  reads "In the disclosure copy only": preparing a report must not become a way round that rule.
- **Corrections and complaints** about the child are listed: each correction's detail, who asked
  (organisation only), the value proposed, and the decision with its date and any reason for rejecting
  it; each complaint's dates, who complained (as a category), its summary, status and outcome. For a
  shielded child, a correction to a location detail shows "Withheld: shielded record" in place of the
  values, as the record itself does; so do a complaint's summary and what was decided, and the reason for
  rejecting a correction, typed freely by the LA team ("she now attends Fernbank Primary"), on the LA
  team's page shown marked as not in the PDF. A correction raised by a police officer whose enquiry is withheld
  under the covert-enquiry rule is withheld with it (and counted there).
- **Sensitive services** (sexual health, mental health, substance misuse) are recorded only with
  consent or under a significant-harm test; disclosing them to a parent could harm the child, so they
  are withheld from the report and counted for the LA team only, to review under the consent rules.
  That covers everything that would give one away: its involvement, its staff's accesses, the
  corrections its staff asked for, the automatic match entries (a practitioner told about another,
  a match withheld, a lead professional offered or accepted) of any match with a sensitive side, and
  anyone's entries about the service or such a correction (the LA team ending the involvement, naming
  it lead professional or clearing that naming; opening, deciding and applying the correction): listed,
  they tell the requester that something the report does not show exists, and when it was dealt with.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from access.policy import SUBJECT_ACCESS_VISIBILITY, involvement_visible, visibility
from accounts.models import Organisation, OrganisationKind, User
from audit.models import AuditEvent, SearchAppearance
from audit.services import event_record
from audit.tags import AuditTag, tag_label
from children.index_number import formatted
from children.models import ARCHIVE_AGE_DEFAULT, Child, Involvement, RecordStatus
from children.purposes import PURPOSE_LABELS
from children.records import AddressStatus, Gender, ReturnIntention
from children.selectors import ChildRecordView, child_record
from children.templatetags.records import source_scheme_label
from coordination.models import Match
from coordination.sensitivity import involvement_sensitive
from corrections.fields import field_for, value_text
from corrections.models import CorrectionStatus
from corrections.selectors import complaints_of, corrections_of
from disclosure.models import LawfulBasis
from lifecycle.rules import archive_age_in_force
from lifecycle.viewing import ARCHIVE_PURPOSE_LABELS
from linkage.merging import decided_corrections_kept
from linkage.models import CarriedIdentity
from oversight.misuse import view_screen
from reports.reports import record_ids, role_at_event
from vault.sealing import Sealer, note_seal

WITHHELD_SHIELDED = "Withheld: shielded record"
COVERT_PURPOSE = "safeguarding"
# The statutory reason for opening an archive that is part of a police enquiry (`_crime_archive_openings`),
# one of `lifecycle.viewing.STATUTORY_REASON_CHOICES` (pinned by a test).
CRIME_STATUTORY_REASON = "crime"
APPEARED_IN_SEARCH = "Appeared in search results"
SCREEN_ONLY_IN_DISCLOSURE = (
    "In the disclosure copy (PDF) only: shown on screen only to the body that issued it"
)
SCREEN_ONLY_NOT_IN_DISCLOSURE = f"Not in the disclosure copy (PDF), which reads {WITHHELD_SHIELDED}"
# Said in every shielded child's report, whether or not any such entry exists, so it tells of no move.
SHIELDED_MOVES_NOT_LISTED = (
    "The record is shielded: entries that would show where the child lives or has moved to, such as a "
    "move to another local authority or a new address, and corrections of the child's names or of where "
    "the child lives, are not listed."
)
# Source identifiers whose value says where the child is: withheld for a shielded child, with the reason.
LOCATING_SCHEMES = {"upn": "the number identifies the local authority and school"}
# Automatic entries about a match (coordination): withheld when the match has a sensitive side, as is a
# read of a matches inbox that named the child for such a match (`AuditTag.InboxChildShown`).
MATCH_TAGS = frozenset(
    {
        AuditTag.MatchNotified,
        AuditTag.MatchWithheld,
        AuditTag.MatchWithdrawn,
        AuditTag.LeadProfessionalProposed,
        AuditTag.LeadProfessionalAccepted,
    }
)

# A shielded child's names: the current one finds a family that changed its name to escape, and a former
# one beside it links the two (search and the restricted record view withhold former names).
NAME_FIELDS = frozenset({"given_names", "family_name"})
# Entries that tell of a shielded child moving, and when: between LAs (asked, accepted, declined,
# withdrawn, or a team reading the request), or to a new address statement.
SHIELDED_MOVE_TAGS = frozenset(
    {
        AuditTag.TransferRequested,
        AuditTag.TransferAccepted,
        AuditTag.TransferDeclined,
        AuditTag.TransferWithdrawn,
        AuditTag.TransferViewed,
        AuditTag.TransfersListed,
        AuditTag.AddressStatusRecorded,
    }
)

KIND_PHRASES = {
    OrganisationKind.LOCAL_AUTHORITY: "A local authority",
    OrganisationKind.SCHOOL: "An educational setting",
    OrganisationKind.GP_PRACTICE: "A GP practice",
    OrganisationKind.HEALTH: "A health service",
    OrganisationKind.SOCIAL_CARE: "A children's social care service",
    OrganisationKind.POLICE: "A police force",
    OrganisationKind.YOUTH: "A youth service",
    OrganisationKind.SENSITIVE: "A specialist service",
    OrganisationKind.NATIONAL: "A national body",
}


@dataclass(frozen=True)
class HeldSection:
    """`rows` go to the requester (PDF); `screen_rows`, where given, are what staff see on the page."""

    heading: str
    rows: list[tuple[str, str]]
    screen_rows: list[tuple[str, str]] | None = None

    @property
    def on_screen(self) -> list[tuple[str, str]]:
        return self.rows if self.screen_rows is None else self.screen_rows


@dataclass(frozen=True)
class AccessEntry:
    occurred_at: datetime
    description: str
    organisation: str
    role: str
    purpose: str


@dataclass(frozen=True)
class CorrectionEntry:
    """A correction asked for: `proposed` reads WITHHELD_SHIELDED where the record hides it, and
    `why_rejected` (typed freely by the LA team) for any rejection of a shielded child's correction;
    `screen_why_rejected`, where given, is what staff see on the page (as `ComplaintEntry`)."""

    asked_on: date
    detail: str
    asked_by: str
    proposed: str
    decision: str
    decided_on: date | None
    why_rejected: str
    screen_why_rejected: str | None = None

    @property
    def why_rejected_on_screen(self) -> str:
        return self.why_rejected if self.screen_why_rejected is None else self.screen_why_rejected


@dataclass(frozen=True)
class ComplaintEntry:
    """A complaint: `summary` and `outcome_detail` go to the requester (PDF), the `screen_` ones, where
    given, are what staff see on the page (as `HeldSection.screen_rows`)."""

    received_on: date
    complainant: str
    about: str
    summary: str
    status: str
    acknowledged_on: date | None
    outcome: str
    outcome_on: date | None
    outcome_detail: str
    screen_summary: str | None = None
    screen_outcome_detail: str | None = None

    @property
    def summary_on_screen(self) -> str:
        return self.summary if self.screen_summary is None else self.screen_summary

    @property
    def outcome_detail_on_screen(self) -> str:
        return self.outcome_detail if self.screen_outcome_detail is None else self.screen_outcome_detail


@dataclass
class SubjectAccessReport:
    index_number: str
    reference: str
    produced_at: datetime
    shielded: bool
    held: list[HeldSection] = field(default_factory=list)
    accesses: list[AccessEntry] = field(default_factory=list)
    corrections: list[CorrectionEntry] = field(default_factory=list)
    complaints: list[ComplaintEntry] = field(default_factory=list)
    withheld_covert: int = 0
    # The covert-enquiry rule as asked for; with it off, how many of an enquiry's entries the report holds.
    covert_rule_applied: bool = True
    covert_disclosed: int = 0
    withheld_sensitive: int = 0
    # Access entries by a withheld sensitive service (its recording, views, searches): listing them would
    # name the service the report withholds.
    withheld_sensitive_accesses: int = 0
    # Corrections asked for by a withheld sensitive service's staff: "Asked by" would name the service.
    withheld_sensitive_corrections: int = 0
    # Entries that exist only because of a shielded family member (the brokering page naming this child).
    withheld_third_party: int = 0
    # A shielded child's entries telling of a move (`SHIELDED_MOVE_TAGS`).
    withheld_shielded_moves: int = 0
    # A shielded child's corrections of its names or of where it lives (`_corrections`), and their entries
    # in the access list.
    withheld_shielded_corrections: int = 0
    withheld_shielded_correction_entries: int = 0

    @property
    def moves_not_listed(self) -> str:
        """What both copies say of a shielded child's moves: the same words, whether any was withheld."""
        return SHIELDED_MOVES_NOT_LISTED if self.shielded else ""


def _day(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _namer(shielded: bool) -> Callable[[Organisation | None], str]:
    def name(organisation: Organisation | None) -> str:
        if organisation is None:
            return "ContactPoint (automatic)"
        if shielded:
            return KIND_PHRASES.get(OrganisationKind(organisation.kind), "An organisation")
        return organisation.name

    return name


def _held(
    view: ChildRecordView,
    *,
    shielded: bool,
    screen_issuer_ids: frozenset[int],
    covert_recorders: frozenset[int] = frozenset(),
) -> tuple[list[HeldSection], int, int]:
    """What is held, by section; returns the sections and how many sensitive involvements, and how many
    involvements of a withheld police enquiry (recorded by one of `covert_recorders`), were withheld.

    Source identifiers appear on screen only where `screen_issuer_ids` holds their issuer. An officer
    whose safeguarding enquiry the covert rule withholds is withheld everywhere: their involvement,
    listed, would name the force, the role and when the enquiry began.
    """
    details = view.details
    org_name = _namer(shielded)
    genders = dict(Gender.CHOICES)
    if shielded:
        address = WITHHELD_SHIELDED
    elif details.address.status == AddressStatus.KNOWN:
        address = ", ".join([*details.address.lines, details.address.postcode or ""]).strip(", ")
    elif details.address.status == AddressStatus.LEFT_ENGLAND:
        intention = ReturnIntention.LABELS.get(details.address.return_intention or "", "")
        address = f"Left England. {intention}".strip()
    else:
        address = "No known address"
    names = [
        ("Name", details.full_name),
        (
            "Former names",
            "; ".join(f"{f.given_names} {f.family_name}" for f in details.former_names) or "None",
        ),
    ]
    child_rows = [(label, WITHHELD_SHIELDED) for label, _ in names] if shielded else list(names)
    child_rows += [
        ("Gender", genders.get(details.gender, "Not specified")),
        ("Date of birth", _day(details.date_of_birth)),
        ("Address", address),
        # Kept so a search on an old address still finds the child (children.records.FORMER_POSTCODES_KEPT).
        (
            "Previous postcodes",
            WITHHELD_SHIELDED if shielded else "; ".join(details.former_postcodes) or "None",
        ),
        ("Index number", formatted(view.child.index_number)),
        ("Local authority", org_name(view.organisation(view.child.local_authority_id))),
        ("Common Assessment (CAF) completed", "Yes" if details.caf_completed else "No"),
    ]
    if view.child.status != RecordStatus.CLOSED:  # a record closed for a new identity is never archived
        child_rows.append(("Archived at the age of", _archive_age(view.child)))
    if details.date_of_death:
        child_rows.append(("Date of death", _day(details.date_of_death)))
    screen_rows = list(child_rows)
    if shielded:  # the LA team matches the request to the child by name: on its page, marked
        screen_rows[: len(names)] = [
            (label, f"{value}. {SCREEN_ONLY_NOT_IN_DISCLOSURE}") for label, value in names
        ]
    for identifier in details.source_identifiers:
        label = source_scheme_label(identifier.scheme)
        if shielded and identifier.scheme in LOCATING_SCHEMES:
            withheld = f"{WITHHELD_SHIELDED} ({LOCATING_SCHEMES[identifier.scheme]})"
            child_rows.append((label, withheld))
            screen_rows.append((label, withheld))
            continue
        child_rows.append((label, identifier.value))
        shown = identifier.issuer_id in screen_issuer_ids
        screen_rows.append((label, identifier.value if shown else SCREEN_ONLY_IN_DISCLOSURE))
    sections = [HeldSection("The child", child_rows, screen_rows)]

    carer_rows: list[tuple[str, str]] = []
    if shielded and view.carers:
        # Who a shielded child lives with (a foster or adoptive placement, a parent's new partner or new
        # name) finds the child: withheld whole, as the disclosure export and the archive page withhold it.
        carer_rows.append(("Recorded", WITHHELD_SHIELDED))
    for carer in [] if shielded else view.carers:
        responsibility = " (parental responsibility)" if carer.parental_responsibility else ""
        carer_rows.append((carer.relationship.capitalize(), f"{carer.name}{responsibility}"))
        for label, value in (("Phone", carer.phone), ("Email", carer.email), ("Address", carer.address)):
            if value:
                carer_rows.append((label, value))
    sections.append(HeldSection("Parents and carers", carer_rows or [("Recorded", "None")]))

    setting = details.educational_setting
    school = view.organisation(setting.organisation_id) if setting else None
    places = [
        (
            "Educational setting",
            WITHHELD_SHIELDED if shielded and school else (school.name if school else "None"),
        ),
        ("Attending since", "" if shielded or not setting else _day(setting.started_on)),
        ("GP practice", _gp(view, shielded=shielded)),
    ]
    sections.append(HeldSection("Educational setting and GP", [(k, v) for k, v in places if v]))

    services: list[tuple[str, str]] = []
    sensitive = covert = 0
    for item in view.involvements:
        if not involvement_visible(seen=SUBJECT_ACCESS_VISIBILITY, item=item):
            sensitive += 1
            continue
        if item.involvement.recorded_by_id in covert_recorders:
            covert += 1
            continue
        when = f"from {_day(item.details.started_on) or 'an unknown date'}"
        if item.details.ended_on:
            when += f" to {_day(item.details.ended_on)}"
        lead = ", lead professional" if item.id == details.lead_professional_id else ""
        # A role is typed freely ("GP at South Street Surgery, Harehills"): it may name where the child is.
        role = WITHHELD_SHIELDED if shielded else item.details.role
        services.append((role, f"{org_name(item.organisation)}, {when}{lead}"))
    sections.append(HeldSection("Services working with the child", services or [("Recorded", "None")]))
    return sections, sensitive, covert


def _archive_age(child: Child) -> str:
    """The archive age that applies: a consented one above 18 (a care leaver's, or with special educational
    needs) is data held about the young person and decides when the record leaves the index."""
    age = archive_age_in_force(child.archive_age)
    return str(age) if age == ARCHIVE_AGE_DEFAULT else f"{age}, with consent (usually {ARCHIVE_AGE_DEFAULT})"


def _gp(view: ChildRecordView, *, shielded: bool) -> str:
    gp = view.organisation(view.details.gp_practice_id)
    if gp is None:
        return "None"
    return WITHHELD_SHIELDED if shielded else gp.name


def _sensitive_overriders(
    events: list[AuditEvent], organisations: dict[int, Organisation], sensitive_actors: frozenset[int]
) -> frozenset[int]:
    """The people whose emergency access to this child is withheld as a sensitive service's entry (the
    recorder of a sensitive involvement of the child, or staff of a sensitive-services organisation when
    they opened it): the read of the alert about it tells of the same service (`_Withholding.reason`)."""
    return frozenset(
        e.actor_id
        for e in events
        if e.tag == AuditTag.ShieldOverridden
        and e.actor_id is not None
        and (e.actor_id in sensitive_actors or _is_sensitive_org(organisations.get(e.organisation_id or 0)))
    )


def _covert_actors(events: list[AuditEvent], organisations: dict[int, Organisation]) -> set[int]:
    """Police officers whose safeguarding view of this child is an enquiry that may be covert."""
    return {
        e.actor_id
        for e in events
        if e.tag == AuditTag.RecordViewed
        and e.additional.get("purpose") == COVERT_PURPOSE
        and e.actor_id is not None
        and e.organisation_id in organisations
        and organisations[e.organisation_id].kind == OrganisationKind.POLICE
    }


def _purpose(event: AuditEvent) -> str:
    if event.tag == AuditTag.ShieldOverridden:
        return "Emergency access to a shielded record"
    purpose = event.additional.get("purpose", "")
    if event.tag == AuditTag.ArchivedRecordViewed:
        return ARCHIVE_PURPOSE_LABELS.get(purpose, purpose)
    if event.tag == AuditTag.DisclosureExportDownloaded:  # the lawful basis is the purpose of a disclosure
        basis = event.additional.get("lawful_basis", "")
        return f"Disclosure: {LawfulBasis(basis).label}" if basis in LawfulBasis.values else "Disclosure"
    return PURPOSE_LABELS.get(purpose, purpose)


@dataclass(frozen=True)
class _Withholding:
    """Who and what the access list withholds for this report (see the module's rules)."""

    covert: set[int]  # police officers whose enquiry may be covert, withheld
    covert_disclosed: set[int]  # the same officers when the LA team switched the covert rule off
    sensitive_actors: frozenset[int]  # recorders of the child's sensitive involvements
    sensitive_matches: set[int]  # matches with a sensitive side
    shielded: bool
    # Ids of the child's sensitive involvements: anyone's entry about one (the LA team ending it, naming it
    # lead professional) tells of the service the report withholds.
    sensitive_involvements: frozenset[str] = frozenset()
    # The LA team's entries clearing a lead professional naming whose last naming was of a sensitive
    # involvement (`_sensitive_lead_clearings`): they name no involvement, but tell of the one withheld.
    sensitive_lead_clearings: frozenset[int] = frozenset()
    # The corrections the report withholds (id -> "covert" or "sensitive"): the LA team's work on one
    # (opening, deciding, the record update it made) tells of a correction the report does not list.
    corrections: dict[str, str] = field(default_factory=dict)
    # The covert enquiry's corrections listed because the rule was switched off (counted as disclosed).
    corrections_disclosed: frozenset[str] = frozenset()
    # Matches whose other child is a shielded family member (`_shielded_family_matches`).
    shielded_family_matches: set[int] = field(default_factory=set)
    # Record updates written by accepting a correction (event id -> correction id): the update's event
    # names no correction, but it is the accepting person's entry just before the acceptance's.
    updates: dict[int, str] = field(default_factory=dict)
    # What tells of a covert enquiry besides the officer's own entries: anyone's entry naming one of the
    # officer's involvements (the LA team ending it, naming it lead professional, or clearing that naming),
    # and the automatic entries of a match with the officer's involvement ("Told a practitioner about
    # another practitioner"). Withheld under the rule, counted as disclosed with it switched off.
    withhold_covert: bool = True
    covert_involvements: frozenset[str] = frozenset()
    covert_lead_clearings: frozenset[int] = frozenset()
    covert_matches: frozenset[int] = frozenset()
    # Whose emergency access to this child a sensitive service's entry records (`_sensitive_overriders`):
    # the LA team's read of the alert about it names them (`raised_by_ids`) and tells of that service.
    sensitive_overriders: frozenset[int] = frozenset()
    # Archive openings for the prevention or detection of crime, with the look-ups leading to each
    # (`_crime_archive_openings`): part of the covert enquiry, as a disclosure on that basis is.
    crime_archive_openings: frozenset[int] = frozenset()

    def correction_of(self, event: AuditEvent) -> str:
        """The correction an entry is about ("" if none): named in it, or the one whose acceptance wrote it."""
        named = event.additional.get("correction_id")
        return str(named) if named else self.updates.get(event.pk, "")

    def about_covert_enquiry(self, event: AuditEvent) -> bool:
        """Does this entry, by anyone, tell of an officer's involvement in a covert enquiry? The LA team's
        read of the alert queue names whose emergency access it read (`raised_by_ids`): one by such an
        officer tells of it as their own entry does. So does a disclosure downloaded for the prevention or
        detection of crime, and an archived record opened on that statutory reason, with the data
        manager's look-up of it just before (`_crime_archive_openings`)."""
        return (
            str(event.additional.get("involvement_id")) in self.covert_involvements
            or event.pk in self.covert_lead_clearings
            # A disclosure for the prevention or detection of crime tells of an enquiry as surely as the
            # officer's own views: listed, it tips the family off (the same exemption as the rule's).
            or (
                event.tag == AuditTag.DisclosureExportDownloaded
                and event.additional.get("lawful_basis") == LawfulBasis.CRIME
            )
            or event.pk in self.crime_archive_openings
            or bool(set(_match_ids(event)) & self.covert_matches)
            or (
                event.tag == AuditTag.AlertsViewed
                and bool(
                    set(event.additional.get("raised_by_ids") or []) & (self.covert | self.covert_disclosed)
                )
            )
        )

    def disclosed(self, event: AuditEvent) -> bool:
        """Is this listed entry part of a covert enquiry, listed because the rule was switched off?"""
        return (
            event.actor_id in self.covert_disclosed
            or self.correction_of(event) in self.corrections_disclosed
            or (not self.withhold_covert and self.about_covert_enquiry(event))
        )

    def reason(self, event: AuditEvent, organisation: Organisation | None) -> str:
        """Why the entry is withheld ("covert", "sensitive", "third_party", "shielded_move" or
        "shielded_correction"); "" if the requester is told of it."""
        if event.actor_id in self.covert:
            return "covert"
        if event.actor_id in self.sensitive_actors or _is_sensitive_org(organisation):
            return "sensitive"
        if set(_match_ids(event)) & self.sensitive_matches:
            return "sensitive"
        if str(event.additional.get("involvement_id")) in self.sensitive_involvements:
            return "sensitive"
        if event.pk in self.sensitive_lead_clearings:
            return "sensitive"
        if event.tag == AuditTag.AlertsViewed and (
            set(event.additional.get("raised_by_ids") or []) & self.sensitive_overriders
        ):
            return "sensitive"
        if correction := self.corrections.get(self.correction_of(event)):
            return correction
        if self.withhold_covert and self.about_covert_enquiry(event):
            return "covert"
        if event.tag == AuditTag.BrokeringChildShown and not self.shielded:
            return "third_party"
        if set(_match_ids(event)) & self.shielded_family_matches and not self.shielded:
            return "third_party"
        if event.tag in SHIELDED_MOVE_TAGS and self.shielded:
            return "shielded_move"
        return ""


def _is_sensitive_org(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.kind == OrganisationKind.SENSITIVE


def _involvement_sensitive(involvement: Involvement, sensitive_actors: frozenset[int]) -> bool:
    """Is this side of a match a sensitive service? Recorded by one of the child's sensitive services'
    staff, or sensitive by its organisation or sealed category (`coordination.sensitivity`)."""
    return involvement.recorded_by_id in sensitive_actors or involvement_sensitive(involvement)


def _withdrawn_sensitive(withdrawal: AuditEvent | None, sensitive_actors: frozenset[int]) -> bool:
    """A match no longer held: what its withdrawal recorded of its sides. Gone without such a record
    (withdrawn before withdrawals were recorded, or with a record purged since) it cannot say, so it is
    taken as sensitive, as a shredded key is."""
    if withdrawal is None:
        return True
    recorders = set(withdrawal.additional.get("recorded_by_ids") or [])
    return bool(withdrawal.additional.get("sensitive_side", True)) or bool(recorders & sensitive_actors)


def _match_ids(event: AuditEvent) -> list[int]:
    """The matches an entry is about: one for a match entry, each shown for an inbox read."""
    if event.tag in MATCH_TAGS:
        ids = [event.additional.get("match_id")]
    elif event.tag == AuditTag.InboxChildShown:
        ids = list(event.additional.get("match_ids") or [])
    else:
        return []
    return [i for i in ids if isinstance(i, int)]


def _sensitive_matches(events: list[AuditEvent], sensitive_actors: frozenset[int]) -> set[int]:
    """The matches named by this child's match entries that have a sensitive side (either involvement),
    held or withdrawn."""
    ids = {match_id for e in events for match_id in _match_ids(e)}
    matches = Match.objects.filter(pk__in=ids).select_related(
        "first__child__data_key",
        "first__recorded_by__organisation",
        "second__child__data_key",
        "second__recorded_by__organisation",
    )
    held = {
        match.pk: _involvement_sensitive(match.first, sensitive_actors)
        or _involvement_sensitive(match.second, sensitive_actors)
        for match in matches
    }
    withdrawals = {e.additional.get("match_id"): e for e in events if e.tag == AuditTag.MatchWithdrawn}
    return {
        match_id
        for match_id in ids
        if (
            held[match_id]
            if match_id in held
            else _withdrawn_sensitive(withdrawals.get(match_id), sensitive_actors)
        )
    }


def _covert_matches(events: list[AuditEvent], officers: set[int]) -> frozenset[int]:
    """The matches named by this child's match entries with a side recorded by one of `officers` (whose
    enquiry the covert rule covers), held or withdrawn (a withdrawal records who recorded each side)."""
    ids = {match_id for e in events for match_id in _match_ids(e)}
    if not ids or not officers:
        return frozenset()
    held = Match.objects.filter(pk__in=ids).values_list(
        "pk", "first__recorded_by_id", "second__recorded_by_id"
    )
    found = {match_id for match_id, *recorders in held if set(recorders) & officers}
    for event in events:
        if (
            event.tag == AuditTag.MatchWithdrawn
            and set(event.additional.get("recorded_by_ids") or []) & officers
        ):
            found.add(event.additional.get("match_id"))
    return frozenset(i for i in found if isinstance(i, int))


def _shielded_family_matches(events: list[AuditEvent], own_ids: list[Any]) -> set[int]:
    """The matches named by this child's match entries whose other child is shielded now, held or withdrawn.

    A child is matched with a shielded family member only through that member (the LA team holding it
    brokers the match; nobody on this child's side is told), so an entry about such a match, a withdrawal
    filed under both children included, tells the requester of the shielded member. A withdrawn match's
    other child is read from its withdrawal filed under that child; a record merged away since is judged
    by the record carrying it on, and one gone altogether (purged) cannot be checked, so it counts as shielded.
    """
    ids = {match_id for e in events for match_id in _match_ids(e)}
    own = {str(pk) for pk in own_ids}
    others: dict[int, set[str]] = {}
    held = Match.objects.filter(pk__in=ids).values_list("pk", "first__child_id", "second__child_id")
    for match_id, *sides in held:
        others[match_id] = {str(side) for side in sides} - own
    withdrawn = AuditEvent.objects.filter(
        tag=AuditTag.MatchWithdrawn, additional__match_id__in=sorted(ids - set(others))
    ).values_list("additional", "child_id")
    for additional, child_id in withdrawn:
        if str(child_id) not in own:
            others.setdefault(additional["match_id"], set()).add(str(child_id))
    wanted = {pk for pks in others.values() for pk in pks}
    shielded = {
        str(pk): flag for pk, flag in Child.objects.filter(pk__in=wanted).values_list("pk", "shielded")
    }
    carried = dict(
        CarriedIdentity.objects.filter(identity_id__in=wanted - set(shielded)).values_list(
            "identity_id", "carrier_id"
        )
    )
    carriers = dict(Child.objects.filter(pk__in=set(carried.values())).values_list("pk", "shielded"))
    shielded |= {str(pk): carriers[carrier] for pk, carrier in carried.items() if carrier in carriers}
    return {match_id for match_id, pks in others.items() if any(shielded.get(pk, True) for pk in pks)}


def _sensitive_lead_clearings(
    events: list[AuditEvent], sensitive_involvements: frozenset[str]
) -> frozenset[int]:
    """The entries clearing the lead professional (a naming with no involvement) whose record's last
    naming before them was of a sensitive involvement (event ids; `events` in id order).

    A clearing names nothing, so the rule for entries naming a withheld service passed it: listed, the
    requester read "Set the lead professional" with no naming before it and none on the record, and
    learnt that a lead professional the report does not show had existed, and until when.
    A record with no naming of its own yet (a survivor clearing a naming a merge brought) is judged by the
    last naming on any of the child's records.
    """
    last_named: dict[Any, str] = {}  # record id -> the involvement its last naming named
    latest = ""  # the last naming on any of the child's records
    clearings: set[int] = set()
    for event in events:
        if event.tag != AuditTag.LeadProfessionalSet:
            continue
        named = event.additional.get("involvement_id")
        if named:
            last_named[event.child_id] = latest = str(named)
        elif last_named.get(event.child_id, latest) in sensitive_involvements:
            clearings.add(event.pk)
    return frozenset(clearings)


def _crime_archive_openings(events: list[AuditEvent]) -> frozenset[int]:
    """The archive openings on the statutory reason "the prevention or detection of crime", and the
    look-ups leading to each (event ids; `events` in id order).

    A data manager finds an archived record by its index number (`lifecycle.finding`), then opens it: the
    look-up is filed under the child too, dated, by the LA, "Data manager", and listed just before a
    withheld opening it tells the requester as much. The look-ups leading to an opening are the same
    person's look-ups of this child since their previous opening of it; one not (yet) followed by an
    opening stays listed, as does an opening on another reason with its own.
    """
    found: set[int] = set()
    pending: dict[Any, list[int]] = {}  # data manager -> their look-ups since their last opening
    for event in events:
        if event.actor_id is None:
            continue
        if event.tag == AuditTag.ArchiveLookup:
            pending.setdefault(event.actor_id, []).append(event.pk)
        elif event.tag == AuditTag.ArchivedRecordViewed:
            lookups = pending.pop(event.actor_id, [])
            if event.additional.get("statutory_reason") == CRIME_STATUTORY_REASON:
                found.update([event.pk, *lookups])
    return frozenset(found)


def _acceptance_updates(events: list[AuditEvent]) -> dict[int, str]:
    """The record update each accepted correction wrote (event id -> correction id).

    Accepting a correction to a detail of the child writes the update's event and then the acceptance's,
    by the same person, in one transaction under the child's row lock: the update is the record's last
    update before the acceptance (`events` in id order). Not "that person's last entry": an entry they
    write from another tab at that moment (opening the record takes no row lock) can take an id between
    the two on PostgreSQL, whereas another update waits for the lock and comes after the acceptance. A
    carer's detail writes no update.
    """
    updates: dict[int, str] = {}
    last_update: dict[Any, AuditEvent] = {}  # record id -> its last update so far
    for event in events:
        if event.tag == AuditTag.ChildUpdated:
            last_update[event.child_id] = event
            continue
        if event.tag != AuditTag.CorrectionAccepted or not event.additional.get("correction_id"):
            continue
        named = field_for(str(event.additional.get("field", "")))
        update = last_update.pop(event.child_id, None)
        if (
            update is not None
            and update.actor_id == event.actor_id
            and named is not None
            and named.carer_position is None
        ):
            updates[update.pk] = str(event.additional["correction_id"])
    return updates


@dataclass
class _Accesses:
    entries: list[AccessEntry]
    withheld: dict[str, int]
    covert_disclosed: int = 0  # entries of a covert enquiry listed because the rule was switched off


def _accesses(
    child: Child,
    *,
    shielded: bool,
    withhold_covert: bool,
    sensitive_actors: frozenset[int],
    sensitive_involvements: frozenset[str],
    corrections_covered: dict[str, str],
    covert_involvements: frozenset[str] = frozenset(),
) -> _Accesses:
    """Every event about the child plus every search that returned it, oldest first; and how many were
    withheld, by reason: under the covert rule, as a sensitive service's (by `sensitive_actors`, the
    recorders of the child's sensitive involvements, by staff of a sensitive-services organisation, about
    a match with a sensitive side or about one of `sensitive_involvements`), as a shielded family
    member's, or, for a shielded child, as telling of a move (`_Withholding.reason`). An entry about a
    correction in `corrections_covered` (id -> the rule that covers it, "covert" or "sensitive") goes
    with that correction: withheld where it is."""
    ids = record_ids(child)
    events = list(AuditEvent.objects.filter(child_id__in=ids).order_by("id"))
    appearances = list(SearchAppearance.objects.filter(child_id__in=ids).order_by("event_id"))
    search_events = AuditEvent.objects.in_bulk([a.event_id for a in appearances])
    org_ids = {e.organisation_id for e in events} | {e.organisation_id for e in search_events.values()}
    organisations = Organisation.objects.in_bulk({i for i in org_ids if i is not None})
    actor_ids = {e.actor_id for e in events} | {e.actor_id for e in search_events.values()}
    actors = User.objects.in_bulk([i for i in actor_ids if i])
    covert = _covert_actors(events, organisations)
    withholding = _Withholding(
        covert=covert if withhold_covert else set(),
        covert_disclosed=set() if withhold_covert else covert,
        sensitive_actors=sensitive_actors,
        sensitive_matches=_sensitive_matches(events, sensitive_actors),
        shielded=shielded,
        sensitive_involvements=sensitive_involvements,
        sensitive_lead_clearings=_sensitive_lead_clearings(events, sensitive_involvements),
        corrections={
            pk: rule for pk, rule in corrections_covered.items() if rule != "covert" or withhold_covert
        },
        corrections_disclosed=frozenset(
            pk for pk, rule in corrections_covered.items() if rule == "covert" and not withhold_covert
        ),
        updates=_acceptance_updates(events),
        shielded_family_matches=set() if shielded else _shielded_family_matches(events, ids),
        withhold_covert=withhold_covert,
        covert_involvements=covert_involvements,
        covert_lead_clearings=_sensitive_lead_clearings(events, covert_involvements),
        covert_matches=_covert_matches(events, covert),
        sensitive_overriders=_sensitive_overriders(events, organisations, sensitive_actors),
        crime_archive_openings=_crime_archive_openings(events),
    )
    org_name = _namer(shielded)

    entries: list[tuple[int, AccessEntry]] = []
    withheld = {"covert": 0, "sensitive": 0, "third_party": 0, "shielded_move": 0, "shielded_correction": 0}
    disclosed = 0
    timeline = [(e, tag_label(e.tag), _purpose(e)) for e in events]
    timeline += [(search_events[a.event_id], APPEARED_IN_SEARCH, "") for a in appearances]
    for event, description, purpose in timeline:
        organisation = organisations.get(event.organisation_id) if event.organisation_id else None
        reason = withholding.reason(event, organisation)
        if reason:
            withheld[reason] += 1
            continue
        disclosed += withholding.disclosed(event)
        entries.append(
            (
                event.pk,
                AccessEntry(
                    occurred_at=event.occurred_at,
                    description=description,
                    organisation=org_name(organisation),
                    role=role_at_event(event, actors.get(event.actor_id) if event.actor_id else None),
                    purpose=purpose,
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0])
    return _Accesses([entry for _, entry in entries], withheld, disclosed)


@dataclass(frozen=True)
class _Asked:
    """One correction as the report reads it: a row of this record, or a decided correction of a record
    merged into it, which the merge keeps sealed under its own key (`linkage.merging`), not on this one."""

    id: str  # as the audit events about it name it (`correction_id`)
    field: str
    status: str
    raised_by_id: int
    raised_at: datetime
    decided_at: datetime | None
    proposed: Any
    decision_reason: str


def _asked(child: Child) -> list[_Asked]:
    """Every correction asked for about the child, oldest first, those kept by its merges in place too."""
    sealer = Sealer(child.data_key)
    asked = [
        _Asked(
            id=str(c.pk),
            field=c.field,
            status=c.status,
            raised_by_id=c.raised_by_id,
            raised_at=c.raised_at,
            decided_at=c.decided_at,
            proposed=sealer.unseal(c, "proposed_value"),
            decision_reason=sealer.unseal(c, "decision_reason") or "",
        )
        for c in corrections_of(child=child)
    ]
    asked += [
        _Asked(
            id=str(values["id"]),
            field=values["field"],
            status=values["status"],
            raised_by_id=values["raised_by_id"],
            raised_at=datetime.fromisoformat(values["raised_at"]),
            decided_at=datetime.fromisoformat(values["decided_at"]) if values["decided_at"] else None,
            proposed=values["proposed_value"],
            decision_reason=values["decision_reason"] or "",
        )
        for values in decided_corrections_kept(child)
    ]
    return sorted(asked, key=lambda item: item.raised_at)


@dataclass
class _Corrections:
    entries: list[CorrectionEntry]
    withheld_covert: int
    withheld_sensitive: int
    covert_disclosed: int  # asked for by an officer whose enquiry the rule, switched off, no longer withholds
    # A shielded child's corrections of its names or of where it lives: left out, as a move is.
    withheld_shielded: int = 0
    # Each correction a rule covers (id -> "covert" or "sensitive"), listed or not: the entries about it in
    # the access list follow it (`_accesses`).
    covered: dict[str, str] = field(default_factory=dict)


def _corrections(
    child: Child,
    *,
    shielded: bool,
    covert: set[int],
    withhold_covert: bool,
    sensitive_actors: frozenset[int],
) -> _Corrections:
    """Every correction asked for about the child, oldest first; and how many were withheld under the
    covert rule (`covert`: the officers whose enquiry it covers), and as asked for by a sensitive service
    (its staff, or a recorder of a sensitive involvement of the child): "Asked by" would name the
    service the report withholds."""
    org_name = _namer(shielded)
    asked = _asked(child)
    raisers = User.objects.select_related("organisation").in_bulk({a.raised_by_id for a in asked})
    result = _Corrections([], 0, 0, 0)
    for correction in asked:
        raised_by = raisers.get(correction.raised_by_id)
        organisation = raised_by.organisation if raised_by is not None else None
        if correction.raised_by_id in covert and withhold_covert:
            result.withheld_covert += 1
            result.covered[correction.id] = "covert"
            continue
        if correction.raised_by_id in sensitive_actors or _is_sensitive_org(organisation):
            result.withheld_sensitive += 1
            result.covered[correction.id] = "sensitive"
            continue
        named = field_for(correction.field)
        if shielded and (named is None or named.location or named.key in NAME_FIELDS):
            # Its value withheld, a dated "Address" or "Family name" row still told the requester the child
            # moved or changed its name, and when: left out, and its entries in the access list with it
            # (before the covert count: an officer's correction left out is not disclosed).
            result.withheld_shielded += 1
            result.covered[correction.id] = "shielded_correction"
            continue
        if correction.raised_by_id in covert:
            result.covert_disclosed += 1
            result.covered[correction.id] = "covert"
        why_rejected = correction.decision_reason if correction.status == CorrectionStatus.REJECTED else ""
        # Typed freely by the LA team ("the register at Leeds, where she now lives, says the 4th"): for a
        # shielded child withheld from the PDF, as a complaint's text is, and shown on the page, marked.
        withheld_reason = shielded and bool(why_rejected)
        result.entries.append(
            CorrectionEntry(
                asked_on=timezone.localdate(correction.raised_at),
                detail=named.label if named else correction.field,
                asked_by=org_name(organisation),
                proposed=WITHHELD_SHIELDED if named is None else value_text(named, correction.proposed),
                decision=_correction_decision(correction.status),
                decided_on=timezone.localdate(correction.decided_at) if correction.decided_at else None,
                why_rejected=WITHHELD_SHIELDED if withheld_reason else why_rejected,
                screen_why_rejected=_marked_screen_only(why_rejected) if withheld_reason else None,
            )
        )
    return result


def _correction_decision(status: str) -> str:
    """The decision in the words the raiser's own page uses (the status's label), whatever it is."""
    return str(CorrectionStatus(status).label)


def _complaints(child: Child, *, shielded: bool) -> list[ComplaintEntry]:
    """Every complaint about the child. For a shielded child the summary and what was decided, typed freely
    by the LA team ("she now attends Fernbank Primary"), are withheld from the PDF; the page shows them,
    marked as not in it, as it does the child's names. The dates, category and progress are kept."""
    sealer = Sealer(child.data_key)
    entries = []
    for complaint in complaints_of(child=child):
        summary = sealer.unseal(complaint, "summary")
        detail = sealer.unseal(complaint, "outcome_detail") or ""
        entries.append(
            ComplaintEntry(
                received_on=complaint.received_on,
                complainant=complaint.get_complainant_display(),
                about=complaint.get_about_display(),
                summary=WITHHELD_SHIELDED if shielded else summary,
                status=complaint.get_status_display(),
                acknowledged_on=complaint.acknowledged_on,
                outcome=complaint.get_outcome_display() if complaint.outcome else "",
                outcome_on=complaint.outcome_on,
                outcome_detail=WITHHELD_SHIELDED if shielded and detail else detail,
                screen_summary=_marked_screen_only(summary) if shielded else None,
                screen_outcome_detail=_marked_screen_only(detail) if shielded and detail else None,
            )
        )
    return entries


def _marked_screen_only(text: str) -> str:
    """Free text the LA team's page shows and the PDF withholds, marked so (as a shielded child's names)."""
    text = text.rstrip()
    return f"{text}{' ' if text.endswith(('.', '!', '?')) else '. '}{SCREEN_ONLY_NOT_IN_DISCLOSURE}"


def _covert_raisers(child: Child) -> set[int]:
    """The police officers whose enquiry about this child the covert rule covers (see `_covert_actors`)."""
    events = list(AuditEvent.objects.filter(child_id__in=record_ids(child), tag=AuditTag.RecordViewed))
    org_ids = {e.organisation_id for e in events if e.organisation_id is not None}
    return _covert_actors(events, Organisation.objects.in_bulk(org_ids))


def subject_access_report(
    *, child: Child, produced_by: User, reference: str, withhold_covert: bool = True
) -> SubjectAccessReport:
    """Build the report (decrypting the record); callers record its production with `subject_access_record`."""
    view = child_record(child)
    issuers = visibility(actor=produced_by, child=child).source_issuer_ids
    officers = _covert_raisers(child)
    held, sensitive, covert_held = _held(
        view,
        shielded=child.shielded,
        screen_issuer_ids=issuers,
        covert_recorders=frozenset(officers) if withhold_covert else frozenset(),
    )
    sensitive_actors = frozenset(
        item.involvement.recorded_by_id
        for item in view.involvements
        if item.is_sensitive and item.involvement.recorded_by_id is not None
    )
    # The enquiry's officers' involvements (not sensitive ones, withheld as such): withheld with the enquiry.
    covert_involvements = [
        item
        for item in view.involvements
        if item.involvement.recorded_by_id in officers and not item.is_sensitive
    ]
    corrections = _corrections(
        child,
        shielded=child.shielded,
        covert=officers,
        withhold_covert=withhold_covert,
        sensitive_actors=sensitive_actors,
    )
    accesses = _accesses(
        child,
        shielded=child.shielded,
        withhold_covert=withhold_covert,
        sensitive_actors=sensitive_actors,
        sensitive_involvements=frozenset(item.id for item in view.involvements if item.is_sensitive),
        corrections_covered=corrections.covered,
        covert_involvements=frozenset(item.id for item in covert_involvements),
    )
    listed_covert = 0 if withhold_covert else len(covert_involvements)
    return SubjectAccessReport(
        index_number=child.index_number,
        reference=reference,
        produced_at=timezone.now(),
        shielded=child.shielded,
        held=held,
        accesses=accesses.entries,
        corrections=corrections.entries,
        complaints=_complaints(child, shielded=child.shielded),
        withheld_covert=accesses.withheld["covert"] + corrections.withheld_covert + covert_held,
        covert_rule_applied=withhold_covert,
        covert_disclosed=accesses.covert_disclosed + corrections.covert_disclosed + listed_covert,
        withheld_sensitive=sensitive,
        withheld_sensitive_accesses=accesses.withheld["sensitive"],
        withheld_sensitive_corrections=corrections.withheld_sensitive,
        withheld_third_party=accesses.withheld["third_party"],
        withheld_shielded_moves=accesses.withheld["shielded_move"],
        withheld_shielded_corrections=corrections.withheld_shielded,
        withheld_shielded_correction_entries=accesses.withheld["shielded_correction"],
    )


def subject_access_record(*, child: Child, by: User, report: SubjectAccessReport, output: str) -> AuditEvent:
    """Audit one production (HTML or PDF). The reference is free text, so it is sealed under the child's key.

    Whether the covert-enquiry rule was applied is recorded, with how many of an enquiry's entries went
    into the report with it switched off: that is a disclosure of a police enquiry, to be reviewable.
    A report decrypts the whole record, so its production is a view that the viewing rules count
    (bulk viewing): they may suspend `by`, so callers re-check before showing it."""
    additional: dict[str, Any] = {
        "format": output,
        "reference_sealed": note_seal(child.data_key, context="subject_access", text=report.reference),
        "entries": len(report.accesses),
        "covert_rule": "applied" if report.covert_rule_applied else "switched_off",
        "covert_disclosed": report.covert_disclosed,
        "withheld_covert": report.withheld_covert,
        "withheld_sensitive": report.withheld_sensitive,
        "withheld_sensitive_accesses": report.withheld_sensitive_accesses,
        "withheld_sensitive_corrections": report.withheld_sensitive_corrections,
        "withheld_third_party": report.withheld_third_party,
        "withheld_shielded_moves": report.withheld_shielded_moves,
        "withheld_shielded_corrections": report.withheld_shielded_corrections,
        "withheld_shielded_correction_entries": report.withheld_shielded_correction_entries,
    }
    with transaction.atomic():
        event = event_record(
            tag=AuditTag.SubjectAccessProduced, actor=by, child_id=child.pk, additional=additional
        )
        view_screen(user=by)
    return event
