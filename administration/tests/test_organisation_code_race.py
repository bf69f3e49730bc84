"""Two administrators adding one organisation code at once (PostgreSQL): one organisation, no server error.

The form checks "already in use" and the insert comes later; a barrier inside the request holds both
between the check and the insert, as two app servers interleave by chance."""

import contextlib
import threading

import pytest
from django.db import connection
from django.urls import reverse

import administration.organisations
from accounts.models import Organisation
from administration.tests.support import administrator, organisation_form
from tests.concurrency import run_together
from tests.journeys import signed_in

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _meet(barrier):
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=3)


def test_two_administrators_adding_one_organisation_code_at_once_get_an_answer_not_a_server_error(
    world, monkeypatch
):
    clients = (signed_in(administrator(world, "simon")), signed_in(administrator(world, "sally")))
    for c in clients:
        c.raise_request_exception = False
    barrier = threading.Barrier(2)
    original = administration.organisations.organisation_create

    def create(**kwargs):
        _meet(barrier)
        return original(**kwargs)

    monkeypatch.setattr(administration.organisations, "organisation_create", create)
    responses = run_together(
        2, lambda i: clients[i].post(reverse("administration:organisation_new"), organisation_form(world))
    )
    codes = sorted(r.status_code for r in responses)
    assert Organisation.objects.filter(code="URN-777001").count() == 1
    assert 500 not in codes, f"answers {codes}"
