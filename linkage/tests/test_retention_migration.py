"""Rows written before the retention rule: migration linkage/0005 brings them under it."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from children.models import Child, RecordStatus
from lifecycle.services import closed_record_purge
from linkage.models import ChildMerge, ClericalReview, ReviewStatus, ReviewSubject
from linkage.retention import review_subject_token
from vault.keys import data_key_build
from vault.models import DataKey
from vault.sealing import Sealer

BEFORE = [("linkage", "0004_review_label_and_sibling")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_shreds_decided_reviews_and_undone_merges_and_notes_open_reviews_subjects(world, child):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldKey, OldReview, OldMerge = (
        old.get_model(*name)
        for name in (("vault", "DataKey"), ("linkage", "ClericalReview"), ("linkage", "ChildMerge"))
    )

    def sealed(row, values):
        built, dek = data_key_build()
        row.data_key = OldKey.objects.create(
            id=built.id, wrapped=built.wrapped, kek_version=built.kek_version
        )
        Sealer(row.data_key, dek).seal_all(row, values)
        row.save()
        return row

    candidates = [
        {"child_id": str(child.pk), "weight": 12.0, "levels": {}, "weights": {}, "verdict": "close"}
    ]
    copy = {"incoming": {"record": {"family_name": "Thornton"}}, "candidates": candidates}
    review = {
        "local_authority_id": world.north.pk,
        "reason": "possible_match",
        "submitted_by_id": world.lena.pk,
    }
    still_open = sealed(OldReview(status="open", **review), copy)
    decided = sealed(OldReview(status="not_a_match", decided_at=timezone.now(), **review), copy)
    undone = sealed(
        OldMerge(
            survivor_id=child.pk,
            duplicate_id=uuid.uuid4(),
            duplicate_index_number="1234567890",
            duplicate_local_authority_id=world.north.pk,
            merged_by_id=world.lena.pk,
            unmerged_by_id=world.lena.pk,
            unmerged_at=timezone.now(),
        ),
        {"snapshot": {"family_name": "Thornton"}, "moved": {}},
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    decided_now = ClericalReview.objects.get(pk=decided.pk)
    assert decided_now.copy_shredded_at is not None and bytes(decided_now.incoming) == b""
    assert DataKey.objects.get(pk=decided.data_key_id).shredded_at is not None
    merge = ChildMerge.objects.get(pk=undone.pk)
    assert merge.snapshot_shredded_at is not None and bytes(merge.snapshot) == b""
    assert DataKey.objects.get(pk=undone.data_key_id).shredded_at is not None
    open_now = ClericalReview.objects.select_related("data_key").get(pk=still_open.pk)
    assert Sealer(open_now.data_key).unseal(open_now, "incoming") == copy["incoming"]
    assert list(ReviewSubject.objects.values_list("token", flat=True)) == [review_subject_token(child.pk)]

    # The subject noted by the migration is what lets a purge find the open review.
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)
    open_now.refresh_from_db()
    assert open_now.status == ReviewStatus.WITHDRAWN and bytes(open_now.incoming) == b""
