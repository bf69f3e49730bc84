"""Forms of the audit pages. Report filters travel in query strings: dates and ids only, never names."""

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from accounts.wording import GovukErrors
from children.forms import DatePartsMixin

EARLIEST_REPORT_DATE = date(2000, 1, 1)
LATEST_REPORT_DATE = date(2999, 12, 31)
REPORT_DATE_RANGE = "The date must be a date between 1 January 2000 and 31 December 2999"
# The longest period a report over everything in the reader's scope reads (unexplained views, the summaries).
MAX_SCOPE_WIDE_DAYS = 366


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True, max_length=20)


ISO_DATE = re.compile(r"(\d{1,4})-(\d{1,2})-(\d{1,2})")


class ReportFilterForm(GovukErrors, DatePartsMixin, forms.Form):
    """The period of a report: two GOV.UK date inputs (from, to), both optional.

    Links the pages make themselves (pagination, the export) carry the period as `date_from` and
    `date_to` (ISO dates): those are read into the same boxes, so one set of rules and messages applies.
    """

    from_day = _date_part()
    from_month = _date_part()
    from_year = _date_part()
    to_day = _date_part()
    to_month = _date_part()
    to_year = _date_part()

    summary_anchor = "id_from_day"

    def __init__(self, data: Any = None, *args: Any, max_days: int | None = None, **kwargs: Any) -> None:
        self.max_days = max_days
        if data is not None:
            data = data.copy()
            for name, prefix in (("date_from", "from"), ("date_to", "to")):
                iso = str(data.get(name, "") or "").strip()
                if iso and not any(data.get(f"{prefix}_{p}") for p in ("day", "month", "year")):
                    matched = ISO_DATE.fullmatch(iso)
                    year, month, day = matched.groups() if matched else (iso, iso, iso)
                    data.update({f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year})
        super().__init__(data, *args, **kwargs)

    def _report_date(self, prefix: str, label: str) -> date | None:
        """Bounded so that the day after (the end of the period) and its midnight always exist."""
        value = self.combine_date(prefix, label=label, required=False, min_year=1, future=True)
        if value is not None and not EARLIEST_REPORT_DATE <= value <= LATEST_REPORT_DATE:
            self.date_parts_wrong.add(f"{prefix}_year")
            self.add_error(f"{prefix}_year", REPORT_DATE_RANGE)
            return None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.date_parts_wrong = set()
        start = data["date_from"] = self._report_date("from", "the start date")
        end = data["date_to"] = self._report_date("to", "the end date")
        if start and end and start > end:
            self.date_parts_wrong.update({"to_day", "to_month", "to_year"})
            self.add_error("to_day", "The end date must be the same as or after the start date")
        elif start and self.max_days and ((end or timezone.localdate()) - start).days >= self.max_days:
            self.date_parts_wrong.update({"from_day", "from_month", "from_year"})
            self.add_error(
                "from_day",
                f"The period can be at most {self.max_days} days: choose a later start date or an earlier end date",
            )
        return data

    def period(self) -> tuple[date | None, date | None]:
        """The chosen period, or no limit when the filter is invalid or empty (errors are shown)."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")

    def bounded_period(self, default_days: int) -> tuple[date, date | None]:
        """The chosen period, for a report over everything in scope (built with `max_days`): without a
        start date (or with an invalid filter, whose errors are shown) the `default_days` before the end
        date or today, so no request reads the whole log."""
        start, end = self.period()
        if start is None:
            start = (end or timezone.localdate()) - timedelta(days=default_days)
        return start, end


class LookupForm(GovukErrors, forms.Form):
    """Find the subject of a report: a username, or a child's index number (never a child's name).

    Posted, never read from a query string: what is typed must not reach a URL (`reports.views.index`).
    """

    username = forms.CharField(
        label="Name or username",
        max_length=150,
        required=False,
        help_text="For example, Alice Example or alice.example",
    )
    index_number = forms.CharField(label="Index number", max_length=14, required=False)
    # Which of the page's two look-ups was submitted, so an empty one is answered, not ignored.
    find = forms.ChoiceField(
        choices=[("user", "user"), ("record", "record")], required=False, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        find = cleaned.get("find")
        if find == "user" and not cleaned.get("username", "").strip() and "username" not in self.errors:
            self.add_error("username", "Enter a name or username")
        if (
            find == "record"
            and not cleaned.get("index_number", "").strip()
            and "index_number" not in self.errors
        ):
            self.add_error("index_number", "Enter an index number")
        return cleaned


class SubjectAccessForm(GovukErrors, forms.Form):
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
