"""Rows written before identities were carried: migration linkage/0007 brings them under the rule."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from children.models import Child, RecordStatus
from lifecycle.services import child_purge
from linkage.models import ClericalReview, ReviewLabel
from linkage.retention import carried_identities
from tests.personas import make_child
from vault.keys import data_key_build
from vault.models import DataKey
from vault.sealing import Sealer

BEFORE = [("linkage", "0006_review_reason_closed_identity")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_merged_identities_on_and_deletes_labels_no_record_carries(world, child):
    restored = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    merged_away, split_out, purged = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldKey = old.get_model("vault", "DataKey")
    OldReview, OldMerge, OldLabel = (
        old.get_model("linkage", name) for name in ("ClericalReview", "ChildMerge", "ReviewLabel")
    )

    def sealed(row, values):
        built, dek = data_key_build()
        row.data_key = OldKey.objects.create(
            id=built.id, wrapped=built.wrapped, kek_version=built.kek_version
        )
        Sealer(row.data_key, dek).seal_all(row, values)
        row.save()
        return row

    def review(status, decided_child_id=None):
        return sealed(
            OldReview(
                local_authority_id=world.north.pk,
                reason="possible_match",
                submitted_by_id=world.lena.pk,
                status=status,
                decided_at=timezone.now(),
                decided_child_id=decided_child_id,
                copy_shredded_at=timezone.now(),
            ),
            {"incoming": {}, "candidates": []},
        )

    def label(on, candidate_id, decision):
        identity = {"family_names": ["Thornton"], "given_names": ["Amelia"]}
        return sealed(
            OldLabel(review=on, candidate_id=candidate_id, is_match=False, decision=decision),
            {"incoming": identity, "candidate": identity},
        )

    def merge(survivor_id, duplicate_id, **undone):
        return sealed(
            OldMerge(
                survivor_id=survivor_id,
                duplicate_id=duplicate_id,
                duplicate_index_number="1234567890",
                duplicate_local_authority_id=world.north.pk,
                merged_by_id=world.lena.pk,
                **undone,
            ),
            {"snapshot": {}, "moved": {}},
        )

    merge(child.pk, merged_away)  # in place: `child` carries `merged_away` on
    merge(
        child.pk,
        split_out,
        unmerged_by_id=world.lena.pk,
        unmerged_at=timezone.now(),
        restored_child_id=restored.pk,
    )
    linked = review("linked", decided_child_id=child.pk)
    kept = [label(linked, pk, "linked") for pk in (child.pk, merged_away, split_out)]
    lost = label(review("not_a_match"), purged, "not_a_match")  # a purged candidate
    created_gone = review("new_child")  # its created record is gone: the FK was nulled
    lost_created = label(created_gone, child.pk, "new_child")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ClericalReview.objects.get(pk=linked.pk).decided_child_ref == child.pk
    assert carried_identities(child.pk) == [child.pk, merged_away]
    assert carried_identities(restored.pk) == [restored.pk, split_out]
    assert sorted(ReviewLabel.objects.values_list("pk", flat=True)) == sorted(label.pk for label in kept)
    for gone in (lost, lost_created):
        assert DataKey.objects.get(pk=gone.data_key_id).shredded_at is not None

    # What the migration carried is what lets each purge find the labels naming the merged records.
    Child.objects.filter(pk__in=[child.pk, restored.pk]).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=restored.pk)
    assert sorted(ReviewLabel.objects.values_list("candidate_id", flat=True)) == sorted(
        [child.pk, merged_away]
    )
    assert child_purge(child_id=child.pk)
    assert not ReviewLabel.objects.exists()
