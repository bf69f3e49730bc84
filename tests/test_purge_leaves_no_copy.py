"""A purged child's canaries survive nowhere: not in a review, a merge or an export, nor in a backup of them.

Rows that hold a child's identity under a key that is not the child's own (a clerical review, a merge's
snapshot, a review label, a disclosure export's reference and reason) are backed up, keys included, with
the canary child named in each; after the purge, every backed-up key is tried on every sealed column
and neither the plaintexts nor the live rows may show a canary in any encoding (`tests.canaries`).
"""

import copy
import json

from accounts.models import Role
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport
from disclosure.services import export_decide, export_request
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.services import closed_record_purge
from linkage.merging import child_merge
from linkage.models import ChildMerge, ClericalReview, ReviewLabel
from tests.canaries import DOB, FAMILY, GIVEN, NHS_NUMBER, POSTCODE, canary_hits, seed_canary_child
from tests.personas import make_child, make_user
from vault.crypto import DecryptionFailed
from vault.keys import data_key_chain
from vault.models import DataKey
from vault.sealing import Sealer

HELD_ELSEWHERE = (ClericalReview, ReviewLabel, ChildMerge, DisclosureExport)


def _backup() -> tuple[list, list[DataKey]]:
    """Every row of the models that seal under their own keys, and every key they use (with its chain)."""
    rows = [copy.deepcopy(row) for model in HELD_ELSEWHERE for row in model.objects.all()]
    keys = [
        copy.deepcopy(key)
        for key_id in {row.data_key_id for row in rows}
        for key in data_key_chain(DataKey.objects.get(pk=key_id))
    ]
    return rows, keys


def _readable(rows: list, keys: list[DataKey]) -> bytes:
    """Whatever any backed-up key still opens, in clear."""
    opened = []
    for row in rows:
        for column in type(row).SEALED:
            for key in keys:
                try:
                    opened.append(json.dumps(Sealer(key).unseal(row, column), ensure_ascii=False).encode())
                except DecryptionFailed:
                    continue
                break
    return b"\n".join(opened)


def _stored() -> bytes:
    """Every column of every live row of those models, as a copy of the database holds it."""
    values = [v for model in HELD_ELSEWHERE for row in model.objects.values() for v in row.values()]
    return b"|".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in values)


def test_no_canary_held_by_a_review_merge_or_export_survives_the_childs_purge(world):
    child = seed_canary_child(world)
    duplicate = make_child(
        world, given_names=GIVEN, family_name=FAMILY, date_of_birth=DOB, postcode=POSTCODE, town="Malton"
    )
    child_merge(survivor=child, duplicate=duplicate, by=world.lena)
    # The same child, but the NHS number differs from the one the merge brought: it waits for the LA team.
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
    assert canary_hits(_stored()) == []  # sealed from the start: no canary in clear
    rows, keys = _backup()
    assert canary_hits(_readable(rows, keys))  # the backup is real: its keys open the copies today

    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)

    assert canary_hits(_readable(rows, keys)) == []
    live_rows, live_keys = _backup()
    assert canary_hits(_readable(live_rows, live_keys)) == []
    assert canary_hits(_stored()) == []
