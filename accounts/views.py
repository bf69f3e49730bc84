"""Sign-in, second factor, step-up and invitation pages."""

import logging
import time
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import get_callable
from django.utils.decorators import decorator_from_middleware
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    LOCKED_WHAT,
    ChangePasswordForm,
    CodeForm,
    EnrolmentCodeForm,
    ReauthenticateForm,
    SetPasswordForm,
    SignInForm,
)
from accounts.http import signed_in_user
from accounts.mfa import (
    AuthenticatorLocked,
    CodeAlreadyUsed,
    MfaThrottled,
    second_factor_login,
    second_factor_verify,
    session_key_renew,
    totp_qr_svg,
    totp_secret_base32,
)
from accounts.middleware import AUTH_STARTED_KEY
from accounts.models import User
from accounts.network import client_network
from accounts.passkeys import passkey_config, passkey_exists, passkey_list
from accounts.ratelimit import (
    LOGIN_IP,
    LOGIN_USER,
    STEP_UP_REFUSED,
    STEP_UP_SESSION,
    Limiter,
    attempts_give_back,
    attempts_take,
    login_subject,
)
from accounts.services import (
    ActorCannotAct,
    account_set_up_before,
    confirmed_totp_device,
    invitation_accept,
    invitation_for_token,
    recovery_code_cost,
    recovery_codes_issue,
    totp_device_confirm,
    totp_device_start,
    unconfirmed_totp_device,
)
from accounts.services import password_change as password_change_service
from accounts.stepup import mark_reauthenticated, step_up
from audit.services import event_record
from audit.tags import AuditTag

MFA_THROTTLED = "Too many wrong codes. Wait 5 minutes and try again"
CODE_ALREADY_USED = "This code has already been used: wait for the next one"
REAUTH_FAILED = "The password or security code is not correct"
# The name or the address is locked by failed sign-ins made elsewhere: refused, and the session stays.
STEP_UP_LOCKED = (
    "There have been too many attempts to sign in or to confirm it is you. "
    f"Wait {LOGIN_USER.window_seconds // 60} minutes and try again"
)
csrf_logger = logging.getLogger("django.security.csrf")


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        """`next`, unless it is the sign-in page itself: a signed-in person sent there would be sent on to
        it again (Django refuses that loop with a server error), so it counts as no `next`."""
        target = super().get_redirect_url()
        if target and urlsplit(target).path == self.request.path:
            return ""
        return target


class SignOutView(auth_views.LogoutView):
    next_page = "accounts:login"


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    # A path on this site only: anything else (a view name, "%00") would be reversed by `redirect`.
    allowed = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    )
    return target if allowed else fallback


