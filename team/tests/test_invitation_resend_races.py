"""A new invitation link sent while the invitee accepts the first, or by two colleagues at once (PostgreSQL).

Each request has made its checks (the invitee's page read the invitation by its token and checked the
password; each colleague's page passed the policy) before any of them writes, as two app servers
interleave by chance. The invitation's row is the one they serialise on: the first link sets a password
or the new one replaces it, never both, and no answer is a server error or a deadlock.
"""

import re
import threading

from django.core import mail
from django.test import Client
from django.urls import reverse

import accounts.views
import team.account_pages
from accounts.models import Invitation, Role, User
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_user

pytestmark = postgresql_race()


def _meeting(monkeypatch, *places: tuple[object, str], count: int = 2) -> None:
    """Each call of `places` (module, function) waits there until `count` calls have reached them."""
    barrier = threading.Barrier(count)
    for module, name in places:
        real = getattr(module, name)

        def met(*args, _real=real, **kwargs):
            barrier.wait(timeout=10)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, met)


def _tokens() -> list[str]:
    found = [re.search(r"/account/invitation/([\w-]+)/", str(m.body)) for m in mail.outbox]
    return [match.group(1) for match in found if match]


def test_the_first_link_accepted_while_a_new_one_is_sent_sets_a_password_or_is_replaced_never_both(
    world, monkeypatch
):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    invitee, lena = Client(), signed_in(world.lena)
    for client in (invitee, lena):
        client.raise_request_exception = False
    _meeting(monkeypatch, (accounts.views, "invitation_accept"), (team.account_pages, "invitation_resend"))

    def work(i):
        if i == 0:
            return invitee.post(reverse("accounts:invitation", args=[first]), ACCEPT)
        return lena.post(reverse("team:resend_invitation", args=[ivy.pk]))

    accepted, resent = run_together(2, work)
    monkeypatch.undo()  # the checks below accept one link alone

    assert accepted.status_code in (302, 404) and resent.status_code == 302
    ivy.refresh_from_db()
    new_links = AuditEvent.objects.filter(tag=AuditTag.InvitationResent).count()
    if ivy.has_usable_password():  # the first link won: nothing was sent
        assert accepted.status_code == 302
        assert new_links == 0 and not mail.outbox
    else:  # the new link won: the first was refused as replaced, and the new one works
        assert accepted.status_code == 404
        assert new_links == 1
        refused = AuditEvent.objects.filter(tag=AuditTag.InvitationRefused)
        assert [e.additional["reason"] for e in refused] == ["replaced"]
        [second] = _tokens()
        assert Client().post(reverse("accounts:invitation", args=[second]), ACCEPT).status_code == 302


def test_two_colleagues_sending_a_new_link_at_once_leave_one_working_link(world, monkeypatch):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    clients = (signed_in(world.lena), signed_in(leo))
    for client in clients:
        client.raise_request_exception = False
    _meeting(monkeypatch, (team.account_pages, "invitation_resend"))

    responses = run_together(2, lambda i: clients[i].post(reverse("team:resend_invitation", args=[ivy.pk])))
    monkeypatch.undo()

    assert [r.status_code for r in responses] == [302, 302]
    assert AuditEvent.objects.filter(tag=AuditTag.InvitationResent).count() == 2
    tokens = _tokens()
    assert len(tokens) == 2
    opens = [Client().get(reverse("accounts:invitation", args=[t])).status_code == 200 for t in tokens]
    assert sorted(opens) == [False, True], "exactly one of the two new links works"
    assert Client().get(reverse("accounts:invitation", args=[first])).status_code == 404
    assert Invitation.objects.get(user=ivy).created_by in (world.lena, leo)
    assert not User.objects.get(pk=ivy.pk).has_usable_password()
