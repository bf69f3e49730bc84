"""Trying to break the rules on management information: wrong role, no LA, suspended, lapsed training."""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user

LOCAL = ("insight:local", "insight:local_csv")
NATIONAL = ("insight:national", "insight:national_csv")


def _refused(answer, reason_words: str) -> bool:
    return answer.status_code == 403 and reason_words in answer.content.decode()


def _nothing_recorded() -> bool:
    return not AuditEvent.objects.filter(
        tag__in=[AuditTag.InsightViewed, AuditTag.InsightDownloaded]
    ).exists()


@pytest.mark.parametrize("url", LOCAL + NATIONAL)
@pytest.mark.parametrize("who", ["alice", "olivia", "dara"])
def test_practitioners_and_data_managers_are_refused_every_figure(world, url, who):
    answer = signed_in(getattr(world, who)).get(reverse(url))
    assert _refused(answer, "Your role does not allow this") and _nothing_recorded()


@pytest.mark.parametrize("url", LOCAL + NATIONAL)
def test_a_system_administrator_is_refused_every_figure(world, url):
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    assert _refused(signed_in(simon).get(reverse(url)), "Your role does not allow this")


@pytest.mark.parametrize("url", NATIONAL)
def test_an_la_team_cannot_see_the_national_figures(world, url):
    assert _refused(signed_in(world.lena).get(reverse(url)), "Your role does not allow this")
    assert _nothing_recorded()


@pytest.mark.parametrize("url", LOCAL)
def test_the_national_auditor_has_no_local_authority_page_to_see(world, url):
    assert _refused(signed_in(world.nadia).get(reverse(url)), "Your role does not allow this")


@pytest.mark.parametrize("url", LOCAL)
def test_an_la_team_account_with_no_local_authority_sees_no_figures(world, url):
    """An LA team account in a national body has no LA: there is no "own LA" to count."""
    stray = make_user("stray", world.nadia.organisation, Role.LA_TEAM)
    assert _refused(signed_in(stray).get(reverse(url)), "not linked to an organisation")
    assert _nothing_recorded()


@pytest.mark.parametrize("url", LOCAL + NATIONAL)
def test_a_suspended_la_team_member_or_auditor_is_refused(world, url):
    from django.utils import timezone

    team = make_user("sue", world.north, Role.LA_TEAM)
    auditor = make_user("ned", world.nadia.organisation, Role.NATIONAL_AUDITOR)
    clients = [signed_in(team), signed_in(auditor)]
    for user in (team, auditor):
        user.suspended_at = timezone.now()
        user.save(update_fields=["suspended_at"])
    for client in clients:
        assert _refused(client.get(reverse(url)), "Your account is suspended")
    assert _nothing_recorded()


@pytest.mark.parametrize("url", LOCAL + NATIONAL)
def test_lapsed_training_is_sent_to_the_course_not_shown_figures(world, url):
    from datetime import timedelta

    from django.utils import timezone

    lapsed = timezone.localdate() - timedelta(days=400)
    team = make_user("tia", world.north, Role.LA_TEAM, training_completed_on=lapsed)
    auditor = make_user("ned", world.nadia.organisation, Role.NATIONAL_AUDITOR, training_completed_on=lapsed)
    for user in (team, auditor):
        answer = signed_in(user).get(reverse(url))
        assert answer.status_code == 302 and answer["Location"] == reverse("training:course")
    assert _nothing_recorded()
