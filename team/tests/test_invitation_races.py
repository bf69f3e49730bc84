"""Two LA teams inviting one username (or two look-alikes) at once (PostgreSQL): one account, no server error.

The form checks "already in use" and the insert comes later; a barrier inside the request holds both
between the check and the insert, as two app servers interleave by chance."""

from django.urls import reverse

import team.forms
from accounts.models import Role, User
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.invitations import CHECKED_YEAR
from tests.journeys import signed_in
from tests.personas import make_user

pytestmark = postgresql_race()


def _invitation(*, email: str, username: str, organisation) -> dict[str, str]:
    """The invitation form as sent for a practitioner called Ivy."""
    return {
        "first_name": "Ivy",
        "last_name": "Example",
        "email": email,
        "username": username,
        "organisation": str(organisation.pk),
        "role": "practitioner",
        "background_check_day": "1",
        "background_check_month": "1",
        "background_check_year": CHECKED_YEAR,
        "training_day": "1",
        "training_month": "1",
        "training_year": "2026",
    }


def test_two_la_teams_inviting_one_username_at_once_get_an_answer_not_a_server_error(world, monkeypatch):
    leo = make_user("leo", world.south, Role.LA_TEAM)
    clients = (signed_in(world.lena), signed_in(leo))
    for c in clients:
        c.raise_request_exception = False
    organisations = (world.north_social_care, world.south_gp)
    monkeypatch.setattr(team.forms, "account_invite", meeting_before(team.forms.account_invite))

    def work(i):
        return clients[i].post(
            reverse("team:invite"),
            _invitation(email=f"ivy{i}@example.org", username="ivy", organisation=organisations[i]),
        )

    responses = run_together(2, work)
    codes = sorted(r.status_code for r in responses)
    assert User.objects.filter(username="ivy").count() == 1
    assert 500 not in codes, f"answers {codes}"


def test_two_look_alike_usernames_invited_at_once_are_not_both_created(world, monkeypatch):
    """Finding 8 of the penetration test: no account may look like another. "ivy" and "IVY" (or "ivy"
    and "ivy" with a look-alike letter) invited at the same moment both pass the form's check."""
    leo = make_user("leo", world.south, Role.LA_TEAM)
    clients = (signed_in(world.lena), signed_in(leo))
    organisations = (world.north_social_care, world.south_gp)
    names = ("ivy", "IVY")
    monkeypatch.setattr(team.forms, "account_invite", meeting_before(team.forms.account_invite))

    def work(i):
        return clients[i].post(
            reverse("team:invite"),
            _invitation(email=f"ivy{i}@example.org", username=names[i], organisation=organisations[i]),
        )

    run_together(2, work)
    created = sorted(User.objects.filter(username__iexact="ivy").values_list("username", flat=True))
    assert len(created) == 1, f"look-alike accounts created side by side: {created}"


def test_two_invitations_of_one_email_address_at_once_open_only_one_account(world, monkeypatch):
    """One open account per email address (the form's rule): two LA teams inviting the same address (in
    other letter case) at the same moment both passed the form's check, and two open accounts shared
    it, each invitation link sent to the same person. The database now keeps the rule; the second team
    is told on the form, not given a server error."""
    leo = make_user("leo", world.south, Role.LA_TEAM)
    clients = (signed_in(world.lena), signed_in(leo))
    for c in clients:
        c.raise_request_exception = False
    organisations = (world.north_social_care, world.south_gp)
    emails = ("ivy.shared@example.org", "Ivy.Shared@example.org")
    monkeypatch.setattr(team.forms, "account_invite", meeting_before(team.forms.account_invite))

    def work(i):
        return clients[i].post(
            reverse("team:invite"),
            _invitation(email=emails[i], username=f"ivy{i}", organisation=organisations[i]),
        )

    responses = run_together(2, work)
    assert User.objects.filter(email__iexact="ivy.shared@example.org", is_active=True).count() == 1
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 302], f"answers {codes}"
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert "Another open account already uses this email address" in refused
