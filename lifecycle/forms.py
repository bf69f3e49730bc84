"""Lifecycle forms: finding and opening the archive, transfers, address statements, new identities
(GOV.UK errors)."""

from typing import Any, cast

from django import forms

from accounts.wording import GovukErrors
from children import index_number as index_numbers
from children.forms import DatePartsMixin, _date_part, readable
from children.models import ARCHIVE_AGE_DEFAULT, ARCHIVE_AGE_LIMIT
from children.records import Address, AddressStatus, ChildDetails, Gender, ReturnIntention
from children.text import TOO_MANY_PARTS, name_too_long
from lifecycle.identity import NewIdentityCategory
from lifecycle.viewing import ARCHIVE_PURPOSE_CHOICES, STATUTORY_REASON_CHOICES
from matching.normalise import normalise_postcode


class ArchiveOpenForm(GovukErrors, forms.Form):
    purpose = forms.ChoiceField(
        label="Why are you opening this archived record?",
        choices=ARCHIVE_PURPOSE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are opening this archived record"},
    )
    statutory_reason = forms.ChoiceField(
        label="Statutory reason",
        choices=STATUTORY_REASON_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="This record was archived more than a year ago: it opens only for one of these.",
    )
    detail = forms.CharField(
        label="Details",
        required=False,
        max_length=500,
        help_text="A case or court reference. Do not include names or addresses.",
    )

    def __init__(self, *args: Any, statutory: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statutory = statutory
        if not statutory:
            del self.fields["statutory_reason"]

    def clean_detail(self) -> str:
        return readable(self.cleaned_data.get("detail", ""), "The detail")  # auditors read it

    def clean(self) -> dict[str, Any]:
        """After the first year the statutory reason and a reference are required, not optional."""
        cleaned = super().clean() or {}
        if self.statutory and not cleaned.get("statutory_reason"):
            self.add_error("statutory_reason", "Select the statutory reason for opening this record")
        needs_detail = self.statutory or cleaned.get("purpose") == "other"
        if needs_detail and not cleaned.get("detail", "").strip():
            self.add_error("detail", "Enter a case or court reference, or details of why")
        return cleaned


class ArchiveFindForm(GovukErrors, forms.Form):
    """One exact index number: the archive is never browsed or searched by name."""

    index_number = forms.CharField(
        label="Index number",
        max_length=20,
        help_text="10 digits, for example 123 456 7890",
        error_messages={"required": "Enter an index number"},
    )

    def clean_index_number(self) -> str:
        """Spaces and hyphens as people write them are ignored; a wrong check digit is caught here."""
        number = "".join(self.cleaned_data["index_number"].replace("-", " ").split())
        if len(number) != 10 or not number.isdigit():
            raise forms.ValidationError("Index number must be 10 digits, like 123 456 7890")
        if not index_numbers.is_valid(number):
            raise forms.ValidationError(
                "Check the index number: one digit is wrong, or two digits are the wrong way round"
            )
        return number


class TransferRequestForm(GovukErrors, forms.Form):
    to_la = forms.ChoiceField(
        label="Which local authority should take over this record?",
        error_messages={"required": "Select the local authority that should take over this record"},
    )
    reason = forms.CharField(
        label="Why is the record moving?",
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, the family has moved to the area. The other local authority's team will read this.",
        error_messages={"required": "Enter why the record is moving"},
    )

    def __init__(self, *args: Any, local_authorities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["to_la"])  # declared above
        field.choices = [("", "Select a local authority"), *local_authorities]

    def clean_reason(self) -> str:
        # The other LA's team reads it before deciding, as written.
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)


