"""The LA team's and the administrator's account pages share one summary (templates/includes/
account_summary.html), each with its own URLs, and show what they showed before: the team's page alone
has the user agreement row and the "Reset security codes" button; every form and link on each page goes
to that page's own set of URLs."""

import re
from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from administration.tests.support import administrator
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.personas import make_user


def _targets(page: str) -> set[str]:
    """Every form action and link on the page's main content."""
    main = page[page.index('id="main-content"') :]
    return set(re.findall(r'(?:action|href)="([^"]+)"', main))


def test_the_teams_account_page_shows_the_agreement_and_its_own_changes(world):
    world.alice.agreement_signed_on = date(2026, 1, 5)
    world.alice.save(update_fields=["agreement_signed_on"])
    page = signed_in(world.lena).get(reverse("team:user", args=[world.alice.pk])).content.decode()
    for shown in ("Username", "alice", "Practitioner", "Active", "Background check", "Training completed"):
        assert shown in page
    assert "User agreement" in page and "5 Jan 2026" in page
    assert "Suspend this account" in page and "Reset security codes" in page and "Close account" in page
    pk = world.alice.pk
    assert {
        reverse("team:background_check", args=[pk]),
        reverse("team:suspend", args=[pk]),
        reverse("team:home_postcode", args=[pk]),
        f"{reverse('team:user', args=[pk])}?confirm=reset_mfa",
        f"{reverse('team:user', args=[pk])}?confirm=close",
    } <= _targets(page)
    assert not any("/administration/" in target for target in _targets(page))


def test_the_administrators_account_page_has_no_agreement_row_nor_reset_and_its_own_changes(world):
    admin = signed_in(administrator(world))
    page = admin.get(reverse("administration:account", args=[world.dara.pk])).content.decode()
    assert "Data manager" in page and "Active" in page
    assert "User agreement" not in page
    assert "Reset security codes" not in page
    assert "Suspend this account" in page and "Close account" in page
    pk = world.dara.pk
    assert {
        reverse("administration:account_background_check", args=[pk]),
        reverse("administration:account_suspend", args=[pk]),
        reverse("administration:account_home_postcode", args=[pk]),
        f"{reverse('administration:account', args=[pk])}?confirm=close",
    } <= _targets(page)
    assert not any(target.startswith("/team/") for target in _targets(page))


def test_a_suspended_account_offers_its_pages_own_reinstatement(world):
    page = signed_in(world.lena).get(reverse("team:user", args=[world.sam.pk])).content.decode()
    assert "Reinstate account" in page and "Suspend this account" not in page
    assert reverse("team:reinstate", args=[world.sam.pk]) in _targets(page)
    sue = make_user("sue", world.north, Role.DATA_MANAGER, suspended_at=timezone.now())
    page = (
        signed_in(administrator(world)).get(reverse("administration:account", args=[sue.pk])).content.decode()
    )
    assert "Reinstate account" in page
    assert reverse("administration:account_reinstate", args=[sue.pk]) in _targets(page)


def test_an_invited_account_offers_its_pages_own_invitation_changes(world):
    lena = signed_in(world.lena)
    lena.post(reverse("team:invite"), invitation_form(organisation=world.north_social_care.pk))
    ivy = User.objects.get(username="ivy")
    page = lena.get(reverse("team:user", args=[ivy.pk])).content.decode()
    assert "they have not yet accepted the invitation" in page
    assert {
        reverse("team:resend_invitation", args=[ivy.pk]),
        reverse("team:correct_invitation_address", args=[ivy.pk]),
    } <= _targets(page)
    admin = signed_in(administrator(world))
    admin.post(
        reverse("administration:account_invite"),
        invitation_form(
            username="newnat", email="newnat@example.org", organisation=world.north.pk, role="data_manager"
        ),
    )
    newnat = User.objects.get(username="newnat")
    page = admin.get(reverse("administration:account", args=[newnat.pk])).content.decode()
    assert "they have not yet accepted the invitation" in page
    assert {
        reverse("administration:account_resend_invitation", args=[newnat.pk]),
        reverse("administration:account_correct_invitation_address", args=[newnat.pk]),
    } <= _targets(page)


def test_a_closed_account_offers_no_change_on_either_page(world):
    carl = make_user("carl", world.north_social_care, is_active=False)
    page = signed_in(world.lena).get(reverse("team:user", args=[carl.pk])).content.decode()
    assert "Closed" in page
    for absent in ("Suspend this account", "Reinstate account", "Reset security codes", "Close account"):
        assert absent not in page
    cleo = make_user("cleo", world.north, Role.DATA_MANAGER, is_active=False)
    page = (
        signed_in(administrator(world))
        .get(reverse("administration:account", args=[cleo.pk]))
        .content.decode()
    )
    assert (
        "Closed" in page and "Close account" not in page and "Record a renewed background check" not in page
    )
