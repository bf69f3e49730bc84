"""Forms the LA team uses to manage accounts in its own local authority."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from accounts.directory import open_organisations
from accounts.models import Organisation, Role, User
from accounts.usernames import is_mixed_script, username_skeleton
from accounts.wording import GovukErrors
from children.forms import DatePartsMixin

INVITABLE_ROLES = [
    (Role.PRACTITIONER.value, Role.PRACTITIONER.label),
    (Role.OVERRIDE_HOLDER.value, Role.OVERRIDE_HOLDER.label),
    (Role.LA_TEAM.value, Role.LA_TEAM.label),
    (Role.DATA_MANAGER.value, Role.DATA_MANAGER.label),
]


def _date_part() -> forms.CharField:
    return forms.CharField(required=False, strip=True, max_length=20)


class InviteForm(GovukErrors, DatePartsMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Work email address")
    username = forms.CharField(label="Username", max_length=150)
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
    manager_email = forms.EmailField(label="Line manager's email address", required=False)
    summary_anchor = "id_first_name"

    def __init__(self, *args: Any, local_authority_id: int | None, **kwargs: Any) -> None:
        """`local_authority_id`: the LA team's own LA, whose organisations are offered; None when a
        subclass offers its own (the system administrator's national invitations)."""
        super().__init__(*args, **kwargs)
        if local_authority_id is not None:
            organisations = Organisation.objects.filter(pk=local_authority_id) | Organisation.objects.filter(
                local_authority_id=local_authority_id
            )
            self.offer_organisations(organisations)

    def offer_organisations(self, organisations: QuerySet[Organisation]) -> None:
        """The accredited, open organisations the person may be invited to (a closed one takes nobody)."""
        offered = organisations.filter(accredited_on__isnull=False) & open_organisations()
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
        return cleaned

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


class SuspendForm(GovukErrors, forms.Form):
    reason = forms.CharField(
        label="Why are you suspending this account?",
        max_length=300,
        help_text="The user's manager will be told. Do not include any child's details.",
        error_messages={"required": "Enter why you are suspending this account"},
    )
    summary_anchor = "id_reason"
