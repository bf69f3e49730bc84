"""Two colleagues deciding the same correction at once: one decision counts, the other is told."""

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import AlreadyDecided, correction_accept, correction_raise, correction_reject
from tests.concurrency import postgresql_race, run_together
from tests.personas import build_world, make_child

pytestmark = postgresql_race(
    "SQLite serialises every writer on one database lock, so two requests cannot race there"
)


def test_an_accept_and_a_reject_racing_decide_once_and_the_loser_is_told():
    world = build_world()
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    for _ in range(4):  # several rounds: whichever thread wins, the other loses cleanly
        correction = correction_raise(
            child=child, field=field_for("given_names"), value="Amelie", reason="Seen", by=world.alice
        )

        def decide(index: int, correction: Correction = correction) -> str:
            try:
                if index == 0:
                    correction_accept(correction=correction, by=world.lena)
                else:
                    correction_reject(correction=correction, by=world.dara, reason="No")
            except AlreadyDecided:
                return "already decided"
            return "decided"

        outcomes = run_together(2, decide)
        assert sorted(outcomes) == ["already decided", "decided"], outcomes
        correction.refresh_from_db()
        assert correction.status in (CorrectionStatus.ACCEPTED, CorrectionStatus.REJECTED)
        decided = AuditEvent.objects.filter(
            tag__in=[AuditTag.CorrectionAccepted, AuditTag.CorrectionRejected],
            additional__correction_id=str(correction.pk),
        )
        assert decided.count() == 1
    assert Correction.objects.filter(status=CorrectionStatus.PENDING).count() == 0
