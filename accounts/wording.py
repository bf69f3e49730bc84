"""GOV.UK Design System wording for form errors, in place of Django's defaults.

Django's messages ("This field is required.", "Ensure this value has at most 100 characters") tell a
person neither which question nor what to do. Every form in the service mixes in `GovukErrors`, which
writes each field's messages from its label, following the Design System's patterns ("Enter ...",
"Select ...", "... must be 100 characters or fewer"). A message a form sets itself is kept.
`tests/test_form_wording.py` walks every form and fails on any Django default.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"

# Django's password validators, by error code, in the Design System's words.
PASSWORD_MESSAGES = {
    "password_too_short": "Password must be {min_length} characters or more",
    "password_too_common": "Enter a password that is harder to guess",
    "password_entirely_numeric": "Password must include at least one letter or symbol",
    "password_too_similar": "Password must not be similar to your name, username or email address",
}


def _phrase(label: str) -> str:
    """ "Family name" -> "family name", leaving acronyms ("CAF", "NHS number") as they are."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def _django_defaults(field: forms.Field) -> set[str]:
    defaults: set[str] = set()
    for klass in type(field).__mro__:
        defaults.update(str(m) for m in getattr(klass, "default_error_messages", {}).values())
    return defaults


def govuk_messages(field: forms.Field, *, label: str) -> dict[str, str]:
    """The messages for one field, written from its label."""
    choosing = isinstance(field, forms.ChoiceField | forms.BooleanField)
    if label.endswith("?"):  # a question as the label: "Enter why do you ...?" would not read
        phrase, label = ("an answer" if choosing else "your answer"), "Your answer"
    else:
        phrase = _phrase(label)
    messages = {
        "required": f"Select {phrase}" if choosing else f"Enter {phrase}",
        "invalid_choice": f"Select {phrase}",
        "max_length": f"{label} must be %(limit_value)d characters or fewer",
        "min_length": f"{label} must be %(limit_value)d characters or more",
        # Django's ProhibitNullCharactersValidator, on every text box ("Null characters are not allowed."):
        # in the words the service's own check for control characters uses (`children.text`).
        "null_characters_not_allowed": f"{label} contains control or invisible characters",
    }
    if isinstance(field, forms.EmailField):
        messages["invalid"] = EMAIL_FORMAT
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{label} must be a real date"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{label} must be a number"
    return messages


class GovukErrors:
    """Mix into a form (before `forms.Form`): Django's default messages become GOV.UK ones."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ").capitalize())
            defaults = _django_defaults(field)
            for code, message in govuk_messages(field, label=label).items():
                current = field.error_messages.get(code)
                if current is None or str(current) in defaults:
                    field.error_messages[code] = message


def password_errors(error: ValidationError) -> list[str]:
    """Django's password validator messages, reworded by code (unknown codes keep their message)."""
    worded = []
    for item in error.error_list:
        template = PASSWORD_MESSAGES.get(item.code or "")
        if template is None:
            worded.extend(item.messages)
        else:
            worded.append(template.format(**(item.params or {})))
    return worded
