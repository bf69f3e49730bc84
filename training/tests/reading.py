"""Helpers for tests that take the assessment: read the course first, answer as the page shows the options."""

from django.test import Client
from django.urls import reverse

from training.course import PAGES, QUESTIONS


def course_read(client: Client) -> None:
    """Open every course page, as the assessment requires before it is offered."""
    for page in PAGES:
        assert client.get(reverse("training:page", args=[page.slug])).status_code == 200


def answers_as_shown(client: Client, keys: list[str], wrong: int = 0) -> dict[str, str]:
    """The option positions, as the page shows them, of the right answers (the first `wrong` answered wrongly)."""
    orders = client.session["training_option_orders"]
    answers = {}
    for n, key in enumerate(keys):
        question = QUESTIONS[key]
        chosen = question.answer if n >= wrong else (question.answer + 1) % len(question.options)
        answers[key] = str(orders[key].index(chosen))
    return answers
