"""The course cannot be passed without reading it: the assessment is offered only once every course page
has been opened since the last attempt, and until then a page says which sections are left, with links."""

from html import escape

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from training.course import PAGES
from training.tests.reading import answers_as_shown, course_read

LEFT = "Read the whole course before the assessment</h1>"
ATTEMPTS = (AuditTag.TrainingPassed, AuditTag.TrainingFailed)


@pytest.fixture(autouse=True)
def _four_questions_three_to_pass(settings):
    settings.TRAINING_QUESTIONS_PER_ATTEMPT = 4
    settings.TRAINING_PASS_MARK = 3


def _links(text: str) -> list[str]:
    return [p.title for p in PAGES if f'href="{reverse("training:page", args=[p.slug])}"' in text]


def test_someone_who_has_read_nothing_is_shown_every_section_left_and_no_questions(world):
    client = signed_in(world.tom)
    response = client.get(reverse("training:assessment"))
    text = response.content.decode()
    assert response.status_code == 200 and LEFT in text
    assert "Training assessment</h1>" not in text and "Submit your answers" not in text
    assert all(escape(p.title) in text for p in PAGES)
    assert _links(text) == [p.title for p in PAGES]
    assert "training_questions" not in client.session  # nothing drawn


def test_the_page_lists_only_the_sections_not_yet_read(world):
    client = signed_in(world.tom)
    for page in PAGES[:-2]:
        client.get(reverse("training:page", args=[page.slug]))
    text = client.get(reverse("training:assessment")).content.decode()
    assert LEFT in text
    assert f"You have read {len(PAGES) - 2} of {len(PAGES)} sections" in text
    assert _links(text) == [p.title for p in PAGES[-2:]]


def test_once_every_page_is_read_the_questions_are_shown(world):
    client = signed_in(world.tom)
    course_read(client)
    text = client.get(reverse("training:assessment")).content.decode()
    assert "Training assessment</h1>" in text and LEFT not in text


def test_answers_posted_without_reading_the_course_are_not_marked(world):
    client = signed_in(world.tom)
    session = client.session
    keys = ["purpose", "own-family", "recorded", "out-of-hours"]
    session["training_questions"] = keys
    session["training_option_orders"] = {k: [0, 1, 2] for k in keys}
    session.save()
    response = client.post(reverse("training:assessment"), {k: "0" for k in keys}, follow=True)
    assert LEFT in response.content.decode()
    assert not AuditEvent.objects.filter(tag__in=ATTEMPTS).exists()


@pytest.mark.parametrize("passing", [True, False])
def test_after_an_attempt_the_course_must_be_read_again_before_the_next(world, passing):
    client = signed_in(world.tom)
    course_read(client)
    client.get(reverse("training:assessment"))
    keys = client.session["training_questions"]
    result = client.post(
        reverse("training:assessment"), answers_as_shown(client, keys, wrong=0 if passing else 4)
    )
    assert ("You have passed the training" in result.content.decode()) is passing
    text = client.get(reverse("training:assessment")).content.decode()
    assert LEFT in text and _links(text) == [p.title for p in PAGES]


def test_the_course_contents_say_which_sections_have_been_read(world):
    client = signed_in(world.tom)
    client.get(reverse("training:page", args=[PAGES[0].slug]))
    text = client.get(reverse("training:course")).content.decode()
    assert text.count(">Read</strong>") == 1
