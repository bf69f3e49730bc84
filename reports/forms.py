"""Forms of the audit pages. Report filters travel in query strings: dates and ids only, never names."""

from datetime import date
from typing import Any

from django import forms
from django.core.validators import RegexValidator

EARLIEST_REPORT_DATE = date(2000, 1, 1)
LATEST_REPORT_DATE = date(2999, 12, 31)
REPORT_DATE_RANGE = "The date must be a date between 1 January 2000 and 31 December 2999"


def _report_date(value: date | None) -> date | None:
    """Bounded so that the day after (the end of the period) and its midnight always exist."""
    if value is not None and not EARLIEST_REPORT_DATE <= value <= LATEST_REPORT_DATE:
        raise forms.ValidationError(REPORT_DATE_RANGE)
    return value


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, help_text="For example, 2026-01-31")
    date_to = forms.DateField(label="To", required=False, help_text="For example, 2026-02-28")

    def clean_date_from(self) -> date | None:
        return _report_date(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> date | None:
        return _report_date(self.cleaned_data.get("date_to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def period(self) -> tuple[date | None, date | None]:
        """The chosen period, or no limit when the filter is invalid or empty (errors are shown)."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")


class LookupForm(forms.Form):
    """Find the subject of a report: a username, or a child's index number (never a name)."""

    username = forms.CharField(label="Username", max_length=150, required=False)
    index_number = forms.CharField(label="Index number", max_length=14, required=False)


class SubjectAccessForm(forms.Form):
    identity_checked = forms.BooleanField(
        label="I have checked the identity of the person making this request, and their right to it",
        error_messages={"required": "Confirm that you have checked the requester's identity"},
    )
    reference = forms.CharField(
        label="Request reference",
        max_length=40,
        help_text="Your case reference, for example SAR-2026-0042. Letters, numbers, / and - only.",
        validators=[RegexValidator(r"^[A-Za-z0-9/-]+$", "Use letters, numbers, / and - only")],
        error_messages={"required": "Enter the request reference"},
    )
    withhold_covert = forms.BooleanField(
        label="Withhold police safeguarding enquiries (covert-enquiry rule)",
        required=False,
        initial=True,
    )
