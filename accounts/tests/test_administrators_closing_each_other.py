"""Two administrators closing each other at the same moment (PostgreSQL): one is closed, not both.

Each request passed the policy while both were open; before, both closes went through, each made with
an authority the other had just ended (and with two administrators, nobody was left to administer).
"""

import accounts.services
from accounts.models import Role, User
from accounts.services import ActorCannotAct
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.personas import make_user

pytestmark = postgresql_race()


def test_two_administrators_closing_each_other_at_the_same_moment_close_only_one(world, monkeypatch):
    """Real concurrent writers: both requests passed the policy (each was open when read); only the
    first close to lock both rows goes through, and the second actor, closed by then, changes nothing."""
    ada = make_user("ada", world.north, Role.SYSTEM_ADMIN)
    otto = make_user("otto", world.north, Role.SYSTEM_ADMIN)
    pairs = ((User.objects.get(pk=ada.pk), User.objects.get(pk=otto.pk)),)
    pairs += ((pairs[0][1], pairs[0][0]),)
    closing = meeting_before(accounts.services.account_close)

    def work(i):
        by, subject = pairs[i]
        try:
            return closing(user=subject, by=by)
        except ActorCannotAct:
            return "refused"

    outcomes = sorted(map(str, run_together(2, work)))
    assert outcomes == ["True", "refused"], outcomes
    assert User.objects.filter(pk__in=[ada.pk, otto.pk], is_active=True).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.AccountClosed).count() == 1
