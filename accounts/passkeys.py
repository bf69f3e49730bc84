"""Passkeys (WebAuthn, through django-otp-webauthn) as a second factor beside TOTP.

The package's JSON views are used, narrowed to ContactPoint's rules:
- a password-authenticated session is required for every ceremony (no passwordless sign-in), so the
  password, lockout and vetting checks always run first;
- adding a passkey needs a session already verified with a second factor and a recent step-up, so a
  stolen password alone can never enrol an attacker's authenticator;
- user verification (PIN or biometric on the authenticator) is always required, so one passkey
  gesture proves possession and knowledge or inherence and may count as step-up re-authentication;
- failures share the TOTP limiter, so switching factor does not buy more guesses.
"""

import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.urls import reverse
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.structs import AuthenticatorSelectionCriteria, UserVerificationRequirement

from accounts.mfa import mfa_refusal_record, second_factor_login
from accounts.models import User
from accounts.ratelimit import MFA_USER
from accounts.services import session_live_held
from accounts.stepup import mark_reauthenticated, recently_authenticated
from audit.services import event_record
from audit.tags import AuditTag


class MfaVerificationRequired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Sign in with your authenticator app before adding a passkey."
    default_code = "mfa_required"


class ReauthenticationRequired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Confirm it is you again before adding a passkey."
    default_code = "reauthentication_required"


