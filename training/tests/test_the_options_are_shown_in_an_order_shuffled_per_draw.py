"""Each drawn question's options are shown in an order shuffled for that draw, kept with the drawn set on
the server, so an answer cannot be remembered by its place and marking still knows which option is right."""

import random
import re
from html import escape

import pytest
from django.urls import reverse

import training.views
from tests.journeys import signed_in
from training.course import BANK, QUESTIONS, options_shuffled
from training.tests.reading import course_read


@pytest.fixture(autouse=True)
def _four_questions_three_to_pass(settings):
    settings.TRAINING_QUESTIONS_PER_ATTEMPT = 4
    settings.TRAINING_PASS_MARK = 4


def _shown(text: str, key: str) -> list[str]:
    """The option labels the page shows for a question, top to bottom."""
    return re.findall(
        rf'<label class="govuk-label govuk-radios__label" for="{re.escape(key)}-\d+">([^<]*)</label>', text
    )


def test_an_order_is_a_shuffle_of_every_option_and_differs_between_draws():
    question = BANK[0]
    orders = {tuple(options_shuffled(question.key, random.Random(seed))) for seed in range(30)}
    assert all(sorted(order) == list(range(len(question.options))) for order in orders)
    assert len(orders) > 1


def test_the_page_shows_the_options_in_the_drawn_order_and_marks_by_what_was_shown(world, monkeypatch):
    monkeypatch.setattr(
        training.views, "options_shuffled", lambda key: list(reversed(range(len(QUESTIONS[key].options))))
    )
    client = signed_in(world.tom)
    course_read(client)
    text = client.get(reverse("training:assessment")).content.decode()
    keys = client.session["training_questions"]
    for key in keys:
        assert _shown(text, key) == [escape(o) for o in reversed(QUESTIONS[key].options)]
    # The right answer is chosen by its place on the page, not its place in the bank.
    shown_right = {k: str(len(QUESTIONS[k].options) - 1 - QUESTIONS[k].answer) for k in keys}
    result = client.post(reverse("training:assessment"), shown_right)
    assert "You have passed the training" in result.content.decode()


def test_answering_by_the_banks_order_is_wrong_when_the_order_was_shuffled(world, monkeypatch):
    monkeypatch.setattr(
        training.views, "options_shuffled", lambda key: list(reversed(range(len(QUESTIONS[key].options))))
    )
    client = signed_in(world.tom)
    course_read(client)
    client.get(reverse("training:assessment"))
    keys = client.session["training_questions"]
    by_bank = {k: str(QUESTIONS[k].answer) for k in keys}
    result = client.post(reverse("training:assessment"), by_bank)
    text = result.content.decode()
    expected_right = sum(
        1 for k in keys if QUESTIONS[k].answer == len(QUESTIONS[k].options) - 1 - QUESTIONS[k].answer
    )
    assert f"You answered {expected_right} of 4 questions correctly" in text
