"""Training that gates access: a lapsed practitioner is sent to the course, and passing the assessment
(audited) renews the training that access control requires; failing (audited) shows what was wrong."""

import random
from datetime import date, timedelta
from html import escape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from training.course import BANK, PAGES, PRACTICE_CHILDREN, QUESTIONS, assessment_mark, questions_draw
from training.tests.reading import answers_as_shown, course_read

SEARCH = {"family_name": "Thornton", "postcode": "LS1 4AB"}


@pytest.fixture(autouse=True)
def _four_questions_three_to_pass(settings):
    settings.TRAINING_QUESTIONS_PER_ATTEMPT = 4
    settings.TRAINING_PASS_MARK = 3


def _drawn(client) -> list[str]:
    course_read(client)
    page = client.get(reverse("training:assessment"))
    assert page.status_code == 200
    return client.session["training_questions"]


def _answers(keys: list[str], wrong: int = 0) -> dict[str, str]:
    answers = {key: str(QUESTIONS[key].answer) for key in keys}
    for key in keys[:wrong]:
        answers[key] = str((QUESTIONS[key].answer + 1) % len(QUESTIONS[key].options))
    return answers


def test_the_bank_holds_at_least_twelve_questions_each_with_a_valid_answer():
    assert len(BANK) >= 12 and len(QUESTIONS) == len(BANK)
    assert all(0 <= q.answer < len(q.options) for q in BANK)


def test_questions_are_drawn_at_random_without_repeats():
    first = questions_draw(6, random.Random(1))
    assert len(set(first)) == 6
    assert first != questions_draw(6, random.Random(2))


def test_marking_counts_correct_answers_and_lists_the_wrong_and_unanswered_ones():
    keys = [q.key for q in BANK[:4]]
    answers = _answers(keys, wrong=1)
    del answers[keys[3]]
    marked = assessment_mark(keys, answers)
    assert (marked.correct, marked.asked, marked.wrong) == (2, 4, (keys[0], keys[3]))
    assert not marked.passed(3) and marked.passed(2)


def test_a_lapsed_practitioner_is_sent_from_search_to_the_course(world):
    client = signed_in(world.tom)
    response = client.post(reverse("children:search"), SEARCH)
    assert response.status_code == 302 and response["Location"] == reverse("training:course")
    assert not AuditEvent.objects.filter(tag=AuditTag.SearchPerformed).exists()
    course = client.get(reverse("training:course"))
    assert course.status_code == 200
    assert "Your ContactPoint training has expired" in course.content.decode()


def test_every_other_page_stays_shut_to_a_lapsed_practitioner(world, child):
    client = signed_in(world.tom)
    for url in (reverse("children:record", args=[child.pk]), reverse("coordination:inbox"), reverse("home")):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("training:course")), url


def test_the_course_pages_teach_with_synthetic_children_only(world, child):
    client = signed_in(world.tom)
    for page in PAGES:
        response = client.get(reverse("training:page", args=[page.slug]))
        assert response.status_code == 200
        text = response.content.decode()
        assert escape(page.title) in text
        assert all(example.name in text for example in PRACTICE_CHILDREN)
        assert "Amelia" not in text  # the index's child is never shown
    assert client.get(reverse("training:page", args=["no-such-page"])).status_code == 404


def test_passing_renews_the_training_is_audited_and_unlocks_search_at_once(world, child):
    client = signed_in(world.tom)
    keys = _drawn(client)
    assert len(keys) == 4
    result = client.post(reverse("training:assessment"), answers_as_shown(client, keys, wrong=1))
    assert result.status_code == 200
    assert "You have passed the training" in result.content.decode()
    world.tom.refresh_from_db()
    assert world.tom.training_completed_on == timezone.localdate()
    event = AuditEvent.objects.get(tag=AuditTag.TrainingPassed)
    assert event.actor == world.tom
    assert event.additional == {"actor_role": "practitioner", "correct": 3, "asked": 4, "wrong": [keys[0]]}
    search = client.post(reverse("children:search"), SEARCH, follow=True)
    assert search.status_code == 200
    assert search.redirect_chain[0][0].startswith("/children/search/results/")  # results, not the course
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed, actor=world.tom).exists()


def test_failing_is_audited_shows_the_wrong_answers_and_does_not_unlock_search(world):
    client = signed_in(world.tom)
    keys = _drawn(client)
    result = client.post(reverse("training:assessment"), answers_as_shown(client, keys, wrong=2))
    text = result.content.decode()
    assert "You have not passed the training" in text
    shown = [escape(QUESTIONS[key].text) for key in keys[:3]]  # as the page writes them ("child's")
    assert shown[0] in text and shown[1] in text
    assert shown[2] not in text
    world.tom.refresh_from_db()
    assert world.tom.training_completed_on == timezone.localdate() - timedelta(days=400)
    event = AuditEvent.objects.get(tag=AuditTag.TrainingFailed)
    assert (event.actor, event.additional["wrong"]) == (world.tom, keys[:2])
    search = client.post(reverse("children:search"), SEARCH)
    assert (search.status_code, search["Location"]) == (302, reverse("training:course"))


def test_a_new_attempt_draws_new_questions_and_answers_without_a_draw_are_not_marked(world):
    client = signed_in(world.tom)
    course_read(client)
    response = client.post(reverse("training:assessment"), {"purpose": "0"})
    assert (response.status_code, response["Location"]) == (302, reverse("training:assessment"))
    assert not AuditEvent.objects.filter(tag__in=[AuditTag.TrainingPassed, AuditTag.TrainingFailed]).exists()
    keys = client.session["training_questions"]
    client.post(reverse("training:assessment"), answers_as_shown(client, keys, wrong=4))
    assert "training_questions" not in client.session


def test_the_course_needs_a_signed_in_person(client):
    for url in (
        reverse("training:course"),
        reverse("training:assessment"),
        reverse("training:page", args=["purpose"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_course_needs_the_second_factor_first_even_when_training_has_lapsed(world):
    for user in (world.tom, world.alice):
        client = signed_in(user)
        session = client.session
        del session["otp_device_id"]
        session.save()
        response = client.get(reverse("training:course"))
        assert (response.status_code, response["Location"]) == (302, reverse("accounts:mfa")), user


def test_a_practitioner_whose_training_is_current_may_take_the_course_again(world):
    client = signed_in(world.alice)
    assert client.get(reverse("training:course")).status_code == 200
    assert "training-lapsed" not in client.get(reverse("training:course")).content.decode()


def test_training_passed_a_year_ago_lapses_and_sends_the_practitioner_back_to_the_course(world):
    world.alice.training_completed_on = date(2026, 1, 5)
    world.alice.save(update_fields=["training_completed_on"])
    with time_machine.travel(date(2027, 1, 6), tick=False):
        response = signed_in(world.alice).get(reverse("children:search"))
    assert response.status_code == 302 and response["Location"] == reverse("training:course")
