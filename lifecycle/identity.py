"""A new identity (adoption, protection): a new, separate record, and the old one closed.

Nothing readable by the application links the two. There is no column, row, note or audit field that
names one record from the other:
- the old record's `child:record:closed` event names only the old record, with the reason category
  sealed under the old record's own key;
- the new record's event is the ordinary `child:record:created` with no actor (as a feed creates a
  record), so no user activity report lists the close and the create side by side; who created it is
  sealed under the new record's own key (`created_by_sealed`), readable only by its owning LA team;
- the new record gets a new index number, new data key, and only what the form gives (no carers,
  involvements, source identifiers or former names are copied).
What remains is inherent to any log: the two events are written in one transaction, so their times and
sequence numbers are adjacent. No page shows both; see docs/SECURITY.md ("New identity").

The closed record is dated (`lifecycle.models.Closure`): it is never archived, and the daily job
crypto-shreds and deletes it six years after the close, as it does an archive six years on.

A closed record is never found by search (search and linkage read active records only), and the
policy refuses every practitioner page on it (`closed`). A feed update that resembles it is held for
review before any other candidate is looked at, showing no candidate (`linkage.linking.link_decide`):
it is neither reopened nor recreated as a visible duplicate, and no review shows the new identity
beside the old one's details.

Who decides is judged twice: by the policy at the start of the request, and again as the first statement
of the writing transaction, on the account's row as locked and its organisation held
(`accounts.services.actor_able_locked`): one closed or suspended in between (on a misuse alert, say), or
cut off (its organisation de-accredited or closed, its vetting lapsed), writes nothing (`ActorCannotAct`,
answered by the page with the audited refusal saying why, signed out).
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import actor_able_locked
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.numbers import index_number_unused, index_numbers_taken
from children.records import ChildDetails
from children.services import child_build, children_save_built
from children.signals import record_ended
from children.text import NAME_PARTS_MOST, name_too_long
from lifecycle.models import Closure
from lifecycle.rules import archive_age_in_force, archive_due, purge_due
from vault.sealing import note_seal

CLOSE_CATEGORY_CONTEXT = "identity-close"
CREATED_BY_CONTEXT = "identity-created-by"


class NewIdentityCategory:
    ADOPTION = "adoption"
    PROTECTION = "protection"
    CHOICES = (
        (ADOPTION, "Adoption"),
        (PROTECTION, "Protection (for example witness protection or fleeing violence)"),
    )


class IdentityRefused(ValueError):
    """The old record is not an active record any more (closed or archived meanwhile)."""


class IdentityDateRefused(ValueError):
    """The new date of birth is past the record's archive age: the new record would be archived by the
    next nightly run, and the child gone from the index (the old record being closed for good). Nothing
    is written; the message says so, in words for the page."""


def new_identity_create(
    *, old: Child, by: User, category: str, details: ChildDetails, shielded: bool
) -> Child:
    """Close `old` and create the new identity's record in `old`'s LA, in one transaction.

    The close is guarded on `status = active` (a second submission, or two at once, creates nothing)
    and on `old`'s LA (transferred since the page read it: not this LA's to close). The new record is
    shielded if asked, and always if `old` is. It keeps `old`'s archive age (a care leaver's consent to
    stay to 25 is about the child, not the name): with the default the next nightly run archived the new
    identity of anyone over 18. A date of birth past that age is refused (`IdentityDateRefused`), and a
    name of more parts than a feed's may have, ValueError (the form says it in words).
    """
    if category not in dict(NewIdentityCategory.CHOICES):
        raise ValueError(f"unknown category {category!r}")
    if name_too_long(details.given_names) or name_too_long(details.family_name):
        # The form refuses it in words; a record filed under the keys of such a name is one its shield,
        # transfer or merge cannot lock (`children.text.NAME_PARTS_MOST`). Nothing is written.
        raise ValueError(f"a name of more than {NAME_PARTS_MOST} parts")
    built = child_build(local_authority=old.local_authority, details=details, shielded=shielded)
    with transaction.atomic():
        actor_able_locked(by)  # the decider as they are now, before anything else is locked
        # Guarded on the LA the caller's policy check saw too: a record transferred since is not its own.
        closed = Child.objects.filter(
            pk=old.pk, status=RecordStatus.ACTIVE, local_authority_id=old.local_authority_id
        ).update(status=RecordStatus.CLOSED)
        if closed != 1:
            raise IdentityRefused("the record is no longer an active record of this local authority")
        # A shielded record's new identity is shielded too, whatever was asked: lifting a shield is the
        # shielding page's decision, with its reason and audit event (read under the update's row lock).
        shielded_now, archive_age = Child.objects.values_list("shielded", "archive_age").get(pk=old.pk)
        if shielded_now:
            built.child.shielded = True
        built.child.archive_age = archive_age_in_force(archive_age)
        today = timezone.localdate()
        due = archive_due(
            date_of_birth=details.date_of_birth, archive_age=built.child.archive_age, date_of_death=None
        )
        if due.on <= today:  # raised inside the transaction: the close above is rolled back
            raise IdentityDateRefused(
                f"The date of birth makes the child {built.child.archive_age} or older, so the new record "
                "would be archived at once: check the date of birth"
            )
        # Dated, so the daily job purges the closed record six years on (lifecycle.services).
        Closure.objects.create(child_id=old.pk, closed_on=today, purge_due_on=purge_due(today))
        event_record(
            tag=AuditTag.ChildClosed,
            actor=by,
            child_id=old.pk,
            additional={
                "category_sealed": note_seal(old.data_key, context=CLOSE_CATEGORY_CONTEXT, text=category)
            },
        )
        record_ended.send(sender=Child, child=old)
        if index_numbers_taken([built.child.index_number]):  # held, or retired: draw again
            built.child.index_number = index_number_unused()
        children_save_built([built])
        event_record(
            tag=AuditTag.ChildCreated,
            actor=None,
            child_id=built.child.pk,
            additional={
                "created_by_sealed": note_seal(built.data_key, context=CREATED_BY_CONTEXT, text=str(by.pk))
            },
        )
    old.status = RecordStatus.CLOSED
    return built.child
