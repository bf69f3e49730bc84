"""The system administrator's forms: an organisation's directory entry, the directory filter, and the
invitation of a national account (the LA team's invitation form, offering national roles)."""

import hashlib
import json
import re
from datetime import date, time
from typing import Any, cast

from django import forms
from django.utils import timezone

from access.policy import Decision, organisation_cut_off_decide
from accounts.directory import OrganisationDetails, open_organisations
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.wording import GovukErrors
from administration.holdings import still_holds
from children.forms import DatePartsMixin, readable
from children.models import Child
from oversight.models import CHILD_ALERT_KINDS, Alert
from team.forms import InviteForm

KINDS = [(kind.value, kind.label) for kind in OrganisationKind]
# Kinds that belong to no LA: an LA is its own, a national body is nobody's.
PARENTLESS_KINDS = {OrganisationKind.LOCAL_AUTHORITY.value, OrganisationKind.NATIONAL.value}
CODE_TAKEN = "That code is already used by another organisation"
# Closing or de-accrediting the organisation one works for cuts off one's own account and every colleague's
# in it at once, with no page to undo it: as for one's own account, another administrator must. The policy's
# rule (`access.policy.organisation_cut_off_decide`, this reason); the words are the directory's own.
OWN_ORGANISATION = "own_organisation"
OWN_ORGANISATION_ACCREDITATION = (
    "You cannot take the accreditation from the organisation your own account belongs to: it would end "
    "your access and your colleagues'. An administrator of another organisation must do it"
)
# Feeds allocate each child they send to the LA named by its code (`feeds.ingest`): changing the code of an
# LA that holds children (and giving its old code to another) would send its next children to another team.
LA_CODE_FIXED = (
    "The code of a local authority cannot change once children's records are allocated to it: the feeds "
    "allocate each child they send by this code"
)
# Closing an LA that holds children is refused (`administration.organisations.LA_STILL_HOLDS`): taking
# its accreditation away refuses its team and data manager in the same way (`organisation_not_accredited`).
LA_ACCREDITATION_HELD = (
    "A local authority cannot lose its accreditation while it holds children's records or open "
    "organisations: from that day its team and data manager are refused, and nobody else shields, transfers "
    "or answers for its children, or looks after its organisations' staff. Transfer its children and move "
    "or close its organisations first"
)
# Roles that work for one LA (their home LA decides what they see), so they join an LA itself.
LA_ROLES = {Role.DATA_MANAGER.value, Role.LA_TEAM.value}
# An account of those roles in an organisation of an LA (a team organisation) acts for that LA: moving the
# organisation would hand its powers to another LA's children and accounts, unasked.
LA_ROLES_HELD = (
    "This organisation holds LA ContactPoint team or data manager accounts, who act for the local authority "
    "their organisation is in: moved, they would become another local authority's team. Close those "
    "accounts first (the system administrator invites a local authority's team into the local authority "
    "itself)"
)
# An LA not accredited today has its team refused (`organisation_not_accredited`), as a closed one: an
# organisation with people in it moved there would leave them, and their waiting misuse alerts, to nobody.
# An empty one may go (an LA being set up, docs/DECISIONS.md "Accreditation").
LA_NOT_ACCREDITED_STAFFED = (
    "This organisation has open accounts or misuse alerts waiting about its staff, and this local authority "
    "is not accredited today: its team is refused, so nobody could suspend or close those accounts or read "
    "those alerts. Select an accredited local authority, or move the organisation once this one is "
    "accredited"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True, max_length=20)


def _local_authorities(keep: int | None = None) -> list[tuple[str, str]]:
    """The open LAs, and `keep` (the entry's own LA, even if closed since, so the entry can be corrected).

    A closed LA's team is refused, so an organisation moved into (or added to) one would leave its staff
    with nobody who may suspend or close them, and their misuse alerts in a queue nobody reads. An LA not
    accredited today is refused likewise but still offered (one being set up may be given organisations):
    an organisation with people in it is refused a move there (`staffed_move_refused`)."""
    las = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
    offered = las.filter(pk__in=open_organisations().values("pk"))
    if keep is not None:
        offered = offered | las.filter(pk=keep)
    return [(str(la.pk), la.name) for la in offered.order_by("name")]


def parse_time(raw: str) -> time | None:
    """ "9:00", "09:00" or "17.30" as a time of day (24-hour clock); None if it is not one."""
    found = _TIME.match(raw.strip())
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def accreditation_taken(organisation: Organisation, accredited: date | None) -> bool:
    """Would `accredited` take away the accreditation `organisation` (an LA, as stored) holds today: the
    date cleared or moved to a later day? Not for an LA not accredited now (nothing depends on an
    accreditation it does not hold), nor for a past day corrected to another past day."""
    if organisation.kind != OrganisationKind.LOCAL_AUTHORITY:
        return False
    today = timezone.localdate()
    if organisation.accredited_on is None or organisation.accredited_on > today:
        return False
    return accredited is None or accredited > today