@login_required
@require_http_methods(["GET", "POST"])
def mfa(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in. Users without a confirmed authenticator are sent to enrol first."""
    user = signed_in_user(request)
    if confirmed_totp_device(user) is None:
        return redirect("accounts:mfa_enrol")
    if user.is_verified():  # type: ignore[attr-defined]  # django-otp adds it to the request user
        # Signed in already: a code alone here must not renew the step-up (password and second
        # factor, /account/confirm/), so the page takes no code from a verified session.
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if second_factor_verify(request, user=user, code=form.cleaned_data["code"]):
                _mark_signed_in(request)
                return redirect(_safe_next(request))
            if not request.user.is_authenticated:  # suspended, closed or reset meanwhile: signed out
                return redirect("accounts:login")
            form.add_error("code", "The security code is not correct")
        except MfaThrottled:
            form.add_error("code", MFA_THROTTLED)
        except CodeAlreadyUsed:
            form.add_error("code", CODE_ALREADY_USED)
        except AuthenticatorLocked as locked:
            form.add_error("code", _authenticator_locked(locked.minutes))
    return render(request, "accounts/mfa.html", {"form": form, **_passkey_option(request, user)})


def _authenticator_locked(minutes: int) -> str:
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return (
        "Too many wrong codes have been entered for your authenticator app. Its codes can be used again in "
        f"{wait}: until then, use one of your recovery codes"
    )


def _passkey_option(request: HttpRequest, user: User) -> dict[str, object]:
    """Offer "Use a passkey" only to users who have one; TOTP stays the form every user can use."""
    if not passkey_exists(user=user):
        return {"passkey_config": None}
    return {"passkey_config": passkey_config(request)}


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app, then show recovery codes once."""
    user = signed_in_user(request)
    if confirmed_totp_device(user) is not None:
        return redirect("accounts:mfa")
    form = EnrolmentCodeForm(request.POST or None)
    device = None
    if request.method == "POST":
        device = unconfirmed_totp_device(user)
        if device is not None and form.is_valid():
            if totp_device_confirm(device=device, token=form.cleaned_data["code"].replace(" ", "")):
                if not _verified_after_enrolment(request, user):
                    return redirect("accounts:login")  # the account's sessions were ended meanwhile
                codes = recovery_codes_issue(user=user)
                shown = {"codes": codes, "passkey_config": passkey_config(request)}
                return render(request, "accounts/recovery_codes.html", shown)
            if confirmed_totp_device(user) is not None:  # enrolled meanwhile (the form sent twice, a tab)
                return redirect("accounts:mfa")
            form.add_error("code", "The security code is not correct")
            # The page opened again in another tab meanwhile replaced the authenticator: show the new one.
            device = unconfirmed_totp_device(user)
    if device is None or not device.secret_opens():  # one that does not open could never be confirmed
        device = totp_device_start(user=user)
    context = {"form": form, "secret": totp_secret_base32(device), "qr_svg": mark_safe(totp_qr_svg(device))}  # noqa: S308
    return render(request, "accounts/mfa_enrol.html", context)


class EnrolmentNotConfirmed(RuntimeError):
    """A confirmed enrolment code left no confirmed device: never sign in on a half-made second factor."""


def _verified_after_enrolment(request: HttpRequest, user: User) -> bool:
    """False (signed out, nothing verified) when the account's sessions were ended meanwhile."""
    device = confirmed_totp_device(user)
    if device is None:
        raise EnrolmentNotConfirmed("no confirmed authenticator after a confirmed enrolment code")
    if not second_factor_login(request, user=user, device=device):
        return False
    _mark_signed_in(request)
    event_record(tag=AuditTag.MfaVerified, actor=user)
    return True


def _mark_signed_in(request: HttpRequest) -> None:
    """The second factor of a sign-in counts as a step-up only as far as the password it follows does: it
    dates from when the password was accepted (`AUTH_STARTED_KEY`; none, and it is already stale)."""
    mark_reauthenticated(request, password_at=float(request.session.get(AUTH_STARTED_KEY, 0.0)))


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Step-up before sensitive actions: password and second factor again.

    It is a password check, so it shares the sign-in limits (`login.user` on the account,
    `login.ip`), audits every failure and gives one answer for any failure: a different answer for
    a right password with a wrong code would be a password oracle for whoever holds the session.
    At the limit of this session's own failures the session ends; while the name or the address is locked
    by failures made elsewhere (a stranger's sign-ins), the step-up is refused and the session stays.
    """
    user = signed_in_user(request)
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Counted before the check, so attempts sent at the same moment cannot all be checked.
        attempts = _password_attempts(request, user)
        taken = attempts_take(*attempts)
        if taken is None:
            if (refused := _refused_unchecked(request, user, attempts)) is not None:
                return refused
            form.add_error(None, STEP_UP_LOCKED)
            context = {"form": form, "next": _safe_next(request), **_passkey_option(request, user)}
            return render(request, "accounts/reauthenticate.html", context, status=429)
        if _password_and_code_confirm(
            request, user, form.cleaned_data["password"], form.cleaned_data["code"]
        ):
            attempts_give_back(*attempts)
            mark_reauthenticated(request)
            event_record(tag=AuditTag.Reauthenticated, actor=user)
            return redirect(_safe_next(request))
        if not request.user.is_authenticated:  # suspended, closed or reset meanwhile: signed out
            return redirect("accounts:login")
        event_record(tag=AuditTag.ReauthenticationFailed, actor=user)
        if taken[0] >= STEP_UP_SESSION.limit:  # this session's own failures
            return _signed_out_after_too_many_attempts(request, user)
        form.add_error(None, REAUTH_FAILED)
    context = {"form": form, "next": _safe_next(request), **_passkey_option(request, user)}
    return render(request, "accounts/reauthenticate.html", context)


def _password_attempts(request: HttpRequest, user: User) -> tuple[tuple[Limiter, str], ...]:
    """What a signed-in session's password check counts against: the session's own failures first
    (`STEP_UP_SESSION`, which alone ends it), then the sign-in limits it shares (`login.user`, `login.ip`)."""
    return (
        (STEP_UP_SESSION, f"session:{request.session.session_key}"),
        (LOGIN_USER, login_subject(user.get_username())),
        (LOGIN_IP, client_network(request)),
    )


def _refused_unchecked(
    request: HttpRequest, user: User, attempts: tuple[tuple[Limiter, str], ...]
) -> HttpResponse | None:
    """A password check `attempts_take` refused: the session ends if its own failures reached the limit.
    Otherwise the name or the address was locked by failures made elsewhere, which must not end a session
    that did not make them: None, for the caller to refuse in words (`STEP_UP_LOCKED`). The refusal is
    audited as a failure refused unchecked, the first of each minute per account (`STEP_UP_REFUSED`, as a
    locked sign-in is), with which lock refused it and never the name or the address."""
    own, *shared = attempts
    if own[0].exceeded(own[1]):
        return _signed_out_after_too_many_attempts(request, user)
    due, before = STEP_UP_REFUSED.due(f"user:{user.pk}", now=time.time())
    if due:
        event_record(
            tag=AuditTag.ReauthenticationFailed,
            actor=user,
            additional={
                "refused_unchecked": True,
                "locked": [
                    LOCKED_WHAT[limiter.name] for limiter, subject in shared if limiter.exceeded(subject)
                ],
                "refused_in_the_minute_before": before,
            },
        )
    return None


def _password_and_code_confirm(request: HttpRequest, user: User, password: str, code: str) -> bool:
    """Both factors, the code only after the password. A wrong password still costs what checking the
    recovery codes would, so timing does not tell a right password from a wrong one either."""
    if not _password_check(request, user, password):
        recovery_code_cost(user=user, code=code)
        return False
    try:
        return second_factor_verify(request, user=user, code=code)
    except CodeAlreadyUsed:  # one answer for any failure here (see `reauthenticate`)
        return False
    except (MfaThrottled, AuthenticatorLocked):
        # Refused before any code was checked: still the cost of a wrong password's answer, or the clock
        # would tell that the password was right (the limit is reached by ten empty passkey answers).
        recovery_code_cost(user=user, code=code)
        return False


def _password_check(request: HttpRequest, user: User, password: str) -> bool:
    """`user.check_password`, keeping this session signed in when the check re-hashed the password.

    Django re-hashes and saves a right password as it checks it whenever the hasher's parameters have
    changed; the session carries a hash of the stored password (checked on every request), so the session
    that had just proved the password would be signed out by its own proof. It is given the new hash, as
    `update_session_auth_hash` does (its key is kept: the password itself has not changed).
    """
    stored = user.password
    right = user.check_password(password)
    if right and user.password != stored:
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    return right


def _current_password_refused(
    request: HttpRequest, user: User, form: ChangePasswordForm
) -> HttpResponse | None:
    """None if the current password is right; else the form is given the error (audited as a failed
    re-authentication), or at this session's own failure limit the session ends. Counted before the check
    against the limits the sign-in and the step-up share (given back when right), so a stolen session cannot
    guess it here any faster than at the step-up; while they are locked by failures made elsewhere the
    change is refused in words and the session stays (`_refused_unchecked`)."""
    attempts = _password_attempts(request, user)
    taken = attempts_take(*attempts)
    if taken is None:
        if (refused := _refused_unchecked(request, user, attempts)) is not None:
            return refused
        form.add_error(None, STEP_UP_LOCKED)
        return render(request, "accounts/password_change.html", {"form": form}, status=429)
    if _password_check(request, user, form.cleaned_data["current"]):
        attempts_give_back(*attempts)
        return None
    event_record(tag=AuditTag.ReauthenticationFailed, actor=user)
    if taken[0] >= STEP_UP_SESSION.limit:  # this session's own failures
        return _signed_out_after_too_many_attempts(request, user)
    form.add_error("current", "Your current password is not correct")
    return None


def _signed_out_after_too_many_attempts(request: HttpRequest, user: User) -> HttpResponse:
    event_record(tag=AuditTag.ReauthenticationThrottled, actor=user)
    logout(request)
    return render(request, "accounts/reauthenticate_throttled.html", status=429)


@login_required
@require_http_methods(["GET"])
def passkeys(request: HttpRequest) -> HttpResponse:
    """List and add passkeys. Adding a factor changes how the account is protected, so it needs a
    verified session (this path is reachable before verification) and a recent step-up."""
    user = signed_in_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:mfa")
    detour = step_up(request)
    if detour is not None:
        return detour
    context = {"passkeys": passkey_list(user=user), "passkey_config": passkey_config(request)}
    return render(request, "accounts/passkeys.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password, after a recent step-up; every other session ends, this one stays.

    The session is given the new password's hash, which Django checks on every request, and a new key (as
    Django's `update_session_auth_hash` does): someone who changes their password because another has got
    in must not leave a copy of this session's cookie signed in. A session ended or an account suspended
    meanwhile is signed out instead.
    """
    user = signed_in_user(request)
    if detour := step_up(request):
        return detour
    form = ChangePasswordForm(request.POST or None, user=user)
    # The current password first (a wrong one is added to the form's errors, so it is no longer valid).
    if (
        request.method == "POST"
        and form.is_valid()
        and (refused := _current_password_refused(request, user, form))
    ):
        return refused
    if request.method == "POST" and form.is_valid():
        try:
            changed = password_change_service(
                user=user,
                password=form.cleaned_data["password1"],
                session_key=str(request.session.session_key),
            )
        except ActorCannotAct:
            changed = False
        if not changed:
            logout(request)
            return redirect("accounts:login")
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if not session_key_renew(request, user=user):  # ended meanwhile (a suspension, say): signed out
            return redirect("accounts:login")
        messages.success(request, "Your password has been changed. Any other sessions have been signed out.")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


class _CsrfRefusalUnlogged(CsrfViewMiddleware):
    """Django's CSRF check, its refusal logged without the path: an invitation's path is its token."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        response: HttpResponse = get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        csrf_logger.warning("Forbidden (%s): an invitation link", reason)
        return _logged_already(response)


INVITATION_METHODS = ["GET", "POST"]


@csrf_exempt  # checked by `_invitation_page`, whose refusal names no path
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password with a single-use link. A link used, expired or of a closed account answers as an
    unknown one (404), also when it stopped opening between showing the form and submitting it.

    No answer here goes to Django's log line naming the path, which is the link's token, live or one that
    opens again once its account or inviter is reinstated: not a refusal (`_invitation_invalid`), nor
    another method (a mail scanner's HEAD), nor a form sent without its CSRF cookie."""
    if request.method not in INVITATION_METHODS:
        return _logged_already(HttpResponseNotAllowed(INVITATION_METHODS))
    return cast(HttpResponse, _invitation_page(request, token))  # the decorator's stub widens the type


@decorator_from_middleware(_CsrfRefusalUnlogged)
def _invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    invite = invitation_for_token(token)
    if invite is None:
        return _invitation_invalid(request)
    form = SetPasswordForm(request.POST or None, user=invite.user)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        if invitation_accept(invitation=invite, password=password, agreement_signed=True) is None:
            return _invitation_invalid(request)
        return redirect("accounts:login")
    # An account that signed the agreement before is choosing a new password after a second-factor reset
    # (`mfa_reset`), not being set up.
    returning = account_set_up_before(invite.user)
    return render(
        request, "accounts/invitation.html", {"form": form, "invited": invite.user, "returning": returning}
    )


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    """The refusal, kept out of Django's "Not Found: <path>" log line: the path is the link's token, and a
    link refused while its account or inviter is suspended opens again once they are reinstated. The
    refusal is audited with ids only (`accounts.services.invitation_for_token`)."""
    return _logged_already(render(request, "accounts/invitation_invalid.html", status=404))


def _logged_already(response: HttpResponse) -> HttpResponse:
    """Marked as logged (`django.utils.log.log_response`'s mark): Django writes no "<reason>: <path>" line."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
