"""A review's and a merge's sealed copies are kept only while needed (linkage.retention).

Schema: when each copy was destroyed, the withdrawn status, and `ReviewSubject` (blind tokens of the
children a review names). Data, for rows written before this: a decided review's copy and an undone
merge's snapshot are shredded now (key revoked at the provider, then erased; columns blanked), as they
would have been at the decision or the unmerge; each open review's candidates are noted as subjects. An
open review held because it resembles an archived or closed record never listed that record, so it cannot
be found by a purge: the LA team should decide it (deciding shreds it).
"""

import django.db.models.deletion
from django.db import migrations, models

SUBJECT_PURPOSE = "linkage-review-subject"  # linkage.retention.SUBJECT_PURPOSE


def _shred(DataKey, key_id, now):
    from vault.providers import key_provider

    chain, frontier = [key_id], [key_id]
    while frontier:
        frontier = list(DataKey.objects.filter(superseded_by__in=frontier).values_list("pk", flat=True))
        chain.extend(frontier)
    live = list(DataKey.objects.filter(pk__in=chain, shredded_at__isnull=True).values_list("pk", flat=True))
    key_provider().revoke(str(pk) for pk in live)
    DataKey.objects.filter(pk__in=live).update(wrapped=b"", shredded_at=now)


def retain_existing(apps, schema_editor):
    from django.utils import timezone

    from vault.blind_index import blind_indexes
    from vault.crypto import DecryptionFailed
    from vault.sealing import Sealer

    ClericalReview = apps.get_model("linkage", "ClericalReview")
    ChildMerge = apps.get_model("linkage", "ChildMerge")
    ReviewSubject = apps.get_model("linkage", "ReviewSubject")
    DataKey = apps.get_model("vault", "DataKey")
    now = timezone.now()
    decided = ClericalReview.objects.exclude(status="open").filter(copy_shredded_at__isnull=True)
    for review in decided.iterator():
        _shred(DataKey, review.data_key_id, now)
        ClericalReview.objects.filter(pk=review.pk).update(incoming=b"", candidates=b"", copy_shredded_at=now)
    undone = ChildMerge.objects.filter(unmerged_at__isnull=False, snapshot_shredded_at__isnull=True)
    for merge in undone.iterator():
        _shred(DataKey, merge.data_key_id, now)
        ChildMerge.objects.filter(pk=merge.pk).update(snapshot=b"", moved=b"", snapshot_shredded_at=now)
    for review in ClericalReview.objects.filter(status="open").select_related("data_key").iterator():
        try:
            ids = [c["child_id"] for c in Sealer(review.data_key).unseal(review, "candidates")]
        except DecryptionFailed:  # its key is already gone: nothing left to find it by
            continue
        tokens = sorted(set(blind_indexes(SUBJECT_PURPOSE, ids)))
        ReviewSubject.objects.bulk_create([ReviewSubject(review=review, token=t) for t in tokens])


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0004_review_label_and_sibling"),
        ("vault", "0002_datakey_superseded_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="childmerge",
            name="snapshot_shredded_at",
            field=models.DateTimeField(
                blank=True,
                help_text="when the sealed snapshot and the list of what moved were destroyed",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="clericalreview",
            name="copy_shredded_at",
            field=models.DateTimeField(
                blank=True,
                help_text="when the sealed incoming record and candidates were destroyed",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="clericalreview",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Waiting for a decision"),
                    ("linked", "Linked to an existing child"),
                    ("new_child", "Created as a new child"),
                    ("not_a_match", "Not a match: nothing written"),
                    ("withdrawn", "Closed undecided: a child it named was purged"),
                ],
                default="open",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="reviewlabel",
            name="decision",
            field=models.CharField(
                choices=[
                    ("open", "Waiting for a decision"),
                    ("linked", "Linked to an existing child"),
                    ("new_child", "Created as a new child"),
                    ("not_a_match", "Not a match: nothing written"),
                    ("withdrawn", "Closed undecided: a child it named was purged"),
                ],
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="ReviewSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField(db_index=True)),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="linkage.clericalreview",
                    ),
                ),
            ],
        ),
        migrations.RunPython(retain_existing, migrations.RunPython.noop),
    ]
