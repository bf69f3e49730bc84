"""Recording an involvement while the LA team merges the record away (PostgreSQL: two real sessions).

The page checked the policy and the recording read the record afresh; the merge then committed (the
record deleted, its data key shredded) before the recording sealed its first value. The seal found the
key shredded and the practitioner got a server error. The record is gone: the answer is "not found",
and nothing is written.
"""

import threading

from django.urls import reverse

import children.services
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from linkage.merging import child_merge
from tests.concurrency import postgresql_race, run_together
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.personas import make_child

pytestmark = postgresql_race("PostgreSQL only: SQLite has one writer")


def test_an_involvement_recorded_as_a_merge_shreds_the_records_key_is_not_found_not_a_server_error(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Amelia", family_name="Thornton")
    client = signed_in(world.alice)
    state_purpose(client, child)
    read_afresh, merged = threading.Event(), threading.Event()
    real_sealer = children.services.Sealer

    recording = []

    def sealer_after_the_merge(*args, **kwargs):  # the recording has read the record; the merge commits
        if threading.current_thread() in recording:  # the merge seals through this module too: not held
            read_afresh.set()
            assert merged.wait(timeout=30)
        return real_sealer(*args, **kwargs)

    monkeypatch.setattr(children.services, "Sealer", sealer_after_the_merge)

    def work(index: int) -> object:
        if index == 0:
            recording.append(threading.current_thread())
            return client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)
        assert read_afresh.wait(timeout=30)
        try:
            return child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena)
        finally:
            merged.set()

    page, _merge = run_together(2, work)

    assert page.status_code == 404
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Involvement.objects.filter(recorded_by=world.alice).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()