class TransferDecisionForm(GovukErrors, forms.Form):
    decision = forms.ChoiceField(
        label="Will your local authority take over this record?",
        choices=(("accept", "Yes, accept the transfer"), ("decline", "No, decline the transfer")),
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether your local authority will take over this record"},
    )
    decline_reason = forms.CharField(
        label="Why are you declining?", max_length=500, required=False, widget=forms.Textarea
    )

    def clean_decline_reason(self) -> str:
        # The sending LA's team reads it, as written.
        return readable(self.cleaned_data.get("decline_reason", ""), "The reason", lines=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "decline" and not cleaned.get("decline_reason", "").strip():
            self.add_error("decline_reason", "Enter why you are declining the transfer")
        return cleaned


class TransferWithdrawForm(GovukErrors, forms.Form):
    """Why the sending team takes its request back (sealed: both teams read it), and a confirmation."""

    reason = forms.CharField(
        label="Why are you withdrawing the request?",
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, it was sent to the wrong local authority. Both teams will read this.",
        error_messages={"required": "Enter why you are withdrawing the request"},
    )
    confirm = forms.BooleanField(
        label="I understand that the other local authority will no longer be able to accept this request",
        error_messages={"required": "Confirm that you want to withdraw the request"},
    )

    def clean_reason(self) -> str:
        # The receiving LA's team reads it, as written.
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)


class _ReadableAddress:
    """The address lines and town go into the child's record, shown to practitioners and searched on:
    refused if they would read differently from what is stored (`children.forms.readable`)."""

    cleaned_data: dict[str, Any]

    def clean_line_1(self) -> str:
        return readable(self.cleaned_data.get("line_1", ""), "Address line 1")

    def clean_line_2(self) -> str:
        return readable(self.cleaned_data.get("line_2", ""), "Address line 2")

    def clean_town(self) -> str:
        return readable(self.cleaned_data.get("town", ""), "The town or city")