def la_code_fixed(organisation: Organisation, code: str) -> bool:
    """Would `code` change the code of `organisation` (an LA, as stored) that children's records are
    allocated to? Changed freely before (a typo on a new LA). Any change counts, letter case included:
    feeds match the code exactly. The directory's audit names the field changed, never the old code, so a
    swap of two LAs' codes could not be read back from the log either."""
    if organisation.kind != OrganisationKind.LOCAL_AUTHORITY or code == organisation.code:
        return False
    return Child.objects.filter(local_authority=organisation).exists()


def staffed_move_refused(organisation: Organisation, into: int | None) -> bool:
    """Would putting `organisation` (as stored) in the LA `into` leave people to an LA whose team is refused:
    a move (not the LA it is in already) into an LA not accredited today, of an organisation with open
    accounts (suspended ones included: only a team reinstates or closes them) or misuse alerts waiting about
    its staff in its LA's queue (`oversight.services.alerts_follow_staff` would take them there). Asked by
    the form, then again by the save under its locks (the LA held, the organisation locked)."""
    if into is None or into == organisation.local_authority_id:
        return False
    accredited = Organisation.objects.filter(pk=into).values_list("accredited_on", flat=True).first()
    if accredited is not None and accredited <= timezone.localdate():
        return False
    if User.objects.filter(organisation=organisation, is_active=True).exists():
        return True
    waiting = Alert.objects.filter(
        raised_by__organisation=organisation,
        local_authority_id=organisation.local_authority_id,
        national=False,
        acknowledged_at__isnull=True,
    ).exclude(kind__in=CHILD_ALERT_KINDS)  # they stay with the LA holding the child (`alerts_follow_staff`)
    return waiting.exists()


