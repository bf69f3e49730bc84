"""Account lifecycle, sessions and second factors. Every change writes its audit event."""

import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts.home_postcode import home_postcode_token
from accounts.models import (
    Invitation,
    Organisation,
    RecoveryCode,
    Role,
    SealedTOTPDevice,
    User,
    UserSession,
    background_check_lapses_on,
)
from accounts.ratelimit import INVITATION_REFUSED
from accounts.usernames import username_skeleton
from accounts.vetting import organisation_refusal, vetting_refusal
from audit.services import event_record
from audit.tags import AuditTag
from notices.email import notify_after_commit, notify_by_email
from rowlocks.held import Strength, row_held
from vault.keys import data_key_build
from vault.models import DataKey
from vault.sealing import note_seal, note_unseal

RECOVERY_CODE_COUNT = 8
SUSPENSION_REASON = "suspension_reason"  # the sealed note's context (bound into its AAD)
INVITATION_VALID_FOR = timedelta(hours=24)


def session_track(*, user: User, session_key: str) -> None:
    UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def _account_row_locked(user: User) -> None:
    """Lock the account's row to the end of the transaction: ending its sessions and moving one to a new
    key take it first, so each sees what the other did."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def actor_able_locked(actor: User, *, closed_or_suspended_only: bool = False) -> None:
    """Lock the acting account's row and judge it again as stored now: `ActorCannotAct` (nothing to be
    written) if it no longer passes the vetting every request is judged by (`accounts.vetting`).

    The policy judged the account at the start of the request; a colleague closing or suspending it (for
    misuse, say), or an administrator de-accrediting or closing its organisation, a moment later must stop
    the change on its way. FOR NO KEY UPDATE: it waits for a close or suspension in progress (they lock the
    row FOR UPDATE), while rows naming the account (its audit events, checked by their foreign key) can
    still be written by its other requests meanwhile. Then its organisation is held (`actor_vetted_held`):
    a close or an edit of it (the administrator locks it FOR UPDATE) waits for this write, or committed
    first and is seen, and the whole vetting is judged on the account and organisation as stored.

    Lock order: accounts before organisations. `closed_or_suspended_only=True` judges only that here: for
    a writer that locks a second account (`_accounts_locked`, the disclosure download) or organisations
    of its own (the administrator's directory writes), which calls `actor_vetted_held` once those are
    locked; and for a training pass, which is what mends a lapsed training (the account guard sends the
    person to the course rather than refusing them) and changes nothing but the person's own record.
    """
    state = (
        User.objects.select_for_update(no_key=True).filter(pk=actor.pk).values("is_active", "suspended_at")
    )
    now = state.get()
    if not now["is_active"] or now["suspended_at"] is not None:
        raise ActorCannotAct(f"user {actor.pk} was closed or suspended before their change")
    if not closed_or_suspended_only:
        actor_vetted_held(actor)


def actor_vetted_held(actor: User, *, also: int | None = None, held: bool = False) -> User:
    """The acting account as stored, its organisation (and the organisation `also`, in id order) held
    FOR KEY SHARE to the end of the transaction, judged by the whole vetting: `ActorCannotAct` when it no
    longer passes (suspended, closed, de-accredited, organisation closed, vetting lapsed since the page's
    check). For a writer that has locked the account's row (`actor_able_locked`) and every other account
    row it takes: organisations come after accounts. `held=True`: the caller holds the organisations
    already (the administrator's, in its own id order with the one it changes)."""
    if not held:
        organisation_id = User.objects.values_list("organisation_id", flat=True).get(pk=actor.pk)
        for pk in sorted({pk for pk in (organisation_id, also) if pk is not None}):
            row_held(Organisation, pk, strength=Strength.KEY_SHARE)
    stored = User.objects.select_related("organisation").get(pk=actor.pk)
    reason = vetting_refusal(stored, timezone.localdate())
    if reason is not None:
        raise ActorCannotAct(f"user {actor.pk} may no longer act ({reason})")
    return stored


AccountRecheck = Callable[[User, User], None]
"""The page's policy question asked again under the locks of an account change: (the account changed,
the account acting), each as stored, with their organisations held. Raises to write nothing (the page's
`access.http.Refused`: moved to another LA since the page's check, say)."""


def _accounts_locked(*, subject: User, by: User | None, recheck: AccountRecheck | None = None) -> User:
    """The account changed, as locked (FOR UPDATE) and re-read, once the account acting is locked and
    found able to act (`actor_able_locked`, then `actor_vetted_held`).

    Both rows are locked in id order (so two changes by two people to each other's accounts never
    deadlock): two administrators closing each other at the same moment are served one after the other,
    and the second, closed by then, changes nothing. Then the organisations, after both accounts (as every
    writer takes them): the actor's, and with `recheck` the subject's, held FOR KEY SHARE in id order, so
    an administrator's close, de-accreditation or move of either to another LA waits for this change or
    was committed first and is seen: the actor is judged by the whole vetting (`ActorCannotAct`), then
    `recheck` judges the two accounts as stored (the subject still within the actor's LA).
    `by=None` is ContactPoint itself (an automatic suspension); `by` the subject itself (one's own
    password) is judged on the subject's row, closed or suspended only.
    """
    if by is not None and by.pk < subject.pk:
        actor_able_locked(by, closed_or_suspended_only=True)
    locked = User.objects.select_for_update().get(pk=subject.pk)
    if by is not None and by.pk > subject.pk:
        actor_able_locked(by, closed_or_suspended_only=True)
    if by is not None and by.pk == subject.pk and (not locked.is_active or locked.suspended_at is not None):
        raise ActorCannotAct(f"user {by.pk} was closed or suspended before their own change")
    if by is not None and by.pk != subject.pk:
        also = locked.organisation_id if recheck is not None else None
        stored_by = actor_vetted_held(by, also=also)
        if recheck is not None:
            recheck(User.objects.select_related("organisation").get(pk=subject.pk), stored_by)
    return locked


def email_in_open_use(email: str, *, besides: int | None = None) -> bool:
    """Does an open account (other than the account `besides`, whose own address is being corrected)
    hold `email`, compared as the database's constraint compares it (`lower`,
    `accounts_user_open_email_unique`) or in any letter case (`upper`, as Django's `iexact`)?

    The two disagree on a few letters (PostgreSQL lowers the Kelvin sign to "k" but leaves it as itself
    in capitals): a check by `iexact` alone passed an address the constraint then refused, a server error
    instead of the form's answer. Either match is an address in use."""
    if not email:
        return False
    open_accounts = User.objects.filter(is_active=True).exclude(email="")
    if besides is not None:
        open_accounts = open_accounts.exclude(pk=besides)
    return (
        open_accounts.annotate(address=Lower("email"))
        .filter(Q(email__iexact=email) | Q(address=Lower(Value(email))))
        .exists()
    )


def session_key_renewed(*, user: User, old_key: str | None, new_key: str) -> bool:
    """The session's key changed (the second factor was passed): keep tracking it under the new one,
    so suspending the account still ends it. False, and the new session deleted too, when the old one
    was ended meanwhile.

    The new session is made (and the old one deleted) before its tracking row moves: a suspension,
    closure or second-factor reset committed in between read only the old key, so the new session
    escaped it and, once the account was reinstated, carried on signed in. Under the account's lock
    (which `sessions_end_all` takes too), an old key no longer tracked means its sessions were ended.
    """
    with transaction.atomic():
        _account_row_locked(user)
        if not UserSession.objects.filter(session_key=old_key).delete()[0]:
            Session.objects.filter(session_key=new_key).delete()
            return False
        session_track(user=user, session_key=new_key)
    return True


def session_live_held(*, user: User, session_key: str | None) -> bool:
    """Lock the account's row to the end of the caller's transaction, and say whether this session is still
    tracked (False once a suspension, closure or second-factor reset ended it).

    For a writer that saves the session inside its transaction and then writes a row naming the account (a
    passkey): taken first, it follows the order of everyone ending sessions (the account's row, then the
    sessions'), where the other order deadlocked with them; and a session ended first adds nothing."""
    _account_row_locked(user)
    return UserSession.objects.filter(user=user, session_key=session_key).exists()


def sessions_end_all(*, user: User) -> int:
    """Delete every server-side session of the user: their next request is signed out."""
    with transaction.atomic():
        _account_row_locked(user)
        keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
    return len(keys)


def password_change(*, user: User, password: str, session_key: str) -> bool:
    """Change one's own password: every other session of the account ends, this one carries on.

    False (nothing changed) if this session was ended meanwhile (a suspension, a closure or a reset
    committed first); `ActorCannotAct` if the account was suspended or closed since the request's
    checks. The person is told by email once it commits (never the password), in case it was not them.
    """
    with transaction.atomic():
        _accounts_locked(subject=user, by=user)
        tracked = UserSession.objects.filter(user=user)
        if not tracked.filter(session_key=session_key).exists():
            return False
        user.set_password(password)
        user.save(update_fields=["password"])
        others = list(tracked.exclude(session_key=session_key).values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=others).delete()
        tracked.filter(session_key__in=others).delete()
        event_record(tag=AuditTag.PasswordChanged, actor=user, additional={"sessions_ended": len(others)})
    notify_after_commit(
        partial(
            notify_by_email,
            subject="Your ContactPoint password was changed",
            message=(
                f"The password of your ContactPoint account '{user.username}' was changed, and any other "
                "sessions signed in with it were ended. If you did not change it, tell whoever manages your "
                "ContactPoint account now (your LA team, or for LA team and national accounts the system "
                "administrator)."
            ),
            recipients=[user.email],
            what=f"password change of user {user.pk}",
        ),
        what=f"password change of user {user.pk}",
    )
    return True


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5).upper()
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with 8 new ones; the plaintext is shown once, never stored."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=make_password(c)) for c in codes])
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    candidate = code.strip().upper()
    with transaction.atomic():
        for stored in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if check_password(candidate, stored.code_hash):
                stored.used_at = timezone.now()
                stored.save(update_fields=["used_at"])
                event_record(tag=AuditTag.RecoveryCodeUsed, actor=user)
                return True
    return False


def recovery_code_cost(*, user: User, code: str) -> None:
    """Check `code` against every unused recovery code without using one: the same work as a failed
    `recovery_code_use`, so a step-up with a wrong password takes as long as one with a wrong code."""
    candidate = code.strip().upper()
    for stored in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        check_password(candidate, stored.code_hash)


TOTP_SECRET_BYTES = 20  # django-otp's default: 160 bits, as RFC 4226 recommends


def _notes_key_held(user: User) -> DataKey:
    """The account's notes key, made under the account's row lock if it has none yet, so two requests at
    once never give it two (the one written second would leave what the first sealed unopenable)."""
    locked = User.objects.select_for_update().only("pk", "notes_key").get(pk=user.pk)
    if locked.notes_key_id is None:
        key, _ = data_key_build()
        key.save()
        User.objects.filter(pk=user.pk).update(notes_key=key)
    else:
        key = DataKey.objects.get(pk=locked.notes_key_id)
    user.notes_key = key
    return key


def totp_device_create(
    *, user: User, name: str, confirmed: bool, secret: bytes | None = None
) -> SealedTOTPDevice:
    """An authenticator app for `user`, its secret (random unless given) sealed under the account's
    notes key: the only way one is made, so no secret is ever stored in clear."""
    with transaction.atomic():
        notes_key = _notes_key_held(user)
        device = SealedTOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)
        device.key_seal(
            secret if secret is not None else secrets.token_bytes(TOTP_SECRET_BYTES), notes_key=notes_key
        )
        device.save(update_fields=["key_sealed"])
    return device


