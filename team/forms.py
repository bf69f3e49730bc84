"""Forms the LA team uses: accounts in its own local authority, and disclosure export requests."""

import re
import time
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from access.policy import OVERRIDE_HOLDER_KINDS
from accounts.directory import open_organisations
from accounts.models import (
    BACKGROUND_CHECK_VALID_YEARS,
    Organisation,
    Role,
    User,
    background_check_lapses_on,
)
from accounts.ratelimit import (
    REFUSAL_AUDIT_SECONDS,
    Limiter,
    OncePerWindow,
    attempts_give_back,
    attempts_take,
)
from accounts.services import (
    EmailTaken,
    OrganisationCutOff,
    OrganisationMovedAway,
    UsernameTaken,
    account_invite,
    email_in_open_use,
)
from accounts.usernames import is_mixed_script, username_skeleton
from accounts.wording import GovukErrors
from audit.services import event_record
from audit.tags import AuditTag
from children.forms import DatePartsMixin, readable
from children.index_number import is_valid as index_number_is_valid
from children.models import Child, RecordStatus
from disclosure.fields import EXPORT_FIELDS
from disclosure.models import LawfulBasis
from matching.normalise import normalise_postcode

# The roles an LA team looks after (`access.policy.LA_MANAGED_ROLES`, which the policy enforces).
INVITABLE_ROLES = [
    (Role.PRACTITIONER.value, Role.PRACTITIONER.label),
    (Role.OVERRIDE_HOLDER.value, Role.OVERRIDE_HOLDER.label),
]

# Break-glass is for staff of the organisations the policy allows it (access.policy.OVERRIDE_HOLDER_KINDS):
# the invitation refuses the role for any other, so nobody is given a role that can never be used.
OVERRIDE_HOLDER_REFUSED = (
    "Only staff of children's social care or the police can have emergency access to shielded records: "
    "invite them as a practitioner"
)


# The own-address rule's postcode (accounts.home_postcode), asked for at invitation and on the account page.
HOME_POSTCODE_HINT = (
    "From their enhanced background check. Searches typed with it, or finding a child who lives there, "
    "are flagged for review. Only a token of it is kept, so it cannot be shown again."
)


def _full_postcode(typed: str, error: str) -> str:
    """A full UK postcode, normalised; anything less is `error` (a sector or district is no address)."""
    postcode = normalise_postcode(typed)
    if postcode is None:
        raise forms.ValidationError(error)
    return postcode


BACKGROUND_CHECK_NOT_CURRENT = (
    f"The enhanced background check must be from the last {BACKGROUND_CHECK_VALID_YEARS} years"
)
USERNAME_IN_USE = "That username is already in use"
USERNAME_LOOKS_TAKEN = "That username looks too like an existing one: choose another"
USERNAME_MAX_LENGTH = 150  # the column's (`User.username`, and `User.username_skeleton` beside it)
USERNAME_TOO_LONG = f"Enter a shorter username: it can have at most {USERNAME_MAX_LENGTH} characters"
EMAIL_TAKEN = (
    "Another open account already uses this email address: close that account first, or check the address"
)


def _longer_than_stored(username: str) -> bool:
    """Would the (normalised) username, or its skeleton, overflow its column? The form's own length check
    reads the name as typed, and both can grow from there: NFKC makes a ligature ("\ufb03") three letters,
    and case-folding makes "\u00df" two; PostgreSQL then refused the insert, a server error."""
    return len(username) > USERNAME_MAX_LENGTH or len(username_skeleton(username)) > USERNAME_MAX_LENGTH


# An organisation put in another LA after this form offered it (`accounts.services.OrganisationMovedAway`).
ORGANISATION_MOVED_AWAY = "This organisation is no longer in your local authority: choose another"
# An organisation closed, or its accreditation taken, after this form offered it (`OrganisationCutOff`).
ORGANISATION_CLOSED = "This organisation has closed: choose another"
ORGANISATION_NOT_ACCREDITED = "This organisation is no longer accredited: choose another"