class AddressStatusForm(GovukErrors, _ReadableAddress, forms.Form):
    status = forms.ChoiceField(
        label="Where does the child live?",
        choices=(
            (AddressStatus.KNOWN, "At an address in England"),
            (AddressStatus.NO_KNOWN_ADDRESS, "No known address"),
            (AddressStatus.LEFT_ENGLAND, "The child has left England"),
        ),
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the child lives"},
    )
    line_1 = forms.CharField(label="Address line 1", max_length=120, required=False)
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    return_intention = forms.ChoiceField(
        label="Does the child intend to return to England?",
        choices=tuple(ReturnIntention.LABELS.items()),
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        """An address needs its first line, town and a real postcode; left England needs the intention."""
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        if status == AddressStatus.KNOWN:
            if not cleaned.get("line_1", "").strip():
                self.add_error("line_1", "Enter address line 1")
            if not cleaned.get("town", "").strip():
                self.add_error("town", "Enter the town or city")
            postcode = normalise_postcode(cleaned.get("postcode", ""))
            if postcode is None:
                self.add_error("postcode", "Enter a real postcode, like SW1A 1AA")
            cleaned["postcode"] = postcode
        if status == AddressStatus.LEFT_ENGLAND and not cleaned.get("return_intention"):
            self.add_error("return_intention", "Select whether the child intends to return to England")
        return cleaned

    def address_lines(self) -> list[str]:
        data = self.cleaned_data
        return [line.strip() for line in (data["line_1"], data["line_2"], data["town"]) if line.strip()]


def _few_parts(name: str, label: str) -> str:
    """`name`, if it has no more parts than a feed's name may (`children.text.NAME_PARTS_MOST`): each part
    files the new record under more keys, and each key is a lock its shield, transfer or merge takes."""
    if name_too_long(name):
        raise forms.ValidationError(f"{label} {TOO_MANY_PARTS}")
    return name


class NewIdentityForm(GovukErrors, _ReadableAddress, DatePartsMixin, forms.Form):
    category = forms.ChoiceField(
        label="Why does the child need a new identity?",
        choices=NewIdentityCategory.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the child needs a new identity"},
    )
    given_names = forms.CharField(
        label="Given names", max_length=100, error_messages={"required": "Enter the new given names"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the new family name"}
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child's gender"},
    )
    dob_day = _date_part()
    dob_month = _date_part()
    dob_year = _date_part()
    line_1 = forms.CharField(label="Address line 1", max_length=120)
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80)
    postcode = forms.CharField(label="Postcode", max_length=10)
    shielded = forms.BooleanField(label="Shield the new record", required=False)
    confirm = forms.BooleanField(
        label="I understand that the current record will be closed and never linked to the new one",
        error_messages={"required": "Confirm that the current record will be closed"},
    )

    def clean_given_names(self) -> str:
        # A name that reads as one thing and folds to another is never found by the search this page
        # sends the team to: letters only, as a feed's names (`children.text`).
        return _few_parts(
            readable(self.cleaned_data.get("given_names", ""), "The given names", name=True),
            "The given names",
        )

    def clean_family_name(self) -> str:
        return _few_parts(
            readable(self.cleaned_data.get("family_name", ""), "The family name", name=True),
            "The family name",
        )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA")
        return postcode

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["date_of_birth"] = self.combine_date("dob", label="the date of birth", required=True)
        return cleaned

    def details(self) -> ChildDetails:
        data = self.cleaned_data
        lines = [line.strip() for line in (data["line_1"], data["line_2"], data["town"]) if line.strip()]
        return ChildDetails(
            given_names=data["given_names"].strip(),
            family_name=data["family_name"].strip(),
            gender=data["gender"],
            date_of_birth=data["date_of_birth"],
            address=Address(lines=lines, postcode=data["postcode"]),
        )


SHIELD_APPLY = "apply"
SHIELD_LIFT = "lift"


class ShieldingForm(GovukErrors, forms.Form):
    """Why the shielding is applied or lifted (sealed under the child's key: it may name the risk), and
    a confirmation of what that does to what other practitioners see."""

    reason = forms.CharField(
        label="Why?",
        max_length=500,
        widget=forms.Textarea,
        help_text="Kept in the audit log, sealed: only people allowed to read this child's audit see it.",
        error_messages={"required": "Enter why the shielding is changing"},
    )
    confirm = forms.BooleanField(error_messages={"required": "Confirm the change"})
    # The change the page asked for, as it was read: sent back, so that a form sent twice (a double click,
    # the browser's history) or after a colleague's change does what the page said, never the opposite.
    change = forms.ChoiceField(
        choices=[(SHIELD_APPLY, "Apply the shielding"), (SHIELD_LIFT, "Lift the shielding")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Open the shielding page again and make the change from there",
            "invalid_choice": "Open the shielding page again and make the change from there",
        },
    )

    def __init__(self, *args: Any, shielded: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change"].initial = SHIELD_LIFT if shielded else SHIELD_APPLY
        self.fields["confirm"].label = (
            "I understand that other practitioners will again see where the child lives and find it by postcode"
            if shielded
            else "I understand that only our team will see where the child lives; others see its name and our contact"
        )

    def clean_reason(self) -> str:
        # Read back by whoever reviews the shield, as written (line breaks kept).
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)

    def shielded_wanted(self) -> bool:
        """Whether the record should be shielded after this (valid) form: what the page asked for, never
        guessed from the record's state now (which a colleague may have changed since)."""
        return bool(self.cleaned_data["change"] == SHIELD_APPLY)


ARCHIVE_AGE_CHOICE_ERROR = "Choose the age until which the record is kept, from 18 to 25"


class ArchiveAgeForm(GovukErrors, forms.Form):
    """The age until which the record is kept: 18, or later with the young person's consent (a care
    leaver, special educational needs), up to 25. 18 withdraws a consent and needs no confirmation."""

    age = forms.TypedChoiceField(
        label="Keep the record until the young person is",
        coerce=int,
        choices=[(ARCHIVE_AGE_DEFAULT, "18 (no consent to keep it longer)")]
        + [(age, str(age)) for age in range(ARCHIVE_AGE_DEFAULT + 1, ARCHIVE_AGE_LIMIT + 1)],
        widget=forms.RadioSelect,
        error_messages={"required": ARCHIVE_AGE_CHOICE_ERROR, "invalid_choice": ARCHIVE_AGE_CHOICE_ERROR},
    )
    consent = forms.BooleanField(
        label="The young person has agreed to the record being kept until this age",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("age", ARCHIVE_AGE_DEFAULT) > ARCHIVE_AGE_DEFAULT and not cleaned.get("consent"):
            self.add_error(
                "consent", "Confirm that the young person has agreed to the record being kept past 18"
            )
        return cleaned