def totp_device_start(*, user: User) -> SealedTOTPDevice:
    """A fresh unconfirmed authenticator for enrolment (earlier unconfirmed attempts are dropped).

    The account's row is locked before the devices, as a second-factor reset takes them."""
    with transaction.atomic():
        _notes_key_held(user)
        SealedTOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return totp_device_create(user=user, name="Authenticator app", confirmed=False)


def unconfirmed_totp_device(user: User) -> SealedTOTPDevice | None:
    """The authenticator being enrolled (`totp_device_start`), if any."""
    return SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()


def totp_token_verify(*, device: SealedTOTPDevice, token: str) -> bool:
    """django-otp's `verify_token` with the device's row locked, so a code is used once.

    `verify_token` reads the last used time step and saves the new one with no lock: two sessions posting
    one code at the same moment both read the old step and both pass. Holding the row from the read to
    the save makes the second wait and then see the step used. `device` is refreshed afterwards, so the
    caller sees the step and throttle state the locked copy wrote.

    False for a device removed since the caller read it (a second factor reset, or an enrolment page
    opened again, which replaces the unconfirmed one): no code verifies a device that is gone.
    """
    with transaction.atomic():
        locked = SealedTOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None:
            return False
        verified = bool(locked.verify_token(token))
    # Removed since the check: the caller's next step (the session's key renewal) finds it out.
    with contextlib.suppress(SealedTOTPDevice.DoesNotExist):
        device.refresh_from_db()
    return verified