# "Already in use" tells whoever reads it that an account somewhere in the country has the username (or one
# like it), or an open account the email address, whoever's: a national auditor's, an administrator's, a
# police officer's. So it is asked last, only of a form otherwise valid (that would be sent as it is), each
# such answer is audited (which fields and a count, never what was typed), and whoever was given
# `IN_USE_REFUSALS.limit` of them within the hour is told to try later, every form refused without a
# look-up, until the hour (from the first) is over. Free answers are not counted.
IN_USE_REFUSALS = Limiter("invitation.in_use_refused", limit=10, window_seconds=60 * 60)
IN_USE_LIMITED = (
    "You have chosen too many usernames or email addresses that are already in use: try again later"
)
# A refusal past the limit costs no look-up: audited once a minute per person, with the minute before's count.
IN_USE_THROTTLED = OncePerWindow("invitation.in_use_throttled", REFUSAL_AUDIT_SECONDS)

InUseLookUp = Callable[[], tuple[str, bool] | None]
"""One "in use" look-up: its message and whether the match is a look-alike, or None when nothing has it."""


def in_use_answered(form: forms.Form, *, by: User | None, look_ups: dict[str, InUseLookUp]) -> None:
    """Ask a form that is otherwise valid its look-ups (by field), as `IN_USE_REFUSALS` says: counted first,
    as sign-in counts its attempts (`attempts_take`), so a burst cannot pass the limit, and given back
    when nothing was in use; past the limit nothing is looked up and the first field says to try later.

    `by` None (a form that is never sent: the wording checks) looks up uncounted and unaudited."""
    counted = (IN_USE_REFUSALS, str(by.pk)) if by is not None else None
    if by is not None and counted is not None and attempts_take(counted) is None:
        form.add_error(next(iter(look_ups)), IN_USE_LIMITED)
        due, before = IN_USE_THROTTLED.due(str(by.pk), now=time.time())
        if due:
            event_record(
                tag=AuditTag.InvitationInUseThrottled,
                actor=by,
                additional={"limit": IN_USE_REFUSALS.limit, "refused_in_the_minute_before": before},
            )
        return
    refused = {field: found for field, look_up in look_ups.items() if (found := look_up()) is not None}
    if not refused:
        if counted is not None:
            attempts_give_back(counted)
        return
    for field, (message, _) in refused.items():
        form.add_error(field, message)
    if by is not None:
        lookalike = any(match for _, match in refused.values())
        in_use_refusal_record(by, fields=list(refused), lookalike=lookalike, counted=True)


def in_use_refusal_record(by: User, *, fields: list[str], lookalike: bool, counted: bool) -> None:
    """Audit an "in use" answer given to `by`: which fields, whether a look-alike, and how many such
    answers this hour, never what was typed. `counted`: already counted (`in_use_answered`); a refusal by
    the database (a colleague took the name or address after the form's look-up) is counted here."""
    subject = str(by.pk)
    refusals = IN_USE_REFUSALS.count(subject) if counted else IN_USE_REFUSALS.hit(subject)
    event_record(
        tag=AuditTag.InvitationInUseRefused,
        actor=by,
        additional={
            "fields": sorted(fields),
            "lookalike": lookalike,
            "refusals": refusals,
            "limit": IN_USE_REFUSALS.limit,
        },
    )


def username_in_use(username: str) -> tuple[str, bool] | None:
    """An account has the name, or one that looks like it (`username_skeleton`)?"""
    if User.objects.filter(username__iexact=username).exists():
        return USERNAME_IN_USE, False
    if User.objects.filter(username_skeleton=username_skeleton(username)).exists():
        return USERNAME_LOOKS_TAKEN, True
    return None


def email_in_use(email: str, *, besides: User | None = None) -> tuple[str, bool] | None:
    """An open account (other than `besides`) has the address, as the constraint compares?"""
    return (EMAIL_TAKEN, False) if email_in_open_use(email, besides=besides.pk if besides else None) else None


def invitee_email(typed: str, *, inviter: User | None) -> str:
    """The address an invitation goes to, checked as every invitation's is (the invitation form's, and
    the correction of a mistyped one): it must read as stored and not be the inviter's own. Whether an
    open account has it (`email_in_use`) is asked last, of the otherwise valid form (`in_use_answered`).

    No self-administration: nobody invites an account at their own address (the link would come to
    them, and they would then look after it as a stranger's), and one open account per address.
    A determined insider could still use another address they hold: a second person's approval of
    each invitation would close that, and is the lead's decision (docs/DECISIONS.md section 9).
    """
    # Read first, as `clean_manager_email` says: an address with a right-to-left override in its domain
    # passed Django's EmailField, was stored and audited, then failed to encode when the invitation
    # was sent (a server error, and an account whose link never went out).
    email = readable(typed.strip(), "The email address")
    if inviter is not None and email.casefold() == inviter.email.strip().casefold():
        raise forms.ValidationError(
            "Enter the work email address of the person you are inviting: this is your own. "
            "Nobody may invite an account for themselves"
        )
    return email


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True, max_length=20)


