"""No self-administration: a system administrator, who must never browse children, may not invite an LA
team account at their own address and sign in to it to search the index."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from administration.tests.support import administrator
from tests.invitations import CHECKED_YEAR
from tests.journeys import signed_in
from tests.personas import PASSWORD

DATES = {
    "background_check_day": "1",
    "background_check_month": "1",
    "background_check_year": CHECKED_YEAR,
    "training_day": "1",
    "training_month": "1",
    "training_year": "2026",
}


def test_a_system_administrator_cannot_invite_an_la_team_account_for_themselves_and_search_children(
    world, child
):
    admin = administrator(world)
    client = signed_in(admin)
    client.post(
        reverse("administration:account_invite"),
        {
            "first_name": admin.first_name,
            "last_name": admin.last_name,
            "email": admin.email,
            "username": "simon-team",
            "organisation": str(world.north.pk),
            "role": Role.LA_TEAM,
            **DATES,
        },
    )
    search_page = ""
    second = User.objects.filter(username="simon-team").first()
    if second is not None:
        token = re.search(r"/account/invitation/([\w-]+)/", mail.outbox[-1].body).group(1)
        Client().post(
            reverse("accounts:invitation", args=[token]),
            {"password1": PASSWORD, "password2": PASSWORD, "agreement": "on"},
        )
        search_page = (
            signed_in(User.objects.get(pk=second.pk)).get(reverse("children:search")).content.decode()
        )
    accounts = list(User.objects.filter(email__iexact=admin.email).values_list("username", "role"))
    assert accounts == [("simon", Role.SYSTEM_ADMIN)], (
        f"the administrator's own address now holds {accounts}; signed in as it, the search page "
        f"{'offers a family name box' if 'Family name' in search_page else 'is closed'}"
    )