def totp_device_confirm(*, device: SealedTOTPDevice, token: str) -> bool:
    """Confirm an enrolment with a code from it. False if the code is wrong, or if the device was removed
    or confirmed meanwhile (the page opened again in another tab, or the form sent twice)."""
    with transaction.atomic():
        if not totp_token_verify(device=device, token=token):
            return False
        if not SealedTOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True):
            return False
        device.confirmed = True
        event_record(tag=AuditTag.MfaEnrolled, actor=device.user, additional={"device": "totp"})
    return True


def confirmed_totp_device(user: User) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


class MfaReset(Enum):
    """What a second-factor reset did (`mfa_reset`); false only when nothing was done."""

    LINK_SENT = "link_sent"
    LINK_NOT_SENT = "link_not_sent"  # reset, and a link made, but its email did not go: send a new one
    ACCOUNT_SUSPENDED = "account_suspended"  # reset, but no link sent: it would not open until reinstated
    # Reset, but no link sent: nobody of the account's organisation may use the service (its link would
    # not open once closed, `_invitation_closed_because`; nor lead anywhere while unaccredited).
    ORGANISATION_CLOSED = "organisation_closed"
    ORGANISATION_NOT_ACCREDITED = "organisation_not_accredited"
    ACCOUNT_CLOSED = "account_closed"  # closed meanwhile: nothing done, nothing audited

    def __bool__(self) -> bool:
        return self is not MfaReset.ACCOUNT_CLOSED


class _InvitationMadeMeanwhile(Exception):
    """A reset found, under the account's lock, an invitation row that was not there to lock first."""


def mfa_reset(*, user: User, by: User, recheck: AccountRecheck | None = None) -> MfaReset:
    """For a lost factor: remove every device (passkeys too), code and session, and the password, and
    email the person a single-use 24-hour link (the invitation's, `invitation_accept`) to choose a new
    password; they set up a new factor at the sign-in after.

    The password goes too because the reset is asked for by telephone or in person: whoever holds the
    password alone (phished, shared) would otherwise sign in and enrol their own authenticator, the
    account theirs from then on. Only the person's mailbox now leads to the next factor: the address of
    an account set up before is never corrected from the invitation's form (`invitation_address_correct`).
    The link replaces any earlier one (one invitation row an account); its email goes after the commit,
    and `LINK_NOT_SENT` says it did not (the team sends a new link from the account's page, as for an
    invitation). A suspended account is reset but emailed nothing (`ACCOUNT_SUSPENDED`): its link would
    not open (`_invitation_closed_because`); once reinstated, the team sends one from its page. So is an
    account whose organisation has closed (`ORGANISATION_CLOSED`: its link would not open) or is not
    accredited (`ORGANISATION_NOT_ACCREDITED`: nobody there may use the service; once accredited again the
    team sends the link). Nothing done (`ACCOUNT_CLOSED`, nothing audited) if the account was closed
    meanwhile.

    The invitation's row is locked first, as `invitation_accept` and `invitation_resend` take it. An
    account with none has nothing to lock: a reset that finds one made meanwhile (another reset, a
    double click) under the account's lock starts again, taking it first."""
    try:
        return _mfa_reset_once(user=user, by=by, recheck=recheck)
    except _InvitationMadeMeanwhile:
        return _mfa_reset_once(user=user, by=by, recheck=recheck)