class OrganisationForm(GovukErrors, DatePartsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "Select a kind of organisation"), *KINDS],
        error_messages={"required": "Select the kind of organisation"},
    )
    name = forms.CharField(label="Name", max_length=200)
    code = forms.CharField(
        label="Code", max_length=20, help_text="For example, the LA code, school URN or GP practice ODS code"
    )
    local_authority = forms.ChoiceField(label="Local authority", required=False)
    address = forms.CharField(label="Address", max_length=300, required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    email = forms.EmailField(label="Email address", max_length=254, required=False)  # the column's length
    accredited_day = _date_part()
    accredited_month = _date_part()
    accredited_year = _date_part()
    working_hours_start = forms.CharField(
        label="Start time", max_length=5, required=False, help_text="For example, 08:00"
    )
    working_hours_end = forms.CharField(
        label="End time", max_length=5, required=False, help_text="For example, 18:30"
    )
    past_midnight = forms.BooleanField(
        label="These hours run past midnight (for example, an emergency duty team working 19:00 to 07:00)",
        required=False,
    )
    # Which version of the entry the edit page showed (`version_of`): a save from a page read before a
    # colleague's save would write back every field the colleague changed, so it is refused instead.
    version = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    summary_anchor = "id_kind"

    def __init__(
        self, *args: Any, editing: Organisation | None = None, by: User | None = None, **kwargs: Any
    ) -> None:
        """`by`: the administrator saving, who may not take the accreditation from their own organisation."""
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.by = by
        # The policy's refusal of `by` cutting this organisation off, once the form found one (audited by
        # the page: `administration.organisations`).
        self.cut_off_refusal: Decision | None = None
        field = cast(forms.ChoiceField, self.fields["local_authority"])  # declared above
        keep = editing.local_authority_id if editing is not None else None
        field.choices = [("", "Select a local authority"), *_local_authorities(keep)]

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, str]:
        """The form's answers for an existing entry (the edit page starts from these)."""
        accredited = organisation.accredited_on
        start, end = organisation.working_hours_start, organisation.working_hours_end
        return {
            "kind": organisation.kind,
            "name": organisation.name,
            "code": organisation.code,
            "local_authority": str(organisation.local_authority_id or ""),
            "address": organisation.address,
            "phone": organisation.phone,
            "email": organisation.email,
            "accredited_day": str(accredited.day) if accredited else "",
            "accredited_month": str(accredited.month) if accredited else "",
            "accredited_year": str(accredited.year) if accredited else "",
            "working_hours_start": start.strftime("%H:%M") if start else "",
            "working_hours_end": end.strftime("%H:%M") if end else "",
            "past_midnight": "on" if start and end and end <= start else "",
        }

    @classmethod
    def version_of(cls, organisation: Organisation) -> str:
        """A digest of what the edit page shows of the entry: it changes when any of it changes."""
        shown = json.dumps(cls.initial_for(organisation), sort_keys=True)
        return hashlib.sha256(shown.encode()).hexdigest()

    @classmethod
    def as_stored(cls, organisation: Organisation, *, by: User) -> "OrganisationForm":
        """The edit page again, showing the entry as it is now (after a colleague's save)."""
        data = {**cls.initial_for(organisation), "version": cls.version_of(organisation)}
        form = cls(data, editing=organisation, by=by)
        form.full_clean()
        return form

    def read_before(self, organisation: Organisation) -> bool:
        """Was this page read before the entry's last change? A request without a version (not sent by
        the page) is not checked: whoever makes one by hand chooses to write every field it names."""
        shown = self.cleaned_data.get("version") or ""
        return bool(shown) and shown != self.version_of(organisation)

    def clean_name(self) -> str:
        """Read by practitioners on every record that names the organisation: it must read as stored (no
        control, right-to-left override or zero-width character), as every other text a person reads."""
        return readable(self.cleaned_data.get("name", ""), "The name")

    def clean_address(self) -> str:
        return readable(self.cleaned_data.get("address", ""), "The address")

    def clean_phone(self) -> str:
        return readable(self.cleaned_data.get("phone", ""), "The phone number")

    def clean_email(self) -> str:
        """Django's EmailField takes any character from U+00A1 up in the domain (for international names),
        zero-width and right-to-left ones among them: the address practitioners write to must read as stored."""
        return readable(self.cleaned_data.get("email", ""), "The email address")

    def clean_code(self) -> str:
        """Feeds allocate children by an LA's code, matched exactly: a zero-width character would make two
        codes that look the same differ, so it is refused before the code is compared with others."""
        code = readable(self.cleaned_data["code"], "The code").strip()
        others = Organisation.objects.filter(code__iexact=code)
        if self.editing is not None:
            others = others.exclude(pk=self.editing.pk)
        if others.exists():
            raise forms.ValidationError(CODE_TAKEN)
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["accredited_on"] = self.combine_date(
            "accredited", label="the accreditation date", required=False, min_year=2000, future=True
        )
        kind = cleaned.get("kind", "")
        if kind and kind not in PARENTLESS_KINDS and not cleaned.get("local_authority"):
            self.add_error("local_authority", "Select the local authority the organisation belongs to")
        la = OrganisationKind.LOCAL_AUTHORITY.value
        if self.editing is not None and kind and (kind == la) != (self.editing.kind == la):
            # An LA holds children's records, organisations and staff by its id: it cannot turn into a
            # school, nor a school into an LA, without them silently changing hands.
            self.add_error(
                "kind",
                "A local authority cannot become another kind of organisation, nor another kind a local "
                "authority: add a new organisation instead",
            )
        national = OrganisationKind.NATIONAL.value
        if self.editing is not None and kind and (kind == national) != (self.editing.kind == national):
            # A national body belongs to no LA: a service made one takes its practitioners out of every LA
            # (no team may then suspend or close them, and their misuse alerts reach nobody).
            self.add_error(
                "kind",
                "A national body cannot become another kind of organisation, nor another kind a national "
                "body: add a new organisation instead",
            )
        self._clean_working_hours(cleaned)
        self._own_accreditation_check(cleaned)
        self._la_accreditation_check(cleaned)
        self._la_code_check(cleaned)
        self._la_roles_check(cleaned)
        self._staffed_move_check(cleaned)
        return cleaned

    def _staffed_move_check(self, cleaned: dict[str, Any]) -> None:
        """An organisation with people in it is not moved into an LA not accredited today
        (`staffed_move_refused`)."""
        moved_to = cleaned.get("local_authority") or ""
        if self.editing is None or not moved_to or self.has_error("local_authority"):
            return
        if staffed_move_refused(self.editing, int(moved_to)):
            self.add_error("local_authority", LA_NOT_ACCREDITED_STAFFED)

    def _la_roles_check(self, cleaned: dict[str, Any]) -> None:
        """An organisation holding open LA team or data manager accounts stays in its LA: their home LA is
        their organisation's, so a move would make them the new LA's team (its shielded children, its
        accounts) with nobody having invited them there. Practitioners follow their organisation (their
        LA team is the new LA's), as before. No page puts such an account in an organisation that is not
        an LA now (`NationalInviteForm`); the check is for those already there."""
        editing = self.editing
        moved_to = cleaned.get("local_authority") or ""
        if editing is None or not moved_to or moved_to == str(editing.local_authority_id or ""):
            return
        if editing.kind in PARENTLESS_KINDS:
            return
        held = User.objects.filter(organisation=editing, role__in=LA_ROLES, is_active=True)
        if held.exists():
            self.add_error("local_authority", LA_ROLES_HELD)

    def _la_accreditation_check(self, cleaned: dict[str, Any]) -> None:
        """An accredited LA keeps its accreditation while children's records or open organisations depend
        on it, as it stays open (`administration.holdings.still_holds`, the close's count)."""
        editing = self.editing
        if (
            editing is None
            or editing.kind != OrganisationKind.LOCAL_AUTHORITY
            or "accredited_on" not in cleaned
            or self.has_error("accredited_day")
        ):
            return
        if not accreditation_taken(editing, cleaned["accredited_on"]):
            return
        if still_holds(editing) is not None:
            self.add_error("accredited_day", LA_ACCREDITATION_HELD)

    def _la_code_check(self, cleaned: dict[str, Any]) -> None:
        """An LA's code routes feed records to it: fixed once children's records are allocated to it
        (`la_code_fixed`; asked again under the LA's row lock by the save)."""
        code = cleaned.get("code")
        if self.editing is not None and code is not None and la_code_fixed(self.editing, code):
            self.add_error("code", LA_CODE_FIXED)

    def _own_accreditation_check(self, cleaned: dict[str, Any]) -> None:
        """Clearing the accreditation date, or moving it to a later day, cuts the organisation off: the
        policy says who may (`organisation_cut_off_decide`: never for one's own organisation). Its refusal
        is kept (`cut_off_refusal`) for the page to audit, and said in the form's own words."""
        if self.editing is None or self.by is None or "accredited_on" not in cleaned:
            return
        accredited = cleaned["accredited_on"]
        kept = accredited is not None and accredited <= timezone.localdate()
        if kept or self.has_error("accredited_day"):
            return
        decision = organisation_cut_off_decide(actor=self.by, organisation=self.editing)
        if decision.reason == OWN_ORGANISATION:
            self.cut_off_refusal = decision
            self.add_error("accredited_day", OWN_ORGANISATION_ACCREDITATION)

    def _clean_working_hours(self, cleaned: dict[str, Any]) -> None:
        """Both times or neither; the end after the start, unless the hours are said to run past midnight."""
        raw_start = (cleaned.get("working_hours_start") or "").strip()
        raw_end = (cleaned.get("working_hours_end") or "").strip()
        cleaned["start_time"] = cleaned["end_time"] = None
        if not raw_start and not raw_end:
            return
        start = parse_time(raw_start) if raw_start else None
        end = parse_time(raw_end) if raw_end else None
        if not raw_start:
            self.add_error("working_hours_start", "Enter a start time, or remove the end time")
        elif start is None:
            self.add_error("working_hours_start", "Enter a start time in the 24-hour clock, like 08:00")
        if not raw_end:
            self.add_error("working_hours_end", "Enter an end time, or remove the start time")
        elif end is None:
            self.add_error("working_hours_end", "Enter an end time in the 24-hour clock, like 18:30")
        if start is None or end is None:
            return
        if end <= start and not cleaned.get("past_midnight"):
            self.add_error("working_hours_end", "The end time must be after the start time")
            return
        cleaned["start_time"], cleaned["end_time"] = start, end

    def details(self) -> OrganisationDetails:
        data = self.cleaned_data
        la_id = data.get("local_authority") or ""
        return OrganisationDetails(
            kind=data["kind"],
            name=data["name"].strip(),
            code=data["code"],
            local_authority=Organisation.objects.get(pk=la_id) if la_id else None,
            address=data["address"].strip(),
            phone=data["phone"].strip(),
            email=data["email"],
            accredited_on=data["accredited_on"],
            working_hours_start=data["start_time"],
            working_hours_end=data["end_time"],
        )


