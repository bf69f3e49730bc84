"""A practitioner records an involvement while the LA team corrects that same child's carer phone, on two
PostgreSQL sessions (review, session 32).

The match check read the child's carers, then waited for the carer keys; a correction committing in
between (the new phone, and no keys to rebuild yet: the child's first involvement) was not seen, and the
keys were filed from the phone read before it. The child was matched as family, through a phone the
record no longer holds, with a brother or sister whose mother shares only the name: each practitioner was
given the other's name and contact details. The match check now reads the carers under the child's row
lock, which a correction takes first, so it files the keys of what the record holds.
"""

import threading
from typing import Any

from django.db import connections

from children.models import Child
from coordination import family
from coordination.models import Match
from coordination.tests.support import record
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_accept, correction_raise
from tests.concurrency import postgresql_race
from tests.personas import build_world, make_child

pytestmark = postgresql_race()


def test_a_recording_never_files_the_carer_phone_a_correction_replaced_as_it_ran():
    world = build_world()
    amelia = make_child(world)  # "Grace Thornton, 07700 900123"
    record(amelia, world.bob, role="GP")  # Amelia's keys written
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")  # same mother
    correction = correction_raise(
        child=Child.objects.get(pk=oliver.pk),
        field=field_for("carer-0-phone"),
        value="07700 900999",  # his mother is another Grace Thornton
        reason="wrong",
        by=world.alice,
    )
    read, corrected = threading.Event(), threading.Event()
    real_digests = family.child_carer_digests
    failures: list[BaseException] = []

    def digests_read_then_wait(*, child: Child) -> Any:
        digests = real_digests(child=child)
        if child.pk == oliver.pk and not read.is_set():
            read.set()  # the match check has read Oliver's carers
            corrected.wait(timeout=3)  # ... and the correction commits, where nothing holds it back
        return digests

    def recording():
        try:
            record(Child.objects.get(pk=oliver.pk), world.alice, role="Allocated social worker")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def correcting():
        try:
            assert read.wait(timeout=20)
            correction_accept(correction=correction, by=world.lena)
            corrected.set()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    family.child_carer_digests = digests_read_then_wait
    try:
        threads = [threading.Thread(target=recording), threading.Thread(target=correcting)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        family.child_carer_digests = real_digests
    assert not failures, failures
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    assert not Match.objects.exists(), "a family match through the phone the correction replaced"