def _mfa_reset_once(*, user: User, by: User, recheck: AccountRecheck | None) -> MfaReset:
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(user_id=user.pk).first()
        # Then the accounts, as closing and suspending take them: never the other way round.
        locked = _accounts_locked(subject=user, by=by, recheck=recheck)
        if not locked.is_active:
            user.is_active = False
            return MfaReset.ACCOUNT_CLOSED
        if invitation is None and Invitation.objects.filter(user_id=user.pk).exists():
            raise _InvitationMadeMeanwhile(f"user {user.pk}")  # rolled back: nothing written yet
        SealedTOTPDevice.objects.filter(user=locked).delete()
        WebAuthnCredential.objects.filter(user=locked).delete()
        RecoveryCode.objects.filter(user=locked).delete()
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        sessions_end_all(user=locked)
        if invitation is None:
            invitation = Invitation(user=locked)
        invitation.token_hash = _token_hash(token)
        invitation.created_by = by
        invitation.expires_at = timezone.now() + INVITATION_VALID_FOR
        invitation.used_at = None
        invitation.save()
        event_record(
            tag=AuditTag.MfaReset, actor=by, additional={"user_id": locked.pk, "invitation_id": invitation.pk}
        )
        if locked.suspended_at is not None:
            return MfaReset.ACCOUNT_SUSPENDED
        cut_off = _organisation_cut_off(locked.organisation)
        if cut_off is not None:
            return (
                MfaReset.ORGANISATION_CLOSED if cut_off == "closed" else MfaReset.ORGANISATION_NOT_ACCREDITED
            )
        address = locked.email
    # Worded as an invitation for an account never set up (its invitation's link replaced).
    sent = _invitation_email(
        user_id=locked.pk, email=address, token=token, set_up_before=account_set_up_before(locked)
    )
    return MfaReset.LINK_SENT if sent else MfaReset.LINK_NOT_SENT


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invited(tuple[User, str]):
    """What `account_invite` returns: the pair (account, its link's token) its callers unpack, and
    `sent`: whether the invitation email went (False: the mail server was down or refused it, or the
    address cannot be sent to). The email goes once the account's transaction has committed, inside the
    call, so the answer is known when it returns: a page says it in words (`team.account_pages`)."""

    sent: bool

    def __new__(cls, user: User, token: str, *, sent: bool) -> "Invited":
        invited = super().__new__(cls, (user, token))
        invited.sent = sent
        return invited


def account_invite(
    *,
    by: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation,
    role: str,
    background_check_on: date | None,
    training_completed_on: date | None,
    manager_email: str = "",
    home_postcode: str | None = None,
    within_la_id: int | None = None,
) -> Invited:
    """Create an account with no usable password and a single-use 24-hour invitation link token.

    `within_la_id` (the LA team's own LA): the organisation is held and must still be that LA's, or
    `OrganisationMovedAway` and nothing is created (an administrator may put it in another LA between
    the team's form and this write). Whoever invites, the organisation held must still be open and
    accredited, or `OrganisationCutOff` and nothing is created.

    `home_postcode` (from the background check, optional): recorded as for `home_postcode_record`.
    Raises `UsernameTaken` when the database refuses the name (the same name, or one with the same
    skeleton, was committed by a colleague after the form checked), and `EmailTaken` when it refuses a
    second open account at the address: the form's own answers, not a 500. Raises `ActorCannotAct`
    (nothing created) when the inviter was closed or suspended after their request passed the policy.

    The email goes after the account's own transaction commits (never from inside it, so no link names
    an account that may yet be rolled back); `Invited.sent` says whether it went. When it did not, the
    account stays waiting for its invitation and `invitation_resend` sends a new link."""
    token = secrets.token_urlsafe(32)
    try:
        user = _invited_user_create(
            by=by,
            token=token,
            user=User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=email,
                organisation=organisation,
                role=role,
                background_check_on=background_check_on,
                training_completed_on=training_completed_on,
                manager_email=manager_email,
            ),
            home_postcode=home_postcode,
            within_la_id=within_la_id,
        )
    except IntegrityError:
        if User.objects.filter(username_skeleton=username_skeleton(username)).exists():
            raise UsernameTaken from None
        if email_in_open_use(email):
            raise EmailTaken from None
        raise
    return Invited(user, token, sent=_invitation_email(user_id=user.pk, email=email, token=token))


def _invitation_email(*, user_id: int, email: str, token: str, set_up_before: bool = False) -> bool:
    """The invitation link, by email (whether the mail server accepted it: `notify_by_email`); worded as
    a password reset for an account `set_up_before` (`account_set_up_before`: its codes were reset)."""
    if set_up_before:
        return notify_by_email(
            subject="Your ContactPoint security codes were reset",
            message=(
                "Your local authority team has reset your ContactPoint security codes and password.\n\n"
                "Choose a new password with this link, within 24 hours:\n"
                f"{settings.SERVICE_BASE_URL}/account/invitation/{token}/\n\n"
                "Then sign in and set up a new authenticator app. If you did not ask for this, tell your "
                "local authority team now."
            ),
            recipients=[email],
            what=f"second-factor reset link for user {user_id}",
        )
    return notify_by_email(
        subject="Your ContactPoint account",
        message=(
            "An account has been created for you. Use your invitation link within 24 hours: "
            f"{settings.SERVICE_BASE_URL}/account/invitation/{token}/"
        ),
        recipients=[email],
        what=f"invitation for user {user_id}",
    )


def account_set_up_before(user: User) -> bool:
    """Whether the account was set up once (an invitation accepted: the agreement signed; or signed in), so
    a link it waits for is a second-factor reset's (`mfa_reset`), to the address the account has used."""
    return user.agreement_signed_on is not None or user.last_login is not None


class InvitationResend(Enum):
    SENT = "sent"
    NOT_SENT = "not_sent"  # a new link was made (the earlier one no longer works), its email did not go
    ACCOUNT_CLOSED = "account_closed"  # closed for good: nothing to invite
    ACCOUNT_SUSPENDED = "account_suspended"  # its link would not open: reinstate it first
    NOT_WAITING = "not_waiting"  # its invitation was accepted (or it never had one): nothing to send
    ORGANISATION_CLOSED = "organisation_closed"  # its link would not open: nobody there may use the service
    ORGANISATION_NOT_ACCREDITED = "organisation_not_accredited"  # nobody there may use the service either
    # An address correction only: the account was set up, its address proven, its link a reset's (`mfa_reset`).
    SET_UP_BEFORE = "set_up_before"


