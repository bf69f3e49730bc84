import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from children import index_number as index_numbers
from children.records import Gender
from children.search_results import latest_search_id

register = template.Library()

_GENDER_LABELS = dict(Gender.CHOICES)


@register.filter
def index_number(value: str) -> str:
    return index_numbers.formatted(value)


@register.filter
def gender_label(value: str) -> str:
    return _GENDER_LABELS.get(value, "Not specified")


_SOURCE_SCHEMES = {
    "nhs_number": "NHS number",
    "upn": "Unique pupil number",
    "child_benefit": "Child benefit reference",
}


@register.filter
def source_scheme_label(value: str) -> str:
    return _SOURCE_SCHEMES.get(value, value)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")


@register.filter
def tel_href(phone: str) -> str:
    """A `tel:` link target: digits and a leading + only, so "0113 496 0000" dials on any phone."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


@register.filter
def email_breaks(email: str) -> SafeString:
    """An email address that may wrap only after "@" or before a ".", never mid-word (nor at a hyphen)."""
    pieces: list[str] = []
    for piece in re.split(r"(?<=@)|(?=\.)", email):
        if piece:
            pieces.append(f'<span class="cp-nowrap">{escape(piece)}</span>')
    return mark_safe("<wbr>".join(pieces))  # noqa: S308 -- every piece escaped above


@register.simple_tag(takes_context=True)
def back_to_search_url(context: template.Context) -> str:
    """The person's latest search results while they are kept, else the empty search page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return reverse("children:search")
    search_id = latest_search_id(request.session, by=user)
    return reverse("children:search_results", args=[search_id]) if search_id else reverse("children:search")
