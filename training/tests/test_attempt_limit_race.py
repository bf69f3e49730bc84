"""Two attempts sent at once by one person with one attempt left (PostgreSQL): one is marked, the other
refused. The count of attempts and the recording are check-then-write; a barrier holds each request just
after it counted, as two app servers interleave by chance."""

import pytest
from django.urls import reverse

import training.services
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from tests.concurrency import meeting_after, postgresql_race, run_together
from tests.journeys import signed_in
from training.tests.reading import answers_as_shown, course_read

pytestmark = postgresql_race()


@pytest.fixture(autouse=True)
def _three_a_day(settings):
    settings.TRAINING_QUESTIONS_PER_ATTEMPT = 4
    settings.TRAINING_PASS_MARK = 3
    settings.TRAINING_ATTEMPTS_PER_DAY = 3


def test_two_attempts_sent_at_once_with_one_left_are_marked_once_and_refused_once(world, monkeypatch):
    for _ in range(2):
        event_record(tag=AuditTag.TrainingFailed, actor=world.tom, additional={"correct": 0, "asked": 4})
    clients = [signed_in(world.tom), signed_in(world.tom)]  # two sessions: two browsers
    drawn = []
    for client in clients:
        client.raise_request_exception = False
        course_read(client)
        assert client.get(reverse("training:assessment")).status_code == 200
        drawn.append(answers_as_shown(client, client.session["training_questions"]))
    monkeypatch.setattr(
        training.services, "attempts_within_a_day", meeting_after(training.services.attempts_within_a_day)
    )
    responses = run_together(
        2,
        lambda i: clients[i].post(reverse("training:assessment"), drawn[i]),
    )
    texts = sorted(r.content.decode() for r in responses)
    assert [r.status_code for r in responses] == [200, 200]
    attempts = AuditEvent.objects.filter(
        actor=world.tom, tag__in=[AuditTag.TrainingPassed, AuditTag.TrainingFailed]
    )
    assert attempts.count() == 3
    assert AuditEvent.objects.filter(actor=world.tom, tag=AuditTag.TrainingRefused).count() == 1
    assert sum("You have passed the training</h1>" in t for t in texts) == 1
    assert sum("You cannot take the assessment yet</h1>" in t for t in texts) == 1