def invitation_resend(*, user: User, by: User, recheck: AccountRecheck | None = None) -> InvitationResend:
    """Send a new invitation link to an account still waiting for its invitation (its email never went,
    or the link expired): a new token replaces the earlier one's hash (that link stops working, also on
    a page that had read it already: `invitation_accept`), valid for 24 hours from now, and audited.

    The invitation's row is locked first (as `invitation_accept` takes it, before the account's), then
    both accounts and their organisations as every account change takes them (`_accounts_locked`: the
    actor judged again, `ActorCannotAct`; `recheck` the page's policy question on both as stored). A
    closed, suspended or accepted account, or one whose organisation has closed or is not accredited,
    gets nothing (the outcome says which, nothing is audited): its link would not open, or lead nowhere.
    The new link is the sender's (`created_by`): the first inviter closed or suspended since stops only
    the links they made.
    The email goes after the commit; SENT or NOT_SENT says whether it went."""
    return _invitation_renewed(user=user, by=by, recheck=recheck, email=None)


def invitation_address_correct(
    *, user: User, by: User, email: str, recheck: AccountRecheck | None = None
) -> InvitationResend:
    """Correct the email address of an account still waiting for its invitation (it was mistyped) and
    send a new link to the corrected address, in one change: as `invitation_resend` (same locks, same
    refusals, the earlier link stops working), with the account's address replaced in the same
    transaction, so the link never goes to the old address nor the address changes without a new link.

    `email` is checked by the caller as an invitation's address is (`team.forms.invitee_email`); the
    database refuses a second open account at it (a colleague's invitation since the check):
    `EmailTaken`, nothing changed. Audited as `InvitationAddressCorrected`, naming neither address (as
    the invitation's own events name none): the account holds the one in use."""
    return _invitation_renewed(user=user, by=by, recheck=recheck, email=email)


def invitation_waiting_refusal(user: User, *, correcting: bool = False) -> InvitationResend | None:
    """Why a new invitation link could not be sent to `user` as read now (no lock), or with `correcting`
    its address corrected: a page's answer in words before it checks what was typed (so no form error is
    shown for an account that could not take the change). The services judge it again under their locks."""
    invitation = Invitation.objects.filter(user_id=user.pk).first()
    stored = User.objects.select_related("organisation").get(pk=user.pk)
    return _not_waiting_because(stored, invitation, correcting=correcting)


def _not_waiting_because(
    user: User, invitation: Invitation | None, *, correcting: bool = False
) -> InvitationResend | None:
    if not user.is_active:
        return InvitationResend.ACCOUNT_CLOSED
    if user.suspended_at is not None:
        return InvitationResend.ACCOUNT_SUSPENDED
    if invitation is None or invitation.used_at is not None:
        return InvitationResend.NOT_WAITING
    cut_off = _organisation_cut_off(user.organisation)
    if cut_off is not None:
        return (
            InvitationResend.ORGANISATION_CLOSED
            if cut_off == "closed"
            else InvitationResend.ORGANISATION_NOT_ACCREDITED
        )
    if correcting and account_set_up_before(user):
        # Waiting on a second-factor reset's link: only the mailbox it proved leads back in (`mfa_reset`).
        return InvitationResend.SET_UP_BEFORE
    return None


def _invitation_renewed(
    *, user: User, by: User, recheck: AccountRecheck | None, email: str | None
) -> InvitationResend:
    """A new link for a waiting invitation (`invitation_resend`), to the corrected address `email` if
    given (`invitation_address_correct`)."""
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().filter(user_id=user.pk).first()
            locked = _accounts_locked(subject=user, by=by, recheck=recheck)
            refusal = _not_waiting_because(locked, invitation, correcting=email is not None)
            if refusal is not None or invitation is None:
                if refusal is InvitationResend.ACCOUNT_CLOSED:
                    user.is_active = False  # the page's copy, for its answer
                return refusal or InvitationResend.NOT_WAITING
            if email is not None:
                locked.email = email
                locked.save(update_fields=["email"])
            invitation.token_hash = _token_hash(token)
            invitation.expires_at = timezone.now() + INVITATION_VALID_FOR
            invitation.created_by = by
            invitation.save(update_fields=["token_hash", "expires_at", "created_by"])
            event_record(
                tag=AuditTag.InvitationResent if email is None else AuditTag.InvitationAddressCorrected,
                actor=by,
                additional={"user_id": locked.pk, "invitation_id": invitation.pk},
            )
            address = locked.email
    except IntegrityError:
        if email is not None and email_in_open_use(email, besides=user.pk):
            raise EmailTaken from None
        raise
    sent = _invitation_email(
        user_id=locked.pk, email=address, token=token, set_up_before=account_set_up_before(locked)
    )
    return InvitationResend.SENT if sent else InvitationResend.NOT_SENT


class ActorCannotAct(Exception):
    """The account making a change was closed or suspended after its request passed the policy, or cut off
    otherwise (its organisation de-accredited or closed, its vetting lapsed): `actor_able_locked`."""


class UsernameTaken(Exception):
    """The username, or a look-alike of it (same skeleton), was taken between the form's check and the insert."""


class OrganisationMovedAway(Exception):
    """The organisation an LA team chose was put in another LA before the account was created."""


class OrganisationCutOff(Exception):
    """The organisation chosen for a new account was closed, or its accreditation taken, before the account
    was created: why, as `str(error)` ("closed" or "not_accredited")."""

    @property
    def closed(self) -> bool:
        return str(self) == "closed"


class EmailTaken(Exception):
    """Another open account was given the email address between the form's check and the insert."""


