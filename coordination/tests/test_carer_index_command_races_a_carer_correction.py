"""`manage.py coordination_index_carers` rebuilding a child's carer keys while the LA team accepts a
correction of that child's carer phone, on two PostgreSQL sessions (review, session 32).

The command read the child's carers, then waited for the carer keys the correction held. Once the
correction had committed (the new phone, its keys, the family match it withdrew), the command wrote the
keys of the phone it had read before, and its own last step made the family match again through them:
two children who no longer share a parent or carer were told of each other's practitioners. The command
now reads the carers under the child's row lock, which a correction takes first.
"""

import threading
from io import StringIO
from typing import Any

from django.core.management import call_command
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


def test_keys_rebuilt_as_a_carer_phone_is_corrected_never_bring_back_the_match_it_withdrew():
    world = build_world()
    one = make_child(world)  # "Grace Thornton, 07700 900123"
    other = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")  # same mother
    record(one, world.alice, role="Allocated social worker")
    record(other, world.bob, role="GP")
    assert Match.objects.count() == 1  # a family match through the mother's name and phone
    # The command remakes matches child by child in id order: correct the later one, so that the earlier
    # one is matched again from keys filed for the phone read before the correction.
    corrected_child = max(one, other, key=lambda child: str(child.pk))
    correction = correction_raise(
        child=Child.objects.get(pk=corrected_child.pk),
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
        if child.pk == corrected_child.pk and not read.is_set():
            read.set()  # the command has read the carers
            corrected.wait(timeout=3)  # ... and the correction commits, where nothing holds it back
        return digests

    def rebuilding():
        try:
            call_command("coordination_index_carers", stdout=StringIO())
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
        threads = [threading.Thread(target=rebuilding), threading.Thread(target=correcting)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        family.child_carer_digests = real_digests
    assert not failures, failures
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED
    assert not Match.objects.exists(), "a family match through the phone the correction replaced"
