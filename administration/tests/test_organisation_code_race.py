"""Two administrators adding one organisation code at once (PostgreSQL): one organisation, no server error.

The form checks "already in use" and the insert comes later; a barrier inside the request holds both
between the check and the insert, as two app servers interleave by chance."""

import pytest
from django.urls import reverse

import administration.organisations
from accounts.models import Organisation
from administration.tests.support import administrator, organisation_form
from tests.concurrency import meeting_before, postgresql_race, run_together
from tests.journeys import signed_in

pytestmark = postgresql_race()


@pytest.mark.parametrize("second", ["URN-777001", "urn-777001"])
def test_two_administrators_adding_one_organisation_code_at_once_get_an_answer_not_a_server_error(
    world, monkeypatch, second
):
    """The same code, or the same code in other letter case (the form treats them as one): one entry."""
    clients = (signed_in(administrator(world, "simon")), signed_in(administrator(world, "sally")))
    for c in clients:
        c.raise_request_exception = False
    monkeypatch.setattr(
        administration.organisations,
        "organisation_create",
        meeting_before(administration.organisations.organisation_create),
    )
    codes_typed = ("URN-777001", second)
    responses = run_together(
        2,
        lambda i: clients[i].post(
            reverse("administration:organisation_new"), organisation_form(world, code=codes_typed[i])
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert Organisation.objects.filter(code__iexact="URN-777001").count() == 1
    assert statuses == [200, 302], f"answers {statuses}"
    [refused] = [r for r in responses if r.status_code == 200]
    assert "That code is already used by another organisation" in refused.content.decode()
