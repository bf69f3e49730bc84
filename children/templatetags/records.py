from django import template

from children import index_number as index_numbers
from children.records import Gender
from children.selectors import ChildRecordView

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
def organisation(view: ChildRecordView, organisation_id: int | None) -> object:
    return view.organisation(organisation_id)
