"""An offer to be lead professional made while the other side of the match ends their involvement, on
real PostgreSQL sessions: the offer waits for the ending (both take the child's row first) and, judging
the match as it then is, is refused and nothing stored; never an offer nobody could accept."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.services import involvement_cease
from coordination.models import LeadProposal, Match
from coordination.services import LeadOfferNobodyToAccept, lead_propose
from coordination.tests.support import record, school_teacher
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def test_an_offer_made_as_the_other_side_ends_waits_and_is_refused(world, child):
    carol = school_teacher(world)
    alices = record(child, world.alice, role="Allocated social worker")
    carols = record(child, carol, role="Class teacher")
    match = Match.objects.get()
    child_locked = threading.Event()

    def work(index: int) -> str:
        try:
            if index == 0:  # Alice ends her involvement (the end page)
                with transaction.atomic():
                    # involvement_cease's first statement, taken a moment early so the two overlap
                    Child.objects.select_for_update().get(pk=child.pk)
                    child_locked.set()
                    time.sleep(0.5)
                    involvement_cease(
                        involvement=Involvement.objects.get(pk=alices.pk),
                        by=world.alice,
                        ended_on=date.today(),
                    )
                return "ceased"
            child_locked.wait(5)
            time.sleep(0.1)
            lead_propose(
                match=Match.objects.get(pk=match.pk),
                involvement=Involvement.objects.select_related("child__data_key").get(pk=carols.pk),
                by=carol,
                recheck=lambda stored: None,
            )
            return "offered"
        except LeadOfferNobodyToAccept:
            return "refused"
        except Exception as error:  # what the page would turn into a 500
            return f"error: {type(error).__name__}: {str(error).splitlines()[0]}"

    results = run_together(2, work)
    assert sorted(results) == ["ceased", "refused"], results
    assert not LeadProposal.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalProposed).exists()
