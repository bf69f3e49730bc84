"""Forms of the merge pages: which two records, and the confirmed reason for merging or undoing a merge."""

from django import forms

from accounts.wording import GovukErrors
from children import index_number
from children.forms import readable


class MergeFindForm(GovukErrors, forms.Form):
    survivor = forms.CharField(
        label="Index number of the record to keep",
        max_length=20,
        error_messages={"required": "Enter the index number of the record to keep"},
    )
    duplicate = forms.CharField(
        label="Index number of the duplicate record",
        max_length=20,
        help_text="Its details, carers and involvements move to the record you keep.",
        error_messages={"required": "Enter the index number of the duplicate record"},
    )
    summary_anchor = "id_survivor"

    def _number(self, name: str) -> str:
        value = self.cleaned_data[name].replace(" ", "")
        if not index_number.is_valid(value):
            raise forms.ValidationError("Enter a 10-digit index number, like 123 456 7890")
        return value

    def clean_survivor(self) -> str:
        return self._number("survivor")

    def clean_duplicate(self) -> str:
        return self._number("duplicate")

    def clean(self) -> dict[str, str]:
        cleaned = super().clean() or {}
        if cleaned.get("survivor") and cleaned.get("survivor") == cleaned.get("duplicate"):
            self.add_error("duplicate", "Enter the index number of a different record")
        return cleaned


class MergeConfirmForm(GovukErrors, forms.Form):
    reason = forms.CharField(
        label="Why are these the same child?",
        max_length=500,
        help_text="Say what you checked. Do not include names or addresses.",
        error_messages={"required": "Enter why these records are the same child"},
    )
    confirmed = forms.BooleanField(
        label="I have checked that these two records are the same child",
        error_messages={"required": "Confirm that you have checked these records are the same child"},
    )
    summary_anchor = "id_reason"

    def clean_reason(self) -> str:
        # Sealed into the audit and read back in the child's access report: it must read as stored.
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)


class UnmergeForm(GovukErrors, forms.Form):
    reason = forms.CharField(
        label="Why should this merge be undone?",
        max_length=500,
        help_text="Say what you found. Do not include names or addresses.",
        error_messages={"required": "Enter why this merge should be undone"},
    )
    confirmed = forms.BooleanField(
        label="I have checked that these records are two different children",
        error_messages={"required": "Confirm that you have checked these are two different children"},
    )
    summary_anchor = "id_reason"

    def clean_reason(self) -> str:
        return readable(self.cleaned_data.get("reason", ""), "The reason", lines=True)
