"""Two administrators closing one organisation: it is closed once, audited once, and the second is told.

The close page read the organisation's row, then closed it: two administrators pressing "Yes, close"
at the same moment (PostgreSQL, two requests each past the check before either wrote) both closed it
and wrote two `directory:organisation:closed` events for one closure. A press from a confirmation
page read before a colleague closed it went back to the organisation's page without a word.
"""

from django.urls import reverse

import administration.organisations
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import meeting_after, postgresql_race, run_together
from tests.journeys import signed_in

ALREADY = "This organisation had already been closed"


def _racing(test):
    """The marks of a test racing real PostgreSQL sessions (`postgresql_race`) on this one test only."""
    for mark in postgresql_race():
        test = mark(test)
    return test


def _close(client, organisation):
    return client.post(
        reverse("administration:organisation_close", args=[organisation.pk]),
        {"confirmed": "yes"},
        follow=True,
    )


@_racing
def test_two_administrators_closing_one_organisation_at_once_close_it_once(world, monkeypatch):
    clients = (signed_in(administrator(world, "simon")), signed_in(administrator(world, "sally")))
    # Both requests have read the organisation (open) and passed the step-up before either closes it.
    monkeypatch.setattr(
        administration.organisations, "step_up", meeting_after(administration.organisations.step_up)
    )
    responses = run_together(2, lambda i: _close(clients[i], world.north_gp))
    events = AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed)
    assert events.count() == 1, f"{events.count()} directory:organisation:closed events for one closure"
    pages = [r.content.decode() for r in responses]
    assert sum(ALREADY in page for page in pages) == 1
    assert sum("North Road Surgery is closed" in page for page in pages) == 1


def test_closing_from_a_page_read_before_a_colleague_closed_it_says_so(world):
    simon, sally = signed_in(administrator(world, "simon")), signed_in(administrator(world, "sally"))
    page = reverse("administration:organisation", args=[world.north_gp.pk]) + "?confirm=close"
    assert "Yes, close" in simon.get(page).content.decode()
    _close(sally, world.north_gp)
    shown = _close(simon, world.north_gp).content.decode()
    assert AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).count() == 1
    assert "Important" in shown and ALREADY in shown