class InviterUnknown(RuntimeError):
    """A programming error: the form was built without `inviter`, so it cannot invite."""


class InviteForm(GovukErrors, DatePartsMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    # The column's length (Django's EmailField, 254): the form's own default (320) passed longer addresses
    # that PostgreSQL then refused at the insert, a server error.
    email = forms.EmailField(label="Work email address", max_length=254)
    username = forms.CharField(label="Username", max_length=USERNAME_MAX_LENGTH)
    organisation = forms.ChoiceField(
        label="Organisation", error_messages={"required": "Select the organisation they work for"}
    )
    role = forms.ChoiceField(
        label="Role",
        choices=INVITABLE_ROLES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role"},
    )
    background_check_day = _date_part()
    background_check_month = _date_part()
    background_check_year = _date_part()
    training_day = _date_part()
    training_month = _date_part()
    training_year = _date_part()
    manager_email = forms.EmailField(label="Line manager's email address", max_length=254, required=False)
    home_postcode = forms.CharField(
        label="Home postcode (optional)",
        required=False,
        max_length=20,
        help_text=HOME_POSTCODE_HINT,
    )
    summary_anchor = "id_first_name"

    def __init__(
        self, *args: Any, local_authority_id: int | None, inviter: User | None = None, **kwargs: Any
    ) -> None:
        """`local_authority_id`: the LA team's own LA, whose organisations are offered; None when a
        subclass offers its own (the system administrator's national invitations). `inviter`: who is
        inviting, who may not invite an account for themselves (`clean_email`); only a form that is
        never sent (a wording or robustness check) goes without one, and `invite` refuses it."""
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        self.local_authority_id = local_authority_id
        if local_authority_id is not None:
            organisations = Organisation.objects.filter(pk=local_authority_id) | Organisation.objects.filter(
                local_authority_id=local_authority_id
            )
            self.offer_organisations(organisations)

    def offer_organisations(self, organisations: QuerySet[Organisation]) -> None:
        """The accredited, open organisations the person may be invited to (a closed one takes nobody).
        Accredited today, as the account's creation judges it (`organisation_held_in`): one accredited
        only from a later day was offered, then refused as "no longer accredited"."""
        offered = organisations.filter(accredited_on__lte=timezone.localdate()) & open_organisations()
        self.organisations = {str(o.pk): o for o in offered.order_by("name")}
        field = cast(forms.ChoiceField, self.fields["organisation"])  # declared above
        # No organisation is preselected: the LA team must choose one, or be told to.
        field.choices = [
            ("", "Select an organisation"),
            *((pk, o.name) for pk, o in self.organisations.items()),
        ]

    def clean(self) -> dict[str, Any]:
        """A check or course still to come proves nothing yet (and a date near the end of the calendar
        would overflow when its validity period is added): both must be today or in the past."""
        cleaned = super().clean() or {}
        cleaned["background_check_on"] = self.combine_date(
            "background_check", label="the enhanced background check date", required=True, min_year=1990
        )
        cleaned["training_completed_on"] = self.combine_date(
            "training", label="the date training was completed", required=True, min_year=1990
        )
        self._background_check_current(cleaned.get("background_check_on"))
        self._override_holder_check(cleaned)
        return cleaned

    def _background_check_current(self, checked_on: date | None) -> None:
        """The check must still count today, as the page asks and the policy requires at every request
        (`accounts.vetting`): an account invited with a lapsed one could never be used, and nothing records
        a renewal. A lapsed training date is taken: the course renews it at the person's first sign-in."""
        if checked_on is None or background_check_lapses_on(checked_on) > timezone.localdate():
            return
        self.date_parts_wrong.update(f"background_check_{part}" for part in ("day", "month", "year"))
        self.add_error("background_check_day", BACKGROUND_CHECK_NOT_CURRENT)

    def _override_holder_check(self, cleaned: dict[str, Any]) -> None:
        """Break-glass only for child-protection staff (`OVERRIDE_HOLDER_KINDS`)."""
        chosen = getattr(self, "organisations", {}).get(cleaned.get("organisation") or "")
        if (
            cleaned.get("role") == Role.OVERRIDE_HOLDER
            and chosen is not None
            and chosen.kind not in OVERRIDE_HOLDER_KINDS
        ):
            self.add_error("role", OVERRIDE_HOLDER_REFUSED)

    def clean_first_name(self) -> str:
        """Names are shown on every page ("Signed in as"), on the LA team's lists and in audit reports: they
        must read as stored (no control, right-to-left override or zero-width character), and be letters
        and the separators names use, as a feed's names are."""
        return readable(self.cleaned_data.get("first_name", ""), "The first name", name=True)

    def clean_last_name(self) -> str:
        return readable(self.cleaned_data.get("last_name", ""), "The last name", name=True)

    def clean_manager_email(self) -> str:
        """Django's EmailField takes any character from U+00A1 up in the domain, zero-width and right-to-left
        ones among them: shown on the account page, and a suspension notice is sent to it (an address the
        mail library cannot encode would fail there, after the suspension is stored)."""
        return readable(self.cleaned_data.get("manager_email", ""), "The line manager's email address")

    def clean_home_postcode(self) -> str:
        typed = self.cleaned_data["home_postcode"].strip()
        if not typed:
            return ""
        return _full_postcode(typed, "Enter a full postcode, like LS1 4AB, or leave the home postcode blank")

    def clean_email(self) -> str:
        return invitee_email(self.cleaned_data["email"], inviter=self.inviter)

    def clean_username(self) -> str:
        """Django's username validator and one script only: the name's own shape. Whether an account has
        it (or a look-alike of it) is asked last, of an otherwise valid form (`full_clean`).

        The name is NFKC-normalised first, as sign-in normalises what is typed (Django's UsernameField):
        a name stored as typed in full-width letters ("\uff49\uff56\uff59") could never be signed in with.
        """
        username = unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()
        if _longer_than_stored(username):
            raise forms.ValidationError(USERNAME_TOO_LONG)
        try:
            User.username_validator(username)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Enter a username using only letters, numbers and the characters . @ + - _"
            ) from error
        # The validator takes the Hangul filler for a letter: a name of fillers would show as nothing at all.
        readable(username, "The username")
        if is_mixed_script(username):
            raise forms.ValidationError("Use letters from one alphabet only in the username")
        return username

    def full_clean(self) -> None:
        """Once every other answer is valid (a subclass's own checks too), and only then: are the name and
        the address free (`in_use_answered`)? An invalid form never says, so nothing is tested without an
        invitation being sent."""
        super().full_clean()
        if self.is_bound and not self.errors:
            username, email = self.cleaned_data["username"], self.cleaned_data["email"]
            look_ups: dict[str, InUseLookUp] = {
                "username": lambda: username_in_use(username),
                "email": lambda: email_in_use(email),
            }
            in_use_answered(self, by=self.inviter, look_ups=look_ups)

    def organisation_chosen(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]

    def invite(self) -> tuple[User, str] | None:
        """Send the invitation this valid form describes: one call for the LA team's and the
        administrator's invitation pages (the national form is a subclass).

        None, with the username's error added, when a colleague took the name (or a look-alike of it)
        after this form checked it: the database refused the second account (`UsernameTaken`); likewise
        the email address's error when a colleague invited the same address meanwhile (`EmailTaken`), and
        the organisation's when it was moved, closed or de-accredited meanwhile.
        """
        data = self.cleaned_data
        try:
            return self._account_invite(data)
        except UsernameTaken:
            self._taken_meanwhile("username", USERNAME_LOOKS_TAKEN)
            return None
        except EmailTaken:
            self._taken_meanwhile("email", EMAIL_TAKEN)
            return None
        except OrganisationMovedAway:
            self.add_error("organisation", ORGANISATION_MOVED_AWAY)
            return None
        except OrganisationCutOff as cut_off:
            self.add_error(
                "organisation", ORGANISATION_CLOSED if cut_off.closed else ORGANISATION_NOT_ACCREDITED
            )
            return None

    def _taken_meanwhile(self, field: str, message: str) -> None:
        """The database refused the name or address: an "in use" answer like the look-up's, audited."""
        self.add_error(field, message)
        if self.inviter is not None:
            in_use_refusal_record(self.inviter, fields=[field], lookalike=field == "username", counted=False)

    def _account_invite(self, data: dict[str, Any]) -> tuple[User, str]:
        if self.inviter is None:
            raise InviterUnknown("an invitation form without its inviter cannot check self-invitation")
        return account_invite(
            by=self.inviter,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation=self.organisation_chosen(),
            role=data["role"],
            background_check_on=data["background_check_on"],
            training_completed_on=data["training_completed_on"],
            manager_email=data["manager_email"],
            home_postcode=data["home_postcode"] or None,
            within_la_id=self.local_authority_id,
        )


