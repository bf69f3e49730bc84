import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import AUTH_STARTED_KEY
from accounts.models import UserSession
from accounts.services import account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in


def test_suspending_a_user_ends_all_their_sessions_at_once(world):
    first, second = signed_in(world.alice), signed_in(world.alice)
    assert UserSession.objects.filter(user=world.alice).count() == 2
    account_suspend(user=world.alice, by=world.lena, reason="Searching own relatives")
    assert not UserSession.objects.filter(user=world.alice).exists()
    for client in (first, second):
        response = client.get(reverse("children:search"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert Session.objects.count() == 0


def test_a_lapse_blocks_the_next_request_and_says_why(world):
    client = signed_in(world.alice)
    assert client.get(reverse("children:search")).status_code == 200
    world.alice.background_check_on = timezone.localdate() - timedelta(days=3 * 366)
    world.alice.save()
    response = client.get(reverse("children:search"))
    assert response.status_code == 403
    assert "background check has expired" in response.content.decode()


def test_a_training_lapse_sends_the_next_request_to_the_course_which_says_why(world):
    client = signed_in(world.alice)
    assert client.get(reverse("children:search")).status_code == 200
    world.alice.training_completed_on = timezone.localdate() - timedelta(days=366)
    world.alice.save()
    response = client.get(reverse("children:search"), follow=True)
    assert response.redirect_chain == [(reverse("training:course"), 302)]
    assert "training has expired" in response.content.decode()


def test_a_session_ends_after_ten_hours_whatever_the_activity(world):
    client = signed_in(world.alice)
    session = client.session
    session[AUTH_STARTED_KEY] = time.time() - 10 * 60 * 60 - 1
    session.save()
    response = client.get(reverse("children:search"))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(tag=AuditTag.SessionExpired, actor=world.alice).exists()


def test_a_session_lasts_fifteen_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_signing_out_is_audited(world):
    client = signed_in(world.alice)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(tag=AuditTag.LoggedOut, actor=world.alice).exists()
    assert client.get(reverse("children:search")).status_code == 302