def _invited_user_create(
    *, by: User, token: str, user: User, home_postcode: str | None, within_la_id: int | None
) -> User:
    """The account, its invitation and their audit events, in one transaction (all or nothing).

    The inviter is locked and re-read first, as every account change judges its actor
    (`_accounts_locked`): one suspended (on a misuse alert, say) or closed since the policy passed them
    opens no account (`ActorCannotAct`), whether or not a home postcode follows. Then (organisations after
    accounts) the new account's organisation is held FOR SHARE and, for an LA team, judged still theirs:
    a move to another LA waits for this account, or committed first and refuses it. Every inviter's
    organisation is judged open and accredited there too (`OrganisationCutOff`): a close or a
    de-accreditation committed since the form offered it refuses the account."""
    with transaction.atomic():
        actor_able_locked(by)
        organisation_held_in(user.organisation_id, within_la_id)
        user.set_unusable_password()
        user.save()
        Invitation.objects.create(
            user=user,
            token_hash=_token_hash(token),
            created_by=by,
            expires_at=timezone.now() + INVITATION_VALID_FOR,
        )
        # The dates the inviter typed (about the practitioner, not a child): a false one leaves a trace, and
        # a later training pass, which overwrites the account's date, does not erase it.
        event_record(
            tag=AuditTag.AccountInvited,
            actor=by,
            additional={
                "user_id": user.pk,
                "role": user.role,
                "background_check_on": _iso_or_none(user.background_check_on),
                "training_completed_on": _iso_or_none(user.training_completed_on),
            },
        )
        if home_postcode:
            home_postcode_record(user=user, by=by, postcode=home_postcode)
    return user


def organisation_held_in(organisation_id: int | None, la_id: int | None) -> None:
    """Hold the organisation FOR SHARE to the end of the transaction (its move to another LA, its close
    and the change of its accreditation wait) and judge it, as stored, still able to take an account:
    `OrganisationCutOff` if it has closed or is not accredited today (nobody there may use the service:
    the account could never be used), and with `la_id` (an LA team's) `OrganisationMovedAway` if it is
    no longer that LA's (or there is none)."""
    if organisation_id is None or not row_held(Organisation, organisation_id, strength=Strength.SHARE):
        raise OrganisationMovedAway(f"organisation {organisation_id} is not there to hold")
    organisation = Organisation.objects.get(pk=organisation_id)
    if la_id is not None and organisation.home_la_id != la_id:
        raise OrganisationMovedAway(f"organisation {organisation_id} is no longer in LA {la_id}")
    if (cut_off := _organisation_cut_off(organisation)) is not None:
        raise OrganisationCutOff(cut_off)