class PasskeyThrottled(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_detail = "Too many failed attempts. Wait 5 minutes and try again"
    default_code = "throttled"


class PasskeyAlreadyRegistered(exceptions.OTPWebAuthnApiError):
    status_code = 409
    default_detail = "This passkey is already added to a ContactPoint account"
    default_code = "passkey_already_registered"


class PasskeyHelper(WebAuthnHelper):
    """Requires user verification in both ceremonies and keeps names on the authenticator minimal."""

    def get_generate_registration_options_kwargs(self, *, user: AbstractBaseUser) -> dict[str, Any]:
        options: dict[str, Any] = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"] = AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=options["authenticator_selection"].resident_key,
        )
        return options

    def authenticate_begin(
        self, user: AbstractBaseUser | None = None, require_user_verification: bool = True
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The package relaxes verification for signed-in users; a passkey here must stand as step-up."""
        result: tuple[dict[str, Any], dict[str, Any]] = super().authenticate_begin(
            user=user, require_user_verification=True
        )
        return result

    def authenticate_complete(
        self, user: AbstractBaseUser | None, state: dict[str, Any], data: dict[str, Any]
    ) -> Any:
        """A passkey removed (the LA team's reset of the second factor, a closure) between the package
        reading it and recording its use left no row to record it on: Django's `DatabaseError`, a server
        error. It is a passkey not found (`CredentialNotFound`), counted and audited as a failure."""
        try:
            return super().authenticate_complete(user=user, state=state, data=data)
        except DatabaseError:
            raw_id = parse_authentication_credential_json(data).raw_id
            sha256 = WebAuthnCredential.get_credential_id_sha256(raw_id)
            if WebAuthnCredential.objects.filter(credential_id_sha256=sha256).exists():
                raise
            raise exceptions.CredentialNotFound() from None

    def _check_discoverable(self, original_data: dict[str, Any]) -> bool | None:
        """The package reads `clientExtensionResults.credProps.rk` as objects a browser always sends; any
        other shape (a number, null, a string) raised `TypeError`, a server error: a malformed request."""
        extensions = original_data.get("clientExtensionResults", {})
        if not isinstance(extensions, dict) or not isinstance(extensions.get("credProps", {}), dict):
            raise exceptions.MalformedRequest()
        discoverable: bool | None = super()._check_discoverable(original_data)
        return discoverable

    def get_credential_display_name(self, user: AbstractBaseUser) -> str:
        """The username only: the authenticator and the OS picker need nothing more personal."""
        return user.get_username()


class _JsonBody:
    """The package's body reader, with every body `json.loads` refuses answered as malformed.

    The package catches `JSONDecodeError` only: a number of more than 4,300 digits (`ValueError`) or
    arrays nested deeper than the interpreter's recursion limit (`RecursionError`) was a server error
    on every ceremony endpoint, before any check of who is asking.
    """

    def _parse_request_data(self, request: HttpRequest) -> Any:
        try:
            return super()._parse_request_data(request)  # type: ignore[misc]
        except (ValueError, RecursionError) as error:
            raise exceptions.MalformedRequest() from error


def _signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class _RegistrationRules:
    request: HttpRequest

    def check_can_register(self) -> None:
        """Always checked, even for a user with no device yet: TOTP is the baseline factor."""
        if not self.request.user.is_verified():  # type: ignore[union-attr]
            raise MfaVerificationRequired()
        if not recently_authenticated(self.request):
            raise ReauthenticationRequired()


class PasskeyRegistrationBegin(_JsonBody, _RegistrationRules, BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_JsonBody, _RegistrationRules, CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        """The credential and its audit event are saved together, or neither is, and only by a session still
        live under the account's row lock (`session_live_held`). A credential id registered already (a
        client ignoring the ceremony's list of this person's passkeys, or sending another's id) is refused
        by the database's unique hash of it: answered as such, never a server error."""
        user = _signed_in_user(self.request)
        try:
            with transaction.atomic():
                # The account's row before the session's (saved as the ceremony's state is taken), as the
                # LA team's reset, a suspension or a closure take them; a session they ended adds nothing.
                if not session_live_held(user=user, session_key=self.request.session.session_key):
                    raise exceptions.NotAuthenticated()
                response: HttpResponse = super().post(*args, **kwargs)
                event_record(
                    tag=AuditTag.PasskeyRegistered,
                    actor=user,
                    additional={"device_id": json.loads(response.content)["id"]},
                )
        except IntegrityError as error:
            raise PasskeyAlreadyRegistered() from error
        return response


class _AuthenticationRules:
    request: HttpRequest

    def check_can_authenticate(self) -> None:
        """No passwordless sign-in; and a throttled user is refused before any state is consumed."""
        user = _signed_in_user(self.request)
        if MFA_USER.exceeded(str(user.pk)):
            mfa_refusal_record(user)  # as a refused code is
            raise PasskeyThrottled()


class PasskeyAuthenticationBegin(_JsonBody, _AuthenticationRules, BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(_JsonBody, _AuthenticationRules, CompleteCredentialAuthenticationView):
    def complete_auth(self, device: WebAuthnCredential) -> None:
        """Verified with user verification required: counts as the second factor and as step-up."""
        user = _signed_in_user(self.request)
        if not second_factor_login(self.request, user=user, device=device):
            raise exceptions.NotAuthenticated()  # the account's sessions were ended meanwhile
        mark_reauthenticated(self.request)
        MFA_USER.reset(str(user.pk))
        event_record(tag=AuditTag.PasskeyVerified, actor=user, additional={"device_id": device.pk})

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _signed_in_user(self.request)
        try:
            response: HttpResponse = super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError as error:
            MFA_USER.hit(str(user.pk))
            event_record(tag=AuditTag.PasskeyFailed, actor=user, additional={"code": error.code})
            raise
        return response


def passkey_list(*, user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


def passkey_exists(*, user: User) -> bool:
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


def passkey_config(request: HttpRequest) -> dict[str, str | None]:
    """What the package's browser scripts read from the `otp_webauthn_config` JSON block.

    Built here, not by the package's template tags, so our templates control script order: the
    translation catalog must load before the module that calls `gettext`.
    """
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("accounts:passkey_authentication_begin"),
        "completeAuthenticationUrl": reverse("accounts:passkey_authentication_complete"),
        "beginRegistrationUrl": reverse("accounts:passkey_registration_begin"),
        "completeRegistrationUrl": reverse("accounts:passkey_registration_complete"),
    }
