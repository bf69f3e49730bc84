"""The data manager's archive forms: finding a record by its index number, and the question answered
before it opens (GOV.UK error style)."""

from typing import Any

from django import forms

from accounts.wording import GovukErrors
from children import index_number as index_numbers
from lifecycle.viewing import ARCHIVE_PURPOSE_CHOICES, STATUTORY_REASON_CHOICES


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