class InvitationAddressForm(GovukErrors, forms.Form):
    """The corrected address of an account still waiting for its invitation (the one typed was wrong),
    on the account's page: a new link goes to it (`accounts.services.invitation_address_correct`).

    Shown filled in with the address as stored, so the mistake can be seen and mended in place."""

    email = forms.EmailField(
        label="Their email address",
        max_length=254,  # the column's length, as the invitation form's
        help_text=(
            "If the address they were invited at is wrong, correct it here. A new invitation link is sent "
            "to the corrected address and the link sent before stops working."
        ),
    )
    summary_anchor = "id_email"

    def __init__(self, *args: Any, invitee: User, corrector: User | None = None, **kwargs: Any) -> None:
        """`invitee`: the account whose address is corrected. `corrector`: who corrects it, who may not
        send its link to their own address (as nobody may invite an account for themselves)."""
        super().__init__(*args, **kwargs)
        self.invitee = invitee
        self.corrector = corrector

    def clean_email(self) -> str:
        email = invitee_email(self.cleaned_data["email"], inviter=self.corrector)
        if email.casefold() == self.invitee.email.strip().casefold():
            raise forms.ValidationError(
                "This is the address the invitation was sent to: enter the corrected address, or send a "
                "new link to this one with the button above"
            )
        return email

    def full_clean(self) -> None:
        """Whether another open account has the address, asked last, as the invitation asks it."""
        super().full_clean()
        if self.is_bound and not self.errors:
            email = self.cleaned_data["email"]
            look_ups: dict[str, InUseLookUp] = {"email": lambda: email_in_use(email, besides=self.invitee)}
            in_use_answered(self, by=self.corrector, look_ups=look_ups)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class BackgroundCheckForm(GovukErrors, DatePartsMixin, forms.Form):
    """The date of a renewed enhanced background check (`accounts.services.background_check_record`), on
    its own page from the account's page: a real date, today or earlier, still current, and later than
    the one the account holds (`subject`, as the page read it; the service judges it again)."""

    background_check_day = _date_part()
    background_check_month = _date_part()
    background_check_year = _date_part()
    summary_anchor = "id_background_check_day"

    def __init__(self, *args: Any, subject: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subject = subject

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        checked_on = self.combine_date(
            "background_check",
            label="the date of the enhanced background check",
            required=True,
            min_year=1990,
        )
        cleaned["background_check_on"] = checked_on
        if checked_on is None:
            return cleaned
        held = self.subject.background_check_on
        if held is not None and checked_on < held:
            self._refuse(
                f"This is earlier than the check already recorded ({_long_date(held)}): enter the date of "
                "the renewed check"
            )
        elif held == checked_on:
            self._refuse("This date is already recorded: enter the date of the renewed check")
        elif background_check_lapses_on(checked_on) <= timezone.localdate():
            self._refuse(BACKGROUND_CHECK_NOT_CURRENT)
        return cleaned

    def _refuse(self, message: str) -> None:
        self.date_parts_wrong.update(f"background_check_{part}" for part in ("day", "month", "year"))
        self.add_error("background_check_day", message)


class SuspendForm(GovukErrors, forms.Form):
    reason = forms.CharField(
        label="Why are you suspending this account?",
        max_length=300,
        help_text="The user's manager will be told. Do not include any child's details.",
        error_messages={"required": "Enter why you are suspending this account"},
    )
    summary_anchor = "id_reason"

    def clean_reason(self) -> str:
        """Whoever decides on reinstating the account reads the reason: it must read as it is stored."""
        return readable(self.cleaned_data.get("reason", ""), "The reason")


class HomePostcodeForm(GovukErrors, forms.Form):
    postcode = forms.CharField(
        label="Home postcode",
        max_length=20,
        help_text=HOME_POSTCODE_HINT,
        error_messages={"required": "Enter their home postcode"},
    )
    summary_anchor = "id_postcode"

    def clean_postcode(self) -> str:
        return _full_postcode(self.cleaned_data["postcode"], "Enter a full postcode, like LS1 4AB")


INDEX_NUMBER_SEPARATORS = re.compile(r"[,;\n\r]+")


class ExportRequestForm(GovukErrors, forms.Form):
    """A disclosure export request: why, which children (few, own LA), and each field, one by one."""

    lawful_basis = forms.ChoiceField(
        label="Why are these details being disclosed?",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why these details are being disclosed"},
    )
    reference = forms.CharField(
        label="Reference",
        max_length=60,
        help_text="For example the court order number or the police reference. Do not include any child's details.",
        error_messages={"required": "Enter the reference, for example the court order number"},
    )
    index_numbers = forms.CharField(
        label="Index numbers of the children",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the index number of at least one child"},
    )
    details = forms.MultipleChoiceField(
        label="Which details are needed?",
        choices=list(EXPORT_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose only what the disclosure needs. The index number is always included.",
        error_messages={"required": "Select the details that are needed"},
    )
    summary_anchor = "id_lawful_basis"

    def __init__(self, *args: Any, local_authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local_authority_id = local_authority_id
        limit = settings.DISCLOSURE_EXPORT_MAX_CHILDREN
        self.fields[
            "index_numbers"
        ].help_text = (
            f"One per line, or separated by commas. At most {limit}, all held by your local authority."
        )
        self.fields["details"].error_messages["invalid_choice"] = "Select only details from the list"
        self.fields["details"].error_messages["invalid_list"] = "Select the details that are needed"

    def clean_reference(self) -> str:
        """The approver decides on the reference as shown: it must read as it is stored (no right-to-left
        override, zero-width or control character), as every other text a person reads."""
        return readable(self.cleaned_data.get("reference", ""), "The reference")

    def clean_index_numbers(self) -> list[Child]:
        """Each number must be a real index number of an active record held by this LA.

        A number held by another LA is answered exactly like one that does not exist, so the form
        cannot be used to learn which LA holds a child.
        """
        raw = self.cleaned_data["index_numbers"]
        numbers = []
        for part in INDEX_NUMBER_SEPARATORS.split(raw):
            number = "".join(part.split())
            if number and number not in numbers:
                numbers.append(number)
        if not numbers:
            raise forms.ValidationError("Enter the index number of at least one child")
        limit = settings.DISCLOSURE_EXPORT_MAX_CHILDREN
        if len(numbers) > limit:
            raise forms.ValidationError(
                f"An export can name at most {limit} children: this is never a bulk download"
            )
        malformed = [number for number in numbers if not index_number_is_valid(number)]
        if malformed:
            raise forms.ValidationError(
                f"Enter index numbers of 10 digits, like 123 456 7890 (check {_first(malformed)})"
            )
        found = {
            child.index_number: child
            for child in Child.objects.filter(
                index_number__in=numbers,
                local_authority_id=self.local_authority_id,
                status=RecordStatus.ACTIVE,
            ).select_related("data_key")
        }
        missing = [number for number in numbers if number not in found]
        if missing:
            raise forms.ValidationError(
                f"No active record held by your local authority has the index number {_first(missing)}"
            )
        return [found[number] for number in numbers]


def _first(numbers: list[str]) -> str:
    return numbers[0][:14]


class ExportDecisionForm(GovukErrors, forms.Form):
    decision = forms.ChoiceField(
        label="Do you approve this export?",
        choices=[("approve", "Yes, approve it"), ("refuse", "No, refuse it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve this export"},
    )
    reason = forms.CharField(
        label="Reason for your decision",
        max_length=300,
        help_text="The requester will see this. Do not include any child's details.",
        error_messages={"required": "Enter the reason for your decision"},
    )
    summary_anchor = "id_decision"

    def clean_reason(self) -> str:
        """The requester reads the reason (and the sealed note keeps it): it must read as it is stored."""
        return readable(self.cleaned_data.get("reason", ""), "The reason")
