"""The account pages' one flow, shared by the LA team's user pages and the administrator's national ones.

Both sets of pages do the same thing to an account (look at it, suspend it with a reason, reinstate it,
close it after a confirmation page, record a renewed background check), with the same services
(`accounts.services`) and the same order: the policy first (before the lookup, so ids are not probed),
then step-up, then one service and a message. They differ only in the permission asked of the policy,
the URL names and the templates, which an `AccountPages` names. Its page methods are the views
themselves (signed in, each with the HTTP methods it answers), bound under their old names in
`team.views` and `administration.national_accounts`, so the URLs and the pages are unchanged. It lives
on the team floor so that the administration floor above may use it (`.importlinter`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from access.http import refusal, require, signed_out_refusal
from access.permissions import Permission
from accounts.http import signed_in_user
from accounts.models import Invitation, User, background_check_lapses_on
from accounts.services import (
    AccountRecheck,
    ActorCannotAct,
    BackgroundCheckRecord,
    EmailTaken,
    InvitationResend,
    Invited,
    MfaReset,
    Reinstatement,
    account_close,
    account_reinstate,
    account_set_up_before,
    account_suspend,
    background_check_record,
    home_postcode_record,
    invitation_address_correct,
    invitation_resend,
    invitation_waiting_refusal,
    suspension_reason_shown,
    suspension_version,
)
from accounts.stepup import step_up
from team.forms import (
    BACKGROUND_CHECK_NOT_CURRENT,
    EMAIL_TAKEN,
    BackgroundCheckForm,
    HomePostcodeForm,
    InvitationAddressForm,
    InviteForm,
    SuspendForm,
    in_use_refusal_record,
)


@dataclass(frozen=True)
class Confirmation:
    """A change that cannot be undone with one click asks first, on its own page (GOV.UK pattern)."""

    heading: str
    consequences: str
    button: str
    url_name: str


CONFIRMATIONS = {
    "close": Confirmation(
        heading="Are you sure you want to close {name}'s account?",
        consequences=(
            "They will not be able to sign in again. Their sessions end now and their authenticator app, "
            "recovery codes and passkeys are removed. What they did stays in the audit log."
        ),
        button="Yes, close this account",
        url_name="team:close",
    ),
    "reset_mfa": Confirmation(
        heading="Are you sure you want to reset {name}'s security codes?",
        consequences=(
            "Their password, authenticator app, recovery codes and passkeys will stop working. We will "
            "email them a link to choose a new password; they set up a new authenticator app when they "
            "next sign in. Only do this once you have checked who is asking."
        ),
        button="Yes, reset their security codes",
        url_name="team:reset_mfa",
    ),
}


def account_status(user: User) -> str:
    """What the LA team sees: Closed, Suspended, Invited (until the invitation is accepted), Active."""
    if not user.is_active:
        return "Closed"
    if user.suspended_at is not None:
        return "Suspended"
    try:
        invitation: Invitation | None = user.invitation
    except Invitation.DoesNotExist:
        invitation = None
    if invitation is not None and invitation.used_at is None:
        return "Invited" if invitation.expires_at > timezone.now() else "Invitation expired"
    return "Active"


AccountChange = Callable[[User, User, AccountRecheck], object]
"""One account service applied as (subject, by, recheck): close, reset the security codes. Something false
(False, `MfaReset.ACCOUNT_CLOSED`): nothing was done (a colleague did it first), said with the change's
`unchanged` message instead of `done`; None or anything true: done."""


def still_theirs(permission: Permission) -> AccountRecheck:
    """The page's policy question asked again by the account service under its locks, on both accounts as
    stored with their organisations held (`accounts.services._accounts_locked`): an account moved to
    another LA since the page's check (its organisation changed, or that organisation put in another LA)
    is refused in words (`other_la`), audited, and nothing is written; so is anything else the policy
    would now refuse about the pair."""

    def recheck(subject: User, by: User) -> None:
        require(actor=by, action=permission, subject=subject)

    return recheck


# What a reinstatement from a page says when it lifted nothing (`accounts.services.Reinstatement`).
NOT_REINSTATED = {
    Reinstatement.ACCOUNT_CLOSED: "This account is closed: nothing was changed",
    Reinstatement.NOT_SUSPENDED: "This account is not suspended (a colleague may have reinstated it): nothing was changed",
    Reinstatement.SUSPENSION_CHANGED: (
        "This account has been suspended again since you opened its page: it is still suspended. "
        "Read the new reason below before you reinstate it"
    ),
}


# An invitation whose email did not go (the mail server down, the address unusable): the account exists,
# waiting, and nobody has its link.
INVITATION_NOT_SENT = (
    "The account was created but the invitation email could not be sent: send a new invitation link from "
    "the account's page"
)

# What sending a new invitation link says (`accounts.services.InvitationResend`; refusals: `NOT_RESENT`).
INVITATION_RESENT = (
    "A new invitation link has been sent. It works once, for 24 hours; the link sent before no longer works"
)
INVITATION_RESEND_NOT_SENT = (
    "A new invitation link was made but the email could not be sent: the link sent before no longer "
    "works. Try again later, or check the email address with the person"
)


# What a second-factor reset says (`accounts.services.mfa_reset`): the person's link, emailed or not.
MFA_RESET_LINK_SENT = (
    "Security codes and password reset. We have emailed them a link to choose a new password; it works "
    "once, for 24 hours. They set up a new authenticator app when they next sign in"
)
MFA_RESET_LINK_NOT_SENT = (
    "Security codes and password reset, but the email with their link could not be sent: send a new "
    "invitation link from this page. Until they use one, nobody can sign in to this account"
)


MFA_RESET_SUSPENDED = (
    "Security codes and password reset. This account is suspended: no link was sent, as it would not open. "
    "Once the account is reinstated, send them a new invitation link from this page"
)


MFA_RESET_ORGANISATION_CLOSED = (
    "Security codes and password reset. This account's organisation has closed: no link was sent, as it "
    "would not open. Nobody can sign in to this account"
)
MFA_RESET_ORGANISATION_NOT_ACCREDITED = (
    "Security codes and password reset. This account's organisation is not accredited: no link was sent, "
    "as nobody there can use ContactPoint. Once it is accredited again, send them a new invitation link "
    "from this page"
)


def mfa_reset_told(request: HttpRequest, outcome: object) -> None:
    if outcome is MfaReset.LINK_NOT_SENT:
        messages.warning(request, MFA_RESET_LINK_NOT_SENT)
    elif outcome is MfaReset.ACCOUNT_SUSPENDED:
        messages.info(request, MFA_RESET_SUSPENDED)
    elif outcome is MfaReset.ORGANISATION_CLOSED:
        messages.info(request, MFA_RESET_ORGANISATION_CLOSED)
    elif outcome is MfaReset.ORGANISATION_NOT_ACCREDITED:
        messages.info(request, MFA_RESET_ORGANISATION_NOT_ACCREDITED)
    else:
        messages.success(request, MFA_RESET_LINK_SENT)


# A page read before a colleague closed the account still sends its buttons: a closed account is closed
# for good, so nothing is done to it (no event, no email to the manager saying it "has been suspended").
ACCOUNT_CLOSED = "This account is closed: nothing was changed"

# What a new invitation link from a page says when nothing was sent (`InvitationResend`).
NOT_RESENT = {
    InvitationResend.ACCOUNT_CLOSED: ACCOUNT_CLOSED,
    InvitationResend.ACCOUNT_SUSPENDED: (
        "This account is suspended: reinstate it before you send a new invitation link. Nothing was sent"
    ),
    InvitationResend.NOT_WAITING: "This account has already accepted its invitation: nothing was sent",
    InvitationResend.ORGANISATION_CLOSED: "This account's organisation has closed: nothing was sent",
    InvitationResend.ORGANISATION_NOT_ACCREDITED: (
        "This account's organisation is not accredited: nothing was sent. Send a new invitation link once "
        "it is accredited again"
    ),
}


# What correcting an invitation's address says (`invitation_address_correct`; refusals: `NOT_CORRECTED`).
INVITATION_ADDRESS_CORRECTED = (
    "Email address corrected. A new invitation link has been sent to the corrected address. It works once, "
    "for 24 hours; the link sent before no longer works"
)
INVITATION_ADDRESS_CORRECTED_NOT_SENT = (
    "Email address corrected, but the email with the new invitation link could not be sent: the link sent "
    "before no longer works. Try again later with “Send a new invitation link”, or check the "
    "address with the person"
)
NOT_CORRECTED = {
    InvitationResend.ACCOUNT_CLOSED: ACCOUNT_CLOSED,
    InvitationResend.ACCOUNT_SUSPENDED: (
        "This account is suspended: reinstate it before you correct its email address. Nothing was changed"
    ),
    InvitationResend.NOT_WAITING: (
        "This account has already accepted its invitation: its email address was not changed and nothing "
        "was sent"
    ),
    InvitationResend.ORGANISATION_CLOSED: (
        "This account's organisation has closed: its email address was not changed and nothing was sent"
    ),
    InvitationResend.ORGANISATION_NOT_ACCREDITED: (
        "This account's organisation is not accredited: its email address was not changed and nothing was "
        "sent"
    ),
    # Waiting on a second-factor reset's link (`mfa_reset`): its address is the one the person proved.
    InvitationResend.SET_UP_BEFORE: (
        "This account was already set up: its email address was not changed and nothing was sent. Its "
        "new link goes only to the address it has: “Send a new invitation link”"
    ),
}


# What recording a renewed background check says when it wrote nothing (`BackgroundCheckRecord`).
NOT_RECORDED = {
    BackgroundCheckRecord.ACCOUNT_CLOSED: ACCOUNT_CLOSED,
    BackgroundCheckRecord.ALREADY_RECORDED: (
        "This background check date was already recorded (a colleague may have recorded it): nothing was "
        "changed"
    ),
    BackgroundCheckRecord.EARLIER_THAN_HELD: (
        "A later background check has been recorded since you opened the page: nothing was changed"
    ),
}


def background_check_recorded(checked_on: date) -> str:
    lapses = background_check_lapses_on(checked_on)
    return f"Enhanced background check recorded. It lapses on {lapses.day} {lapses:%B %Y}"


def _invitation_outcome_said(
    request: HttpRequest,
    outcome: InvitationResend,
    *,
    sent: str,
    not_sent: str,
    refusals: dict[InvitationResend, str],
) -> None:
    """What a new invitation link's outcome says (a resend, or an address corrected): sent, made but its
    email refused, or why nothing was done (`refusals`, each action's own words)."""
    if outcome is InvitationResend.SENT:
        messages.success(request, sent)
    elif outcome is InvitationResend.NOT_SENT:
        messages.warning(request, not_sent)
    else:
        messages.info(request, refusals[outcome])


def _closed(request: HttpRequest, subject: User) -> bool:
    """True, with the Important banner, when the account was closed (by then, as this request read it)."""
    if subject.is_active:
        return False
    messages.info(request, ACCOUNT_CLOSED)
    return True


@dataclass(frozen=True)
class AccountPages:
    """What one set of account pages names: the permission, its URL and templates, its confirmations."""

    permission: Permission
    list_url: str  # the URL name of the list of accounts, where an invitation returns
    invite_template: str
    account_url: str  # the URL name of one account's page, taking `user_id`
    account_template: str
    confirm_template: str
    confirmations: Mapping[str, Confirmation]  # the changes that ask first, by their `?confirm=` name

    def invite(
        self, request: HttpRequest, actor: User, form_for: Callable[[QueryDict | None, User], InviteForm]
    ) -> HttpResponse:
        """After the policy (the caller's: it also knows which form): step-up, one invitation, a message.

        The form is the inviter's (`form_for(data, actor)`): nobody may invite an account for themselves.
        """
        if stale := step_up(request):
            return stale
        form = form_for(request.POST or None, actor)
        if request.method == "POST" and form.is_valid():
            try:
                invited = form.invite()
            except ActorCannotAct:  # closed or suspended since the policy passed them: nobody invited
                return signed_out_refusal(request, actor=actor, action=self.permission)
            if isinstance(invited, Invited) and not invited.sent:
                # The account waits for its invitation: its page is where a new link is sent from.
                messages.warning(request, INVITATION_NOT_SENT)
                return redirect(self.account_url, user_id=invited[0].pk)
            if invited is not None:
                messages.success(request, "Invitation sent. The link works once, for 24 hours.")
                return redirect(self.list_url)
        return render(request, self.invite_template, {"form": form})

    def subject(self, request: HttpRequest, user_id: int) -> tuple[User, User, HttpResponse | None]:
        """The account, after the policy: a role without access is refused before the lookup."""
        actor = signed_in_user(request)
        require(actor=actor, action=self.permission)
        subject = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
        return actor, subject, refusal(request, actor=actor, action=self.permission, subject=subject)

    def _account(
        self,
        request: HttpRequest,
        subject: User,
        form: SuspendForm,
        postcode_form: HomePostcodeForm | None = None,
        address_form: InvitationAddressForm | None = None,
    ) -> HttpResponse:
        status = account_status(subject)
        context = {
            "subject": subject,
            "suspend_form": form,
            "postcode_form": postcode_form or HomePostcodeForm(),
            "address_form": address_form
            or InvitationAddressForm(invitee=subject, initial={"email": subject.email}),
            "status": status,
            # Waiting on a second-factor reset's link rather than an invitation (`mfa_reset`): its address
            # is the one the account proved, never corrected from here (`invitation_address_correct`).
            "set_up_before": account_set_up_before(subject),
            # Unsealed (and the reading audited) only where the page shows it.
            "suspension_reason": (
                suspension_reason_shown(subject, to=signed_in_user(request)) if status == "Suspended" else ""
            ),
            "suspension_version": suspension_version(subject),
        }
        return render(request, self.account_template, context)

    @method_decorator(login_required)
    @method_decorator(require_http_methods(["GET"]))
    def account(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """The account's page, or (`?confirm=<name>` on an open account) that change's confirmation page."""
        _, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        confirmation = self.confirmations.get(request.GET.get("confirm", ""))
        if confirmation is not None and subject.is_active:
            name = subject.get_full_name() or subject.username
            context = {
                "subject": subject,
                "heading": confirmation.heading.format(name=name),
                "confirmation": confirmation,
            }
            return render(request, self.confirm_template, context)
        return self._account(request, subject, SuspendForm())

    @method_decorator(login_required)
    @method_decorator(require_http_methods(["GET", "POST"]))
    def suspend(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Suspend with a reason (the form is on the account's page, shown again when it is invalid)."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if request.method == "POST" and _closed(request, subject):
            return redirect(self.account_url, user_id=subject.pk)
        form = SuspendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                suspended = account_suspend(
                    user=subject,
                    by=actor,
                    reason=form.cleaned_data["reason"],
                    recheck=still_theirs(self.permission),
                )
            except ActorCannotAct:
                return signed_out_refusal(request, actor=actor, action=self.permission)
            if suspended:
                messages.success(request, "Account suspended. All its sessions have ended.")
            elif not subject.is_active:  # closed between this request's read and the suspension's lock
                messages.info(request, ACCOUNT_CLOSED)
            else:
                messages.info(request, "This account had already been suspended: its reason is below")
            return redirect(self.account_url, user_id=subject.pk)
        return self._account(request, subject, form)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def home_postcode(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Record the home postcode from the background check (the own-address misuse rule), or with
        `remove=yes` remove it. An invalid postcode shows the account page again with the error."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if _closed(request, subject):
            return redirect(self.account_url, user_id=subject.pk)
        if request.POST.get("remove") == "yes":
            try:
                removed = home_postcode_record(
                    user=subject, by=actor, postcode=None, recheck=still_theirs(self.permission)
                )
            except ActorCannotAct:
                return signed_out_refusal(request, actor=actor, action=self.permission)
            if removed:
                messages.success(request, "Home postcode removed.")
            else:  # closed between this request's read and the row lock
                messages.info(request, ACCOUNT_CLOSED)
            return redirect(self.account_url, user_id=subject.pk)
        form = HomePostcodeForm(request.POST)
        if not form.is_valid():
            return self._account(request, subject, SuspendForm(), postcode_form=form)
        try:
            recorded = home_postcode_record(
                user=subject,
                by=actor,
                postcode=form.cleaned_data["postcode"],
                recheck=still_theirs(self.permission),
            )
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=self.permission)
        if recorded:
            messages.success(request, "Home postcode recorded.")
        else:  # closed between this request's read and the row lock
            messages.info(request, ACCOUNT_CLOSED)
        return redirect(self.account_url, user_id=subject.pk)

    @method_decorator(login_required)
    @method_decorator(require_http_methods(["GET", "POST"]))
    def background_check(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Record a renewed enhanced background check: its own page (a GOV.UK date input), the policy,
        step-up, one service (which judges the actor, the account and the date again under its locks),
        then the account's page with the outcome in words."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if not subject.is_active:  # closed for good: nothing to renew, on the page or from a form read before
            if request.method == "POST":
                messages.info(request, ACCOUNT_CLOSED)
            return redirect(self.account_url, user_id=subject.pk)
        # Bound on every POST: one with no boxes filled in is told to enter the date.
        form = BackgroundCheckForm(request.POST if request.method == "POST" else None, subject=subject)
        if request.method == "POST" and form.is_valid():
            checked_on = form.cleaned_data["background_check_on"]
            try:
                outcome = background_check_record(
                    user=subject, checked_on=checked_on, by=actor, recheck=still_theirs(self.permission)
                )
            except ActorCannotAct:
                return signed_out_refusal(request, actor=actor, action=self.permission)
            except ValueError:  # no longer current: the day turned between the form's check and the write
                form.add_error("background_check_day", BACKGROUND_CHECK_NOT_CURRENT)
            else:
                if outcome is BackgroundCheckRecord.RECORDED:
                    messages.success(request, background_check_recorded(checked_on))
                else:
                    messages.info(request, NOT_RECORDED[outcome])
                return redirect(self.account_url, user_id=subject.pk)
        context = {"subject": subject, "form": form, "account_url": self.account_url}
        return render(request, "team/background_check.html", context)

    def change(
        self,
        request: HttpRequest,
        user_id: int,
        change: AccountChange,
        done: str,
        *,
        confirm: str | None = None,
        unchanged: str = "",
        told: Callable[[HttpRequest, object], None] | None = None,
    ) -> HttpResponse:
        """The shape every other account change shares: policy, step-up, (confirmation), one service, a message.

        A change named by `confirm` happens only when the confirmation page's button sent
        `confirmed=yes`; any other request is sent to that page first. A change that did nothing (it
        returned something false: a colleague did it first) says `unchanged` as an Important banner.
        `told`, if given, says what a change that did something returned, in place of `done`.
        """
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if not subject.is_active:  # closed since the page was read: said as the change's own "unchanged"
            messages.info(request, unchanged or ACCOUNT_CLOSED)
            return redirect(self.account_url, user_id=subject.pk)
        if confirm is not None and request.POST.get("confirmed") != "yes":
            return redirect(f"{reverse(self.account_url, args=[subject.pk])}?confirm={confirm}")
        try:
            changed = change(subject, actor, still_theirs(self.permission))
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=self.permission)
        if changed is not None and not changed:  # done by a colleague first, or the account closed meanwhile
            messages.info(request, unchanged or ACCOUNT_CLOSED)
        elif told is not None:
            told(request, changed)
        else:
            messages.success(request, done)
        return redirect(self.account_url, user_id=subject.pk)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def reinstate(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Lift the suspension the page showed (its `suspension` field), never a newer one made since."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if _closed(request, subject):
            return redirect(self.account_url, user_id=subject.pk)
        shown = request.POST.get("suspension", "")
        try:
            outcome = account_reinstate(
                user=subject, by=actor, suspension=shown, recheck=still_theirs(self.permission)
            )
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=self.permission)
        if outcome is Reinstatement.DONE:
            messages.success(request, "Account reinstated")
        else:
            messages.info(request, NOT_REINSTATED[outcome])
        return redirect(self.account_url, user_id=subject.pk)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def resend_invitation(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Send a new invitation link to an account still waiting for its invitation (its email did not
        go, or the link expired): the policy, step-up, one service, the outcome in words."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        try:
            outcome = invitation_resend(user=subject, by=actor, recheck=still_theirs(self.permission))
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=self.permission)
        _invitation_outcome_said(
            request, outcome, sent=INVITATION_RESENT, not_sent=INVITATION_RESEND_NOT_SENT, refusals=NOT_RESENT
        )
        return redirect(self.account_url, user_id=subject.pk)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def correct_invitation_address(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Correct a mistyped address of an account still waiting for its invitation and send a new link
        to it, in one action: the policy, step-up, the account's state in words (before what was typed is
        judged: no form error on a page without the form), the address checked as the invitation form
        checks it, one service (which judges all of it again under its locks), the outcome in words."""
        actor, subject, refused = self.subject(request, user_id)
        if refused:
            return refused
        if stale := step_up(request):
            return stale
        if (not_waiting := invitation_waiting_refusal(subject, correcting=True)) is not None:
            messages.info(request, NOT_CORRECTED[not_waiting])
            return redirect(self.account_url, user_id=subject.pk)
        form = InvitationAddressForm(request.POST, invitee=subject, corrector=actor)
        if not form.is_valid():
            return self._account(request, subject, SuspendForm(), address_form=form)
        try:
            outcome = invitation_address_correct(
                user=subject,
                by=actor,
                email=form.cleaned_data["email"],
                recheck=still_theirs(self.permission),
            )
        except ActorCannotAct:
            return signed_out_refusal(request, actor=actor, action=self.permission)
        except EmailTaken:  # a colleague invited someone at it after this form checked it
            form.add_error("email", EMAIL_TAKEN)
            in_use_refusal_record(actor, fields=["email"], lookalike=False, counted=False)
            return self._account(request, subject, SuspendForm(), address_form=form)
        _invitation_outcome_said(
            request,
            outcome,
            sent=INVITATION_ADDRESS_CORRECTED,
            not_sent=INVITATION_ADDRESS_CORRECTED_NOT_SENT,
            refusals=NOT_CORRECTED,
        )
        return redirect(self.account_url, user_id=subject.pk)

    @method_decorator(login_required)
    @method_decorator(require_POST)
    def close(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Close after the confirmation page (`close` must be one of this set's confirmations)."""
        return self.change(
            request,
            user_id,
            lambda subject, by, recheck: account_close(user=subject, by=by, recheck=recheck),
            "Account closed",
            confirm="close",
            unchanged="This account had already been closed (a colleague may have closed it): nothing was changed",
        )
