"""The assessment cannot be passed by guessing: at most TRAINING_ATTEMPTS_PER_DAY attempts (passed or
failed) in any rolling 24 hours per person; a further attempt is refused, audited, and told when the next
one is possible and that reading the course again is advised."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from tests.journeys import signed_in
from training.course import PAGES, QUESTIONS
from training.tests.reading import answers_as_shown, course_read

ATTEMPTS = (AuditTag.TrainingPassed, AuditTag.TrainingFailed)
REFUSED = "You cannot take the assessment yet"


@pytest.fixture(autouse=True)
def _four_questions_three_to_pass_three_a_day(settings):
    settings.TRAINING_QUESTIONS_PER_ATTEMPT = 4
    settings.TRAINING_PASS_MARK = 3
    settings.TRAINING_ATTEMPTS_PER_DAY = 3


def _client(user):
    return signed_in(user)


def _attempt(client, *, right: bool):
    """Read the course, open the assessment and answer all right or all wrong; the result page."""
    course_read(client)
    page = client.get(reverse("training:assessment"))
    assert page.status_code == 200 and "Training assessment</h1>" in page.content.decode()
    keys = client.session["training_questions"]
    return client.post(
        reverse("training:assessment"), answers_as_shown(client, keys, wrong=0 if right else len(keys))
    )


def test_a_fourth_attempt_in_a_day_is_refused_with_the_next_time_in_words_and_audited(world):
    with time_machine.travel(datetime(2026, 12, 5, 14, 4, 30, tzinfo=UTC), tick=False):
        client = _client(world.tom)
        for _ in range(3):
            result = _attempt(client, right=False)
            assert "You have not passed the training" in result.content.decode()
        third = result.content.decode()
        assert "You can try again after 14:05 on 6 December" in third  # the 3rd result says so already
        assert "Try the assessment again" not in third
        assert AuditEvent.objects.filter(tag__in=ATTEMPTS, actor=world.tom).count() == 3

        refused = client.get(reverse("training:assessment"))
        text = refused.content.decode()
        assert refused.status_code == 200 and f"{REFUSED}</h1>" in text
        assert "You can try again after 14:05 on 6 December" in text
        assert "read the course again" in text
        assert "training_questions" not in client.session  # no questions shown or drawn

        # Answers posted anyway (a draw kept from before, the course read) are not marked, even all right.
        session = client.session
        keys = list(QUESTIONS)[:4]
        session["training_questions"] = keys
        session["training_option_orders"] = {k: list(range(len(QUESTIONS[k].options))) for k in keys}
        session["training_pages_read"] = [p.slug for p in PAGES]
        session.save()
        posted = client.post(reverse("training:assessment"), {k: str(QUESTIONS[k].answer) for k in keys})
        assert f"{REFUSED}</h1>" in posted.content.decode()
        assert "You have passed" not in posted.content.decode()
    world.tom.refresh_from_db()
    assert world.tom.training_completed_on < datetime(2026, 12, 5).date()  # still lapsed
    assert AuditEvent.objects.filter(tag__in=ATTEMPTS, actor=world.tom).count() == 3
    events = AuditEvent.objects.filter(tag=AuditTag.TrainingRefused, actor=world.tom)
    assert events.count() == 2
    assert events.first().additional == {
        "actor_role": "practitioner",
        "attempts": 3,
        "allowed": 3,
        "next_attempt_after": "2026-12-06T14:04:30+00:00",
    }
    assert TAG_LABELS[AuditTag.TrainingRefused]


def test_the_limit_is_rolling_each_attempt_counting_for_24_hours_and_a_pass_counts_too(world):
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        _attempt(_client(world.tom), right=False)
        clock.move_to(start + timedelta(hours=2))
        _attempt(_client(world.tom), right=False)
        clock.move_to(start + timedelta(hours=4))
        assert "You have passed the training" in _attempt(_client(world.tom), right=True).content.decode()
        clock.move_to(start + timedelta(hours=23, minutes=59))
        page = _client(world.tom).get(reverse("training:assessment")).content.decode()
        assert "You can try again after 09:00 on 6 December" in page
        clock.move_to(start + timedelta(hours=24))  # the first attempt is 24 hours old: one more
        client = _client(world.tom)
        assert "You have not passed" in _attempt(client, right=False).content.decode()
        page = client.get(reverse("training:assessment")).content.decode()
        assert "You can try again after 11:00 on 6 December" in page


def test_the_number_of_attempts_a_day_is_a_setting(world, settings):
    settings.TRAINING_ATTEMPTS_PER_DAY = 1
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, 1, tzinfo=UTC), tick=False):
        client = _client(world.tom)
        result = _attempt(client, right=False).content.decode()
        assert "You can try again after 10:01 on 6 December" in result  # rounded up to the minute
        assert REFUSED in client.get(reverse("training:assessment")).content.decode()


def test_someone_elses_attempts_do_not_count(world):
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=UTC), tick=False):
        for _ in range(3):
            _attempt(_client(world.tom), right=False)
        alice = _client(world.alice)
        course_read(alice)
        page = alice.get(reverse("training:assessment")).content.decode()
        assert "Training assessment</h1>" in page and REFUSED not in page
