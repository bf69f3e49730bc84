"""A carer correction and a sibling's first involvement, on two PostgreSQL sessions.

The correction rebuilt the corrected child's carer keys locking the new digests only; the old digest,
still committed until the correction commits, was not locked. A practitioner recording an involvement on
the other child at that moment locked that old digest, read the committed old key and made a family match
that the correction's `matches_untrue_withdraw` (already run, uncommitted) could not see: the match made
through the wrong phone survived the correction. `carer_keys_refresh` now locks the old keys too.
"""

import threading
import time
from unittest import mock

from django.db import connections

from children.models import Child
from coordination import recording
from coordination.models import Match, Notice
from coordination.tests.support import record
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from tests.concurrency import postgresql_race
from tests.personas import build_world, make_child

pytestmark = postgresql_race()


def test_a_sibling_recorded_while_a_carer_phone_is_corrected_is_not_matched_through_the_wrong_phone():
    world = build_world()
    amelia = make_child(world)  # "Grace Thornton, 07700 900123"; no involvement, so no carer keys yet
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(oliver, world.bob, role="GP")  # Oliver's keys written (same mother's name and phone)
    field = field_for("carer-0-phone")
    correction = correction_raise(
        child=Child.objects.get(pk=oliver.pk),
        field=field,
        value="07700 900999",
        reason="wrong",
        by=world.alice,
    )
    rekeyed = threading.Event()
    original = recording.matches_untrue_withdraw
    failures: list[BaseException] = []

    def slow_withdraw(**kwargs):
        withdrawn = original(**kwargs)
        rekeyed.set()
        time.sleep(2)  # the correction has rekeyed and withdrawn, not yet committed
        return withdrawn

    def correcting():
        try:
            correction_accept(correction=correction, by=world.lena)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def recording_sibling():
        try:
            assert rekeyed.wait(timeout=20)
            record(Child.objects.get(pk=amelia.pk), world.alice, role="Allocated social worker")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    with mock.patch.object(recording, "matches_untrue_withdraw", slow_withdraw):
        threads = [threading.Thread(target=correcting), threading.Thread(target=recording_sibling)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not failures, failures
    assert (
        Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    )  # the phone is corrected
    for match in Match.objects.select_related("first", "second"):
        assert {match.first.child_id, match.second.child_id} == {amelia.pk, oliver.pk}
        assert match.kind == "family"
    assert not Match.objects.exists(), (
        "a family match made through the carer phone the correction just replaced survives it"
    )
    assert not Notice.objects.exists()