def _iso_or_none(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _invitation_closed_because(invitation: Invitation) -> str | None:
    """Why an invitation no longer opens ("used", "expired", "account_closed", "account_suspended",
    "organisation_not_accredited", "organisation_closed", "inviter_closed", "inviter_suspended",
    "inviter_organisation_not_accredited", "inviter_organisation_closed"), or None if it does. A suspended
    account's link opens again if the suspension is lifted within its day: suspending stops every use of
    the account, and setting its password is one. So does one of an organisation accredited again."""
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if not invitation.user.is_active:
        return "account_closed"
    if invitation.user.suspended_at is not None:
        return "account_suspended"
    # Its organisation's staff are refused from the day it closes or stops being accredited
    # (`access.policy`): no password is set nor agreement signed for an account that cannot be used, read
    # as a new link's sending reads it (`_not_waiting_because`) and in the vetting's order.
    if (cut_off := _organisation_cut_off(invitation.user.organisation)) is not None:
        return f"organisation_{cut_off}"
    # Whoever made it is suspended or closed since: everything they can do stops, an account they had
    # just made for someone else included (it opens again if they are reinstated within the day). So it
    # does once their organisation is closed.
    if not invitation.created_by.is_active:
        return "inviter_closed"
    if invitation.created_by.suspended_at is not None:
        return "inviter_suspended"
    if (cut_off := _organisation_cut_off(invitation.created_by.organisation)) is not None:
        return f"inviter_organisation_{cut_off}"
    return None


def _organisation_cut_off(organisation: Organisation | None) -> str | None:
    """ "closed" or "not_accredited" when nobody of `organisation` may use the service today, as the vetting
    judges it and in its order (`accounts.vetting.organisation_refusal`); None otherwise, or for no
    organisation (the vetting's own "no_organisation")."""
    if organisation is None:
        return None
    refusal = organisation_refusal(organisation, timezone.localdate())
    return None if refusal is None else refusal.removeprefix("organisation_")


def _invitation_refused(invitation: Invitation, reason: str) -> None:
    """A link that no longer opens was presented: the sign it leaked (as `feed:token:refused` for a feed
    token), audited against the account it was made for. No actor: whoever holds the link is unknown.

    The first refusal of each minute per invitation and reason only, with how many there were in the
    minute before (`OncePerWindow`): a refusal costs nothing else, so one event per request would let
    whoever holds a dead link write audit events without end."""
    due, before = INVITATION_REFUSED.due(f"{invitation.pk}:{reason}", now=time.time())
    if not due:
        return
    event_record(
        tag=AuditTag.InvitationRefused,
        actor=None,
        additional={
            "user_id": invitation.user_id,
            "invitation_id": invitation.pk,
            "reason": reason,
            "refused_in_the_minute_before": before,
        },
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token opens, if it is unused, unexpired and its account is not closed.

    A token that matches an invitation which no longer opens is audited (`_invitation_refused`); an
    unknown token matches no account, so there is nothing to audit it against.
    """
    invitation = (
        Invitation.objects.select_related("user__organisation", "created_by__organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        return None
    reason = _invitation_closed_because(invitation)
    if reason is not None:
        _invitation_refused(invitation, reason)
        return None
    return invitation


def invitation_accept(*, invitation: Invitation, password: str, agreement_signed: bool) -> User | None:
    """Set the password and sign the agreement, once: None (nothing changed, the refusal audited) if
    the invitation was used, expired or its account closed since it was read, or its link replaced by a
    new one (`invitation_resend`: the token read is no longer the invitation's).

    The invitation's row is locked and re-read first: two submissions at once (or a stolen link raced
    against its owner) find it unused only one at a time, so the second never overwrites the password.
    """
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self", "user"))  # as before: not the inviter's row
            .select_related("user__organisation", "created_by__organisation")
            .get(pk=invitation.pk)
        )
        reason = _invitation_closed_because(locked)
        if reason is None and locked.token_hash != invitation.token_hash:
            reason = "replaced"  # a new link was sent since the page read this one (`invitation_resend`)
        if reason is not None:
            _invitation_refused(locked, reason)
            return None
        user = locked.user
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        user.set_password(password)
        if agreement_signed:
            user.agreement_signed_on = timezone.localdate()
        user.save()
        event_record(tag=AuditTag.InvitationAccepted, actor=user)
    return user


def home_postcode_record(
    *, user: User, by: User, postcode: str | None, recheck: AccountRecheck | None = None
) -> bool:
    """Record (or with None, remove) a person's home postcode for the own-address misuse rule.

    Only its blind token is kept (`accounts.home_postcode`); the audit event says that it was recorded
    or removed, never what it is. Raises ValueError for anything but a full postcode. False (nothing
    written) if the account was closed meanwhile: a closed account is closed for good.
    """
    token = home_postcode_token(postcode) if postcode is not None else ""
    if token is None:
        raise ValueError("not a full postcode")
    with transaction.atomic():
        if not _accounts_locked(subject=user, by=by, recheck=recheck).is_active:
            user.is_active = False
            return False
        user.home_postcode_token = token
        user.home_postcode_recorded_on = timezone.localdate() if token else None
        user.save(update_fields=["home_postcode_token", "home_postcode_recorded_on"])
        event_record(
            tag=AuditTag.HomePostcodeRecorded if token else AuditTag.HomePostcodeRemoved,
            actor=by,
            additional={"user_id": user.pk},
        )
    return True


class BackgroundCheckRecord(Enum):
    """What recording a renewed background check did (`background_check_record`); false when nothing."""

    RECORDED = "recorded"
    ALREADY_RECORDED = "already_recorded"  # that date is held already (a colleague, a second click)
    EARLIER_THAN_HELD = "earlier_than_held"  # a later check is held (recorded since the page was read)
    ACCOUNT_CLOSED = "account_closed"  # closed for good: nothing to renew

    def __bool__(self) -> bool:
        return self is BackgroundCheckRecord.RECORDED


def background_check_record(
    *, user: User, checked_on: date, by: User, recheck: AccountRecheck | None = None
) -> BackgroundCheckRecord:
    """Record a renewed enhanced background check: the account counts as checked from `checked_on`,
    for three years to its anniversary (`accounts.vetting`), instead of being locked out for good when
    the check it was invited with lapses.

    `checked_on` must be today or earlier and still current (a check already lapsed lets nobody in):
    ValueError otherwise (the form refuses both first). Under the account's lock, with the actor judged
    again (`_accounts_locked`: `ActorCannotAct`; `recheck` the page's policy question on both accounts as
    stored), a date earlier than the one held (`EARLIER_THAN_HELD`) or the same (`ALREADY_RECORDED`)
    writes nothing, so a later check recorded by a colleague is never taken back; nor does a closed
    account (`ACCOUNT_CLOSED`). A suspended account takes it and stays suspended. Audited with the date
    typed and the one it replaced (about a practitioner, never a child): a false date leaves a trace.
    """
    today = timezone.localdate()
    if checked_on > today:
        raise ValueError("a background check still to come proves nothing yet")
    if background_check_lapses_on(checked_on) <= today:
        raise ValueError("a background check that has lapsed lets nobody in")
    with transaction.atomic():
        locked = _accounts_locked(subject=user, by=by, recheck=recheck)
        if not locked.is_active:
            user.is_active = False
            return BackgroundCheckRecord.ACCOUNT_CLOSED
        held = locked.background_check_on
        if held is not None and checked_on < held:
            return BackgroundCheckRecord.EARLIER_THAN_HELD
        if held == checked_on:
            return BackgroundCheckRecord.ALREADY_RECORDED
        locked.background_check_on = checked_on
        locked.save(update_fields=["background_check_on"])
        user.background_check_on = checked_on
        event_record(
            tag=AuditTag.BackgroundCheckRecorded,
            actor=by,
            additional={
                "user_id": locked.pk,
                "background_check_on": checked_on.isoformat(),
                "previous": _iso_or_none(held),
            },
        )
    return BackgroundCheckRecord.RECORDED


def account_suspend(
    *, user: User, by: User | None, reason: str, recheck: AccountRecheck | None = None
) -> bool:
    """Suspend and end every session at once; False (nothing done) if it was suspended, or closed, meanwhile.

    `by=None` is the system path: ContactPoint itself suspends (oversight.misuse, a hard misuse
    threshold). The audit event then has no actor and says `"by_system": true`, so a report never
    credits an LA team member with a suspension nobody chose; `reason` must then name the rule only.
    The account's row is locked and re-read: a request in flight (its copy loaded before) or a colleague
    never suspends it twice, nor writes over the reason of the suspension that came first.
    """
    with transaction.atomic():
        locked = _accounts_locked(subject=user, by=by, recheck=recheck)
        if not locked.is_active:  # closed since the caller read it: closed for good, nothing to suspend
            user.is_active = False
            return False
        if locked.suspended_at is not None:
            user.suspended_at = locked.suspended_at
            return False
        # The stored key, or one made under the lock: never a second over an enrolment's.
        notes_key = _notes_key_held(user)
        user.suspended_at = timezone.now()
        user.suspension_reason_sealed = note_seal(notes_key, context=SUSPENSION_REASON, text=reason)
        user.suspended_in_la_id = locked.home_la_id
        user.save(
            update_fields=["suspended_at", "suspension_reason_sealed", "suspended_in_la_id", "notes_key"]
        )
        ended = sessions_end_all(user=user)
        event_record(
            tag=AuditTag.AccountSuspended,
            actor=by,
            additional={"user_id": user.pk, "sessions_ended": ended, "by_system": by is None},
        )
    who = (
        "automatically by ContactPoint"
        if by is None
        else "by a system administrator"
        if by.role == Role.SYSTEM_ADMIN
        else "by the LA team"
    )
    # Once stored, never from inside it: an automatic suspension runs in the person's own request (the
    # misuse screening, holding their row lock and the audit writer's mark), which may still fail and roll
    # it back, and a slow mail server must not hold those locks.
    notify_after_commit(
        partial(
            notify_by_email,
            subject="A ContactPoint account you manage has been suspended",
            # Never the reason typed: it often names the child looked up, and email leaves the system.
            message=(
                f"The ContactPoint account '{user.username}' has been suspended {who}. "
                "The reason is on the account's page in ContactPoint."
            ),
            recipients=[user.manager_email],
            what=f"suspension of user {user.pk}",
        ),
        what=f"suspension of user {user.pk}",
    )
    return True


def suspension_reason_text(user: User) -> str:
    """The reason an account was suspended, unsealed ("" if none). Pages show it through
    `suspension_reason_shown`, which audits the reading."""
    if not user.suspension_reason_sealed or user.notes_key is None:
        return ""
    return note_unseal(user.notes_key, context=SUSPENSION_REASON, sealed=user.suspension_reason_sealed)


def suspension_reason_shown(user: User, *, to: User) -> str:
    """The reason `user`'s account was suspended, for a page shown to `to`, audited (the account's id,
    never the reason) when there is one: it is a sealed note about a person (often about misuse), and who
    read it must be known, as for any sealed note a page opens."""
    if user.suspended_at is None:
        return ""
    given_in = user.suspended_in_la_id
    if given_in is not None and given_in != user.home_la_id:
        # The reason often names the child looked up, a child of the LA the account belonged to then: its
        # new LA's team (the only readers of its page now) is told whom to ask, nothing unsealed or read.
        la = Organisation.objects.filter(pk=given_in).values_list("name", flat=True).first()
        return SUSPENSION_REASON_ELSEWHERE.format(la=la or "another local authority")
    reason = suspension_reason_text(user)
    if reason:
        event_record(tag=AuditTag.SuspensionReasonShown, actor=to, additional={"user_id": user.pk})
    return reason


SUSPENSION_REASON_ELSEWHERE = (
    "the reason was given while the account belonged to {la}: ask {la}'s ContactPoint team for it"
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def suspension_version(user: User) -> str:
    """Which suspension the account is under, as the reinstate form carries it ("" when not suspended).

    The suspension's time in whole microseconds: exact (no float rounding), and a new suspension, even
    with the same reason, has a new one.
    """
    if user.suspended_at is None:
        return ""
    return str((user.suspended_at - _EPOCH) // timedelta(microseconds=1))


class Reinstatement(Enum):
    DONE = "done"
    ACCOUNT_CLOSED = "account_closed"  # closed by a colleague since the page read it: closed for good
    NOT_SUSPENDED = "not_suspended"  # reinstated by a colleague meanwhile: nothing to lift
    SUSPENSION_CHANGED = "suspension_changed"  # suspended again since the page was read: not this one


def account_reinstate(
    *, user: User, by: User, suspension: str | None = None, recheck: AccountRecheck | None = None
) -> Reinstatement:
    """Lift the suspension the person saw (`suspension`, from `suspension_version` on their page).

    The row is locked and re-read: an account no longer suspended changes nothing and is not audited,
    and a suspension made after the page was read (an automatic misuse suspension nobody has read the
    reason of) is never lifted from that page. `suspension=None` is for callers that read the account
    in this same request (not a page): the current suspension is the one seen.
    """
    with transaction.atomic():
        locked = _accounts_locked(subject=user, by=by, recheck=recheck)
        if not locked.is_active:
            user.is_active = False
            return Reinstatement.ACCOUNT_CLOSED
        if locked.suspended_at is None:
            user.suspended_at = None
            return Reinstatement.NOT_SUSPENDED
        if suspension is not None and suspension != suspension_version(locked):
            return Reinstatement.SUSPENSION_CHANGED
        user.suspended_at = None
        user.suspension_reason_sealed = ""
        user.suspended_in_la_id = None
        user.save(update_fields=["suspended_at", "suspension_reason_sealed", "suspended_in_la_id"])
        event_record(tag=AuditTag.AccountReinstated, actor=by, additional={"user_id": user.pk})
    return Reinstatement.DONE


def account_close(*, user: User, by: User, recheck: AccountRecheck | None = None) -> bool:
    """Close the account for good; False (nothing done, nothing audited) if it was closed meanwhile.

    The row is locked and re-read, so two colleagues on one confirmation page close it once."""
    with transaction.atomic():
        locked = _accounts_locked(subject=user, by=by, recheck=recheck)
        if not locked.is_active:
            user.is_active = False
            return False
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        sessions_end_all(user=user)
        SealedTOTPDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        event_record(tag=AuditTag.AccountClosed, actor=by, additional={"user_id": user.pk})
    return True
