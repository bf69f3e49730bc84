"""An assessment sent as its person is suspended or closed records nothing.

The account guard judged the person at the start of the request, and the marking locked their row (to
count the attempts of the last 24 hours) without reading it again: Tom, whose training had lapsed,
suspended by his LA team a moment after his answers passed the guard, still had his training renewed,
and the log credited a suspended account with a pass (and counted an attempt against it). The marking
now reads the account as locked and answers as the next request would: the audited refusal, signed out.
"""

from typing import Any

import pytest
from django.urls import reverse

import training.views
from accounts.models import User
from accounts.services import account_close, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from training.tests.reading import answers_as_shown, course_read

ATTEMPTS = (AuditTag.TrainingPassed, AuditTag.TrainingFailed, AuditTag.TrainingRefused)
SAID = {
    "suspended": ("Your account is suspended.", "suspended"),
    "closed": ("Your account is closed.", "inactive"),
}


def _answering(world: Any) -> tuple[Any, dict[str, str]]:
    client = signed_in(world.tom)
    client.raise_request_exception = False
    course_read(client)
    assert client.get(reverse("training:assessment")).status_code == 200
    answers = answers_as_shown(client, client.session["training_questions"])
    return client, answers


def _ended(world: Any, how: str) -> Any:
    def end() -> Any:
        tom, lena = User.objects.get(pk=world.tom.pk), User.objects.get(pk=world.lena.pk)
        if how == "closed":
            return account_close(user=tom, by=lena)
        return account_suspend(user=tom, by=lena, reason="Searched a neighbour's child")

    return end


def _nothing_recorded(world: Any, client: Any, response: Any, how: str) -> None:
    tom = User.objects.get(pk=world.tom.pk)
    assert tom.training_completed_on == world.tom.training_completed_on, "the training was renewed"
    assert not AuditEvent.objects.filter(tag__in=ATTEMPTS).exists()
    assert response.status_code == 403, response.status_code
    said, reason = SAID[how]
    assert said in response.content.decode()
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.tom).get()
    assert refusal.additional["reason"] == reason
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["suspended", "closed"])
def test_answers_sent_as_the_person_is_suspended_renew_nothing(world, monkeypatch, how):
    client, answers = _answering(world)
    marked = training.views.assessment_mark

    def marked_then_ended(*args: Any, **kwargs: Any) -> Any:
        result = marked(*args, **kwargs)
        _ended(world, how)()
        return result

    monkeypatch.setattr(training.views, "assessment_mark", marked_then_ended)
    response = client.post(reverse("training:assessment"), answers)
    _nothing_recorded(world, client, response, how)


def _racing(test: Any) -> Any:
    for mark in postgresql_race("PostgreSQL only: the suspension commits on another session"):
        test = mark(test)
    return test


@_racing
@pytest.mark.parametrize("how", ["suspended", "closed"])
def test_a_suspension_committed_by_a_colleague_as_the_answers_are_marked_renews_nothing(
    world, monkeypatch, how
):
    client, answers = _answering(world)
    response, _ = paused_for(
        monkeypatch,
        training.views,
        "assessment_mark",
        read=lambda: client.post(reverse("training:assessment"), answers),
        write=_ended(world, how),
    )
    monkeypatch.undo()
    _nothing_recorded(world, client, response, how)


@pytest.mark.django_db
def test_a_person_still_able_to_act_passes_as_before(world):
    client, answers = _answering(world)
    response = client.post(reverse("training:assessment"), answers)
    assert "You have passed the training" in response.content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.TrainingPassed, actor=world.tom).count() == 1
