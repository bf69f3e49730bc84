"""Two colleagues deciding the same correction at once: one decision counts, the other is told."""

import threading

import pytest
from django.db import connection, connections

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import AlreadyDecided, correction_accept, correction_raise, correction_reject
from tests.personas import build_world, make_child


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one database lock, so two requests cannot race there",
)
def test_an_accept_and_a_reject_racing_decide_once_and_the_loser_is_told():
    world = build_world()
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    for _ in range(4):  # several rounds: whichever thread wins, the other loses cleanly
        correction = correction_raise(
            child=child, field=field_for("given_names"), value="Amelie", reason="Seen", by=world.alice
        )
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def decide(action, correction=correction, barrier=barrier, outcomes=outcomes) -> None:
            try:
                barrier.wait(timeout=30)
                action(correction)
                outcomes.append("decided")
            except AlreadyDecided:
                outcomes.append("already decided")
            except BaseException as error:
                outcomes.append(f"failed: {error!r}")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=decide, args=(lambda c: correction_accept(correction=c, by=world.lena),)),
            threading.Thread(
                target=decide, args=(lambda c: correction_reject(correction=c, by=world.dara, reason="No"),)
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["already decided", "decided"], outcomes
        correction.refresh_from_db()
        assert correction.status in (CorrectionStatus.ACCEPTED, CorrectionStatus.REJECTED)
        decided = AuditEvent.objects.filter(
            tag__in=[AuditTag.CorrectionAccepted, AuditTag.CorrectionRejected],
            additional__correction_id=str(correction.pk),
        )
        assert decided.count() == 1
    assert Correction.objects.filter(status=CorrectionStatus.PENDING).count() == 0
