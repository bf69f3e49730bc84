"""A sibling's first involvement recorded while a carer's phone is corrected, the recording first to the
carer keys, on two PostgreSQL sessions (review, session 32).

A correction locks its child's row and then rebuilds that child's carer keys (their advisory locks), as a
merge and an unmerge do. The match check took the carer keys first and then the family's rows: with the
recording holding the mother's key and the correction holding the sibling's row, each waited for what
the other held, and PostgreSQL failed one of them (the LA team's acceptance a server error, or the match
check rolled back and the family match silently lost). The match check now locks the family's rows first,
as every other writer does, so one waits for the other and both finish.
(`test_carer_correction_races_a_siblings_recording` is the other order: the correction first to the keys.)
"""

import logging
import threading
import time
from unittest import mock

from django.db import connections

from children.models import Child, Involvement
from coordination import recording, services
from coordination.models import Match
from coordination.tests.support import record
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from tests.concurrency import postgresql_race
from tests.personas import build_world, make_child

pytestmark = postgresql_race()


def test_a_sibling_recorded_while_a_carer_phone_is_corrected_both_finish_whoever_takes_the_keys_first(caplog):
    world = build_world()
    amelia = make_child(world)  # "Grace Thornton, 07700 900123"; no involvement, so no carer keys yet
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(oliver, world.bob, role="GP")  # Oliver's keys written (same mother's name and phone)
    correction = correction_raise(
        child=Child.objects.get(pk=oliver.pk),
        field=field_for("carer-0-phone"),
        value="07700 900999",
        reason="wrong",
        by=world.alice,
    )
    keys_held, row_held = threading.Event(), threading.Event()
    recording_keys = services.carer_keys_refresh
    correction_keys = recording.carer_keys_refresh
    failures: list[BaseException] = []

    def recording_keys_then_wait(**kwargs):
        digests = recording_keys(**kwargs)  # the recording holds the mother's carer key
        keys_held.set()
        if row_held.wait(timeout=3):  # the correction holds Oliver's row (where it can get it)
            time.sleep(0.5)  # ... and is waiting for the carer key
        return digests

    def correction_keys_after_the_recording(**kwargs):
        row_held.set()
        return correction_keys(**kwargs)

    def correcting():
        try:
            assert keys_held.wait(timeout=20)
            correction_accept(correction=correction, by=world.lena)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def recording_sibling():
        try:
            record(Child.objects.get(pk=amelia.pk), world.alice, role="Allocated social worker")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    with (
        caplog.at_level(logging.WARNING, logger="coordination.recording"),
        mock.patch.object(services, "carer_keys_refresh", recording_keys_then_wait),
        mock.patch.object(recording, "carer_keys_refresh", correction_keys_after_the_recording),
    ):
        threads = [threading.Thread(target=correcting), threading.Thread(target=recording_sibling)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not failures, failures
    assert "match check failed" not in caplog.text, "the match check was rolled back: a match lost"
    assert "not sent after the commit" not in caplog.text, "the match check after the commit failed"
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    assert Involvement.objects.filter(child=amelia.pk, recorded_by=world.alice).exists()
    assert not Match.objects.exists(), "a family match through the phone the correction replaced survives"