class DirectoryFilterForm(GovukErrors, forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "All kinds"), *KINDS],
        required=False,
        error_messages={"invalid_choice": "Select a kind of organisation from the list"},
    )
    name = forms.CharField(label="Name contains", max_length=100, required=False)


NATIONAL_ROLES = [
    (Role.NATIONAL_AUDITOR.value, Role.NATIONAL_AUDITOR.label),
    (Role.DATA_MANAGER.value, Role.DATA_MANAGER.label),
    (Role.SYSTEM_ADMIN.value, Role.SYSTEM_ADMIN.label),
    (Role.LA_TEAM.value, "LA ContactPoint team member"),
]


class NationalInviteForm(InviteForm):
    """The LA team's invitation, offering the national roles, national bodies and every LA."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, local_authority_id=None, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = NATIONAL_ROLES
        self.offer_organisations(
            Organisation.objects.filter(
                kind__in=[OrganisationKind.NATIONAL, OrganisationKind.LOCAL_AUTHORITY]
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = self.organisations.get(cleaned.get("organisation") or "")
        la_role = cleaned.get("role") in LA_ROLES
        if chosen is not None and la_role and chosen.kind != OrganisationKind.LOCAL_AUTHORITY:
            self.add_error("organisation", "Select a local authority for an LA team member or data manager")
        return cleaned
