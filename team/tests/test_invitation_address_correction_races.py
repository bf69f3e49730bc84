"""Correcting an invitation's address while the first link is accepted, or while a colleague invites
someone at the corrected address (PostgreSQL).

Each request has made its checks (the invitee's page read the invitation by its token and checked the
password; the LA team's page passed the policy and checked the address) before any of them writes, as two
app servers interleave by chance. The first link sets a password or the address is corrected with a new
link, never both; one open account holds an address, the other request is told so in words, and no answer
is a server error or a deadlock.
"""

import re
import threading

from django.core import mail
from django.test import Client
from django.urls import reverse

import accounts.views
import team.account_pages
import team.forms
from accounts.models import Role, User
from accounts.tests.invitations import ACCEPT, ivy_invited
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import postgresql_race, run_together
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.personas import make_user

pytestmark = postgresql_race()

CORRECTED = "ivy.example@example.org"


def _meeting(monkeypatch, *places: tuple[object, str]) -> None:
    """Each call of `places` (module, function) waits there until both requests have reached theirs."""
    barrier = threading.Barrier(2)
    for module, name in places:
        real = getattr(module, name)

        def met(*args, _real=real, **kwargs):
            barrier.wait(timeout=10)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, met)


def _tokens() -> list[str]:
    found = [re.search(r"/account/invitation/([\w-]+)/", str(m.body)) for m in mail.outbox]
    return [match.group(1) for match in found if match]


def test_the_first_link_accepted_while_the_address_is_corrected_sets_a_password_or_is_replaced_never_both(
    world, monkeypatch
):
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    invitee, lena = Client(), signed_in(world.lena)
    for client in (invitee, lena):
        client.raise_request_exception = False
    _meeting(
        monkeypatch, (accounts.views, "invitation_accept"), (team.account_pages, "invitation_address_correct")
    )

    def work(i):
        if i == 0:
            return invitee.post(reverse("accounts:invitation", args=[first]), ACCEPT)
        return lena.post(reverse("team:correct_invitation_address", args=[ivy.pk]), {"email": CORRECTED})

    accepted, corrected = run_together(2, work)
    monkeypatch.undo()

    assert accepted.status_code in (302, 404) and corrected.status_code == 302
    ivy.refresh_from_db()
    events = AuditEvent.objects.filter(tag=AuditTag.InvitationAddressCorrected).count()
    if ivy.has_usable_password():  # the first link won: the address stays, nothing was sent
        assert accepted.status_code == 302
        assert ivy.email == "ivy@example.org"
        assert events == 0 and not mail.outbox
    else:  # the correction won: the first link was refused as replaced, the new one works
        assert accepted.status_code == 404
        assert ivy.email == CORRECTED and events == 1
        [message] = mail.outbox
        assert message.to == [CORRECTED]
        [second] = _tokens()
        assert Client().post(reverse("accounts:invitation", args=[second]), ACCEPT).status_code == 302


def test_a_colleague_inviting_someone_at_the_corrected_address_meanwhile_leaves_one_account_at_it(
    world, monkeypatch
):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    ivy, first = ivy_invited(world)
    mail.outbox.clear()
    lena, leo_client = signed_in(world.lena), signed_in(leo)
    for client in (lena, leo_client):
        client.raise_request_exception = False
    _meeting(monkeypatch, (team.forms, "account_invite"), (team.account_pages, "invitation_address_correct"))
    invite = invitation_form(
        first_name="Iris",
        last_name="Example",
        email=CORRECTED,
        username="iris",
        organisation=world.north_social_care.pk,
    )

    def work(i):
        if i == 0:
            return lena.post(reverse("team:correct_invitation_address", args=[ivy.pk]), {"email": CORRECTED})
        return leo_client.post(reverse("team:invite"), invite)

    corrected, invited = run_together(2, work)
    monkeypatch.undo()

    assert {corrected.status_code, invited.status_code} == {200, 302}, "one wins, the other is told"
    assert User.objects.filter(is_active=True, email__iexact=CORRECTED).count() == 1
    ivy.refresh_from_db()
    if corrected.status_code == 302:
        assert ivy.email == CORRECTED
        assert "Another open account already uses this email address" in invited.content.decode()
    else:
        assert ivy.email == "ivy@example.org"
        assert "Another open account already uses this email address" in corrected.content.decode()
        assert not AuditEvent.objects.filter(tag=AuditTag.InvitationAddressCorrected).exists()
        assert Client().get(reverse("accounts:invitation", args=[first])).status_code == 200
