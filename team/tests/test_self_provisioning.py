"""No self-administration: a person who looks after accounts must not be able to make one for themselves.

An LA team member invites a practitioner account at their own work email address (the invitation link
comes to them) and then looks after it as a stranger's: lifts its misuse suspension, removes its home
postcode. (The system administrator's side: administration/tests/test_self_provisioning.py.)
"""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import account_suspend
from tests.invitations import CHECKED_YEAR
from tests.journeys import signed_in

DATES = {
    "background_check_day": "1",
    "background_check_month": "1",
    "background_check_year": CHECKED_YEAR,
    "training_day": "1",
    "training_month": "1",
    "training_year": "2026",
}
PASSWORD2 = "a long synthetic passphrase 93"


def _accept(token):
    Client().post(
        reverse("accounts:invitation", args=[token]),
        {"password1": PASSWORD2, "password2": PASSWORD2, "agreement": "on"},
    )


def test_an_la_team_member_cannot_invite_an_account_for_themselves_and_then_lift_its_suspension(world):
    lena = signed_in(world.lena)
    lena.post(
        reverse("team:invite"),
        {
            "first_name": world.lena.first_name,
            "last_name": world.lena.last_name,
            "email": world.lena.email,
            "username": "lena-practitioner",
            "organisation": str(world.north_social_care.pk),
            "role": "practitioner",
            **DATES,
        },
    )
    second = User.objects.filter(username="lena-practitioner").first()
    if second is not None:
        _accept(re.search(r"/account/invitation/([\w-]+)/", mail.outbox[-1].body).group(1))
        account_suspend(user=second, by=None, reason="own_surname")
        lena.post(reverse("team:reinstate", args=[second.pk]))
        second.refresh_from_db()
    accounts = list(User.objects.filter(email__iexact=world.lena.email).values_list("username", "role"))
    assert accounts == [("lena", Role.LA_TEAM)], (
        f"Lena's own address now holds {accounts}; the second account's misuse suspension "
        f"{'was lifted by Lena herself' if second is not None and second.suspended_at is None else 'stands'}"
    )
