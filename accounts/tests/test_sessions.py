import time
from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_a_session_ends_after_fifteen_idle_minutes(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in(world.alice)
        assert client.get(reverse("children:search")).status_code == 200
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = client.get(reverse("children:search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_keeps_a_session_alive_past_fifteen_minutes(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in(world.alice)
        for _ in range(8):  # a page every 5 minutes for 40 minutes
            assert client.get(reverse("children:search")).status_code == 200
            traveller.shift(timedelta(minutes=5))
        assert client.get(reverse("children:search")).status_code == 200


def test_a_page_soon_after_the_last_does_not_rewrite_the_session(world):
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("children:search")).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_the_idle_expiry_is_renewed_once_the_renewal_interval_has_passed(world, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in(world.alice)
        client.get(reverse("children:search"))
        first = Session.objects.get().expire_date
        traveller.shift(timedelta(seconds=settings.SESSION_RENEW_SECONDS))
        client.get(reverse("children:search"))
        assert Session.objects.get().expire_date == first + timedelta(seconds=settings.SESSION_RENEW_SECONDS)


def test_signing_out_is_audited(world):
    client = signed_in(world.alice)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(tag=AuditTag.LoggedOut, actor=world.alice).exists()
    assert client.get(reverse("children:search")).status_code == 302


def test_a_signed_in_page_loads_the_person_and_their_organisation_in_one_query(world):
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("children:search")).status_code == 200
    organisation_queries = [q["sql"] for q in queries.captured_queries if "accounts_organisation" in q["sql"]]
    assert len(organisation_queries) == 1
    assert "accounts_user" in organisation_queries[0]


def test_a_lapsed_accreditation_bites_on_the_next_request(world):
    client = signed_in(world.alice)
    assert client.get(reverse("children:search")).status_code == 200
    organisation = world.alice.organisation
    organisation.accredited_on = None
    organisation.save()
    assert client.get(reverse("children:search")).status_code == 403
