"""Accepting a lead proposal while the proposer ends their involvement: `lead_accept` once locked the
proposal, the involvement and then the child in one statement (PostgreSQL locks joined rows in FROM
order), while `involvement_cease` locks the child and then the involvement: opposite orders, a deadlock,
and a 500 page. It now locks the child first, as cease does, so one waits for the other and the
acceptance, judged after the ending, is refused."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from children.models import Child, Involvement
from children.selectors import child_details
from children.services import involvement_cease
from coordination.models import LeadProposal, Match
from coordination.services import lead_accept, lead_propose
from coordination.tests.support import record, school_teacher
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def test_accepting_an_offer_while_its_proposer_ends_their_involvement_waits_instead_of_deadlocking(
    world, child
):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    proposal = lead_propose(match=match, involvement=carols, by=carol)
    child_locked = threading.Event()

    def work(index: int) -> str:
        try:
            if index == 0:  # Carol ends her involvement (the cease page)
                with transaction.atomic():
                    # involvement_cease's first statement, taken a moment early so the two overlap
                    Child.objects.select_for_update().get(pk=child.pk)
                    child_locked.set()
                    time.sleep(0.5)
                    involvement_cease(
                        involvement=Involvement.objects.get(pk=carols.pk), by=carol, ended_on=date.today()
                    )
                return "ceased"
            child_locked.wait(5)
            time.sleep(0.1)
            acceptance = lead_accept(proposal=LeadProposal.objects.get(pk=proposal.pk), by=world.alice)
            return "accepted" if acceptance else "refused"
        except Exception as error:  # what the page would turn into a 500
            return f"error: {type(error).__name__}: {str(error).splitlines()[0]}"

    results = run_together(2, work)
    assert not [r for r in results if r.startswith("error")], results
    # The acceptance waited for the ending and judged it: refused, and no ended involvement is lead.
    assert sorted(results) == ["ceased", "refused"], results
    child.refresh_from_db()
    assert child_details(child).lead_professional_id is None
