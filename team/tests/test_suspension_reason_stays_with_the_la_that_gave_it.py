"""A suspension's typed reason stays with the LA whose account it was when suspended (a review's finding,
session 36). The reason often names the child looked up ("searched Amelia Thornton, a relative"): once the
person's organisation was put in another LA, that LA's team read it on the account's page. Now the page
says the reason was given while the account belonged to the other LA, and whom to ask; nothing is unsealed
or audited as read. The team of the LA that gave it still reads it while the account is theirs."""

import importlib

from django.apps import apps as global_apps
from django.urls import reverse

from accounts.models import Organisation, Role, User
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

REASON = "Looked up Amelia Thornton, a relative"


def _page(user, subject) -> str:
    return signed_in(user).get(reverse("team:user", args=[subject.pk])).content.decode()


def test_the_team_of_the_la_the_account_moved_to_is_not_told_the_reason(world):
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.south)
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    page = _page(south_team, world.alice)
    assert "Suspended" in page
    assert REASON not in page and "Amelia" not in page
    assert "while the account belonged to Northshire Council" in page
    assert not AuditEvent.objects.filter(tag=AuditTag.SuspensionReasonShown).exists()


def test_the_team_that_gave_it_still_reads_it(world):
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)
    assert REASON in _page(world.lena, world.alice)
    assert AuditEvent.objects.filter(tag=AuditTag.SuspensionReasonShown, actor=world.lena).count() == 1


def test_moved_back_the_reason_is_read_again_by_the_team_that_gave_it(world):
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.south)
    Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.north)
    assert REASON in _page(world.lena, world.alice)


def test_an_account_suspended_before_the_la_was_recorded_is_given_its_la_today(world):
    migration = importlib.import_module("accounts.migrations.0012_user_suspended_in_la")
    assert account_suspend(user=world.alice, by=world.lena, reason=REASON)
    User.objects.filter(pk=world.alice.pk).update(suspended_in_la_id=None)
    migration.suspended_accounts_given_their_la(global_apps, None)
    assert User.objects.get(pk=world.alice.pk).suspended_in_la_id == world.north.pk
