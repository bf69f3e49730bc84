"""The vetting every person must hold, as one pure reading of an account and its organisation.

`access.policy.prerequisites` asks it at every request; the writing services below the policy ask it again
on the account as stored, under its row lock and with its organisation held
(`accounts.services.actor_able_locked`), so a de-accreditation or a close committed between a page's check
and its write stops the write. It reads only the account and its organisation: nothing above accounts.
"""

from datetime import date

from accounts.models import Organisation, User


def vetting_refusal(actor: User, today: date) -> str | None:
    """Why `actor` may not use ContactPoint today (a reason of `access.policy.REASON_MESSAGES`), or None.

    The order is the policy's: the first reason that applies is the one a person is told."""
    if not actor.is_authenticated:
        return "not_signed_in"
    if not actor.is_active:
        return "inactive"
    if actor.suspended_at is not None:
        return "suspended"
    organisation = actor.organisation
    if organisation is None:
        return "no_organisation"
    if (cut_off := organisation_refusal(organisation, today)) is not None:
        return cut_off
    if not actor.background_check_current(today):
        return "background_check_lapsed"
    if not actor.training_current(today):
        return "training_lapsed"
    if actor.agreement_signed_on is None:
        return "agreement_unsigned"
    return None


def organisation_refusal(organisation: Organisation, today: date) -> str | None:
    """Why nobody of `organisation` may use ContactPoint today ("organisation_not_accredited" or
    "organisation_closed", in the policy's order), or None. An accreditation or a closing date still to come
    does not count yet. The services that refuse to invite, reset or resend for a cut-off organisation ask
    this too, so they and the vetting never disagree."""
    if organisation.accredited_on is None or organisation.accredited_on > today:
        return "organisation_not_accredited"
    if organisation.closed_on is not None and organisation.closed_on <= today:
        return "organisation_closed"
    return None
