"""A record a failed merge left shredded leaves no readable copy once the nightly run deletes it.

Nobody carries its identity on (its merge never happened), so what reviews, merges it survived and
disclosure exports hold of it under keys of their own is destroyed as for a purge: after the deletion,
every key of a backup taken before the failed merge is tried on every sealed column, and neither those
plaintexts nor the live rows may show a canary (`tests.canaries`, as `tests.test_purge_leaves_no_copy`).
"""

from accounts.models import Role
from children.models import Child
from disclosure.services import export_decide, export_request
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.services import lifecycle_run
from linkage.merging import child_merge
from linkage.models import ClericalReview
from linkage.tests.test_merge_failing_after_its_shred import merge_failed_after_its_shred
from tests.canaries import DOB, FAMILY, GIVEN, NHS_NUMBER, POSTCODE, canary_hits, seed_canary_child
from tests.personas import make_child, make_user
from tests.test_purge_leaves_no_copy import _backup, _readable, _stored


def test_no_canary_survives_the_deletion_of_a_record_a_failed_merge_left_shredded(world, monkeypatch):
    child = seed_canary_child(world)
    earlier = make_child(
        world, given_names=GIVEN, family_name=FAMILY, date_of_birth=DOB, postcode=POSTCODE, town="Malton"
    )
    child_merge(survivor=child, duplicate=earlier, by=world.lena)
    row = feed_row(
        given_names=GIVEN, family_name=FAMILY, date_of_birth=DOB.isoformat(), nhs_number=NHS_NUMBER
    )
    health_rows_ingest(world, [row])
    assert ClericalReview.objects.filter(status="open").count() == 1
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference=f"CO-118 {FAMILY}",
        children=[child],
        fields=["name"],
    )
    export_decide(export=export, by=leo, approve=True, reason=f"Order for {GIVEN} {FAMILY} checked")
    rows, keys = _backup()
    assert canary_hits(_readable(rows, keys))  # the backup is real: its keys open the copies today

    survivor = make_child(world, given_names="Ada", family_name="Lovelace", postcode="LS1 4AB")
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=child, by=world.lena)
    assert lifecycle_run().removals_completed == 1

    assert not Child.objects.filter(pk=child.pk).exists()
    assert canary_hits(_readable(rows, keys)) == []
    live_rows, live_keys = _backup()
    assert canary_hits(_readable(live_rows, live_keys)) == []
    assert canary_hits(_stored()) == []
