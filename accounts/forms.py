"""Sign-in, second factor and invitation forms."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed

from accounts.models import User
from accounts.network import client_network
from accounts.passwords import password_guessable
from accounts.ratelimit import (
    LOGIN_IP,
    LOGIN_USER,
    Limiter,
    attempts_give_back,
    attempts_take,
    canonical_username,
    login_subject,
    login_username_token,
    refusal_audit_due,
    username_overlong,
)
from accounts.wording import PASSWORD_MESSAGES, GovukErrors, password_errors
from audit.services import event_record
from audit.tags import AuditTag

GENERIC_FAILURE = "Enter a correct username and password"
THROTTLED = "Too many attempts to sign in. Wait 5 minutes and try again"
LOCKED_WHAT = {LOGIN_USER.name: "account", LOGIN_IP.name: "address"}


class SignInForm(GovukErrors, AuthenticationForm):
    """One message for every failure, so responses never reveal whether an account exists.

    Failures count against both the username and the IP address; at 10 in 5 minutes, further
    attempts are refused without checking the password (for existing and unknown names alike).
    """

    error_messages = {"invalid_login": GENERIC_FAILURE, "inactive": GENERIC_FAILURE}
    summary_anchor = "id_username"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        """The attempt is counted before the password is checked (`attempts_take`), so guesses sent at
        the same moment cannot all be checked; it is given back if the password is right. A name longer
        than any username is counted, and refused, by a hash of it (`accounts.ratelimit.canonical_username`)."""
        username = str(self.data.get("username", ""))
        attempts = ((LOGIN_USER, login_subject(username)), (LOGIN_IP, client_network(self.request)))
        if attempts_take(*attempts) is None:
            self._refusal_record(username, attempts)
            raise forms.ValidationError(THROTTLED, code="throttled")
        if username_overlong(username):
            # No account's name (`username_overlong`): refused as an unknown name is, and audited as its
            # failure is, but never normalised nor looked up (megabytes of it may have been sent).
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise self.get_invalid_login_error()
        cleaned = super().clean()  # a failure raises, and its attempts stay counted
        attempts_give_back(*attempts)
        return cleaned

    @staticmethod
    def _refusal_record(username: str, attempts: tuple[tuple[Limiter, str], ...]) -> None:
        """Audit the first refusal of each minute per lock (`refusal_audit_due`), with the refusals of
        the minute before: the name tried as the blind token its failures carry (`accounts.signals`: the
        name as sign-in reads it, lower-cased), and which limit refused it: "account" (`login.user`),
        "address" (`login.ip`). Never the name or the address themselves."""
        exceeded = [(limiter, subject) for limiter, subject in attempts if limiter.exceeded(subject)]
        limiter, subject = (exceeded or list(attempts))[0]
        due, before = refusal_audit_due(f"{limiter.name}:{subject}")
        if not due:
            return
        event_record(
            tag=AuditTag.LoginThrottled,
            actor=None,
            additional={
                "username_token": login_username_token(canonical_username(username)),
                "locked": [LOCKED_WHAT[refusing.name] for refusing, _ in exceeded],
                "refused_in_the_minute_before": before,
            },
        )


class CodeForm(GovukErrors, forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
        error_messages={"required": "Enter your security code"},
    )
    summary_anchor = "id_code"


class EnrolmentCodeForm(CodeForm):
    """At enrolment there are no recovery codes yet: only the app's code makes sense."""

    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows for ContactPoint",
        error_messages={"required": "Enter the security code from your authenticator app"},
    )


class ReauthenticateForm(CodeForm):
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your password"},
    )

    field_order = ["password", "code"]
    summary_anchor = "id_password"


class SetPasswordForm(GovukErrors, forms.Form):
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter the password again to confirm it"},
    )
    agreement = forms.BooleanField(
        label="I have read and agree to the ContactPoint user agreement",
        error_messages={"required": "You must agree to the user agreement"},
    )
    summary_anchor = "id_password1"

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                for message in password_errors(error):
                    self.add_error("password1", message)
            else:
                if password_guessable(first):
                    self.add_error("password1", PASSWORD_MESSAGES["password_too_common"])
        return cleaned


class ChangePasswordForm(SetPasswordForm):
    """A new password for one's own account: the invitation's rules, without its agreement (signed then),
    and the current password (ASVS V2.1.6): the page's step-up may be the sign-in's own, so a session
    taken in its first 15 minutes must not set a password without knowing the old one. The view checks
    it, within the sign-in limits (`accounts.views.password_change`)."""

    current = forms.CharField(
        label="Current password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your current password"},
    )
    field_order = ["current", "password1", "password2"]
    summary_anchor = "id_current"

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["agreement"]
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "Confirm new password"
