"""Forms the LA team uses to manage accounts in its own local authority."""

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.usernames import is_mixed_script, username_skeleton

INVITABLE_ROLES = [
    (Role.PRACTITIONER.value, Role.PRACTITIONER.label),
    (Role.OVERRIDE_HOLDER.value, Role.OVERRIDE_HOLDER.label),
    (Role.LA_TEAM.value, Role.LA_TEAM.label),
    (Role.DATA_MANAGER.value, Role.DATA_MANAGER.label),
]


def _not_in_future(value: date, label: str) -> date:
    """A check or course still to come proves nothing yet; a date near the end of the calendar would
    also overflow when its validity period is added."""
    if value > timezone.localdate():
        raise forms.ValidationError(f"{label} must be today or in the past")
    return value


class InviteForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Work email address")
    username = forms.CharField(label="Username", max_length=150)
    organisation = forms.ChoiceField(label="Organisation")
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLES, widget=forms.RadioSelect)
    background_check_on = forms.DateField(
        label="Enhanced background check date", help_text="For example, 2026-01-31"
    )
    training_completed_on = forms.DateField(
        label="Training completed on", help_text="For example, 2026-01-31"
    )
    manager_email = forms.EmailField(label="Line manager's email address", required=False)
    summary_anchor = "id_first_name"

    def __init__(self, *args: Any, local_authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(pk=local_authority_id) | Organisation.objects.filter(
            local_authority_id=local_authority_id
        )
        self.organisations = {str(o.pk): o for o in organisations.filter(accredited_on__isnull=False)}
        field = cast(forms.ChoiceField, self.fields["organisation"])  # declared above
        field.choices = [(pk, o.name) for pk, o in self.organisations.items()]

    def clean_background_check_on(self) -> date:
        return _not_in_future(self.cleaned_data["background_check_on"], "The background check date")

    def clean_training_completed_on(self) -> date:
        return _not_in_future(self.cleaned_data["training_completed_on"], "The training date")

    def clean_username(self) -> str:
        """Django's username validator, one script only, and no look-alike of an existing account."""
        username = self.cleaned_data["username"].strip()
        try:
            User.username_validator(username)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Enter a username using only letters, numbers and the characters . @ + - _"
            ) from error
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is already in use")
        if is_mixed_script(username):
            raise forms.ValidationError("Use letters from one alphabet only in the username")
        if User.objects.filter(username_skeleton=username_skeleton(username)).exists():
            raise forms.ValidationError("That username looks too like an existing one: choose another")
        return username

    def organisation_chosen(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why are you suspending this account?",
        max_length=300,
        help_text="The user's manager will be told. Do not include any child's details.",
        error_messages={"required": "Enter why you are suspending this account"},
    )
    summary_anchor = "id_reason"
