"""Which identities each live record carries on (`CarriedIdentity`), and the decided child kept as a plain id.

Schema: `ClericalReview.decided_child_ref` (the decided child's id, never nulled by a merge's delete) and
`CarriedIdentity` (carrier, identity: plain ids, no cascade). Data, for rows written before this:
- each review's decided child is copied into `decided_child_ref`;
- each merge still in place makes its survivor carry the duplicate, and each undone merge whose restored
  record still exists makes that record carry the duplicate's old id (what the merge rows still say: a
  merge deleted with its survivor, or a restored record merged away since, left no trail);
- a review label naming an identity that no record carries any more (a candidate neither a record nor
  carried by one; or a "new child" decision whose created record is gone) would never be found by a
  purge, so would stay readable for ever: it is deleted with its key-mates and its key shredded now.
  That identity was purged, or merged away along a trail the old rows lost; a few training labels go.
"""

from django.db import migrations, models


def _shred(DataKey, key_id, now):
    """As `vault.keys.data_key_shred` (migration 0005 does the same): provider first, then the rows."""
    from vault.providers import key_provider

    chain, frontier = [key_id], [key_id]
    while frontier:
        frontier = list(DataKey.objects.filter(superseded_by__in=frontier).values_list("pk", flat=True))
        chain.extend(frontier)
    live = list(DataKey.objects.filter(pk__in=chain, shredded_at__isnull=True).values_list("pk", flat=True))
    key_provider().revoke(str(pk) for pk in live)
    DataKey.objects.filter(pk__in=live).update(wrapped=b"", shredded_at=now)


def _carried_from_merges(ChildMerge, CarriedIdentity):
    rows = {
        (merge.survivor_id, merge.duplicate_id)
        for merge in ChildMerge.objects.filter(unmerged_at__isnull=True).only("survivor_id", "duplicate_id")
    }
    rows |= {
        (merge.restored_child_id, merge.duplicate_id)
        for merge in ChildMerge.objects.filter(unmerged_at__isnull=False, restored_child__isnull=False).only(
            "restored_child_id", "duplicate_id"
        )
    }
    CarriedIdentity.objects.bulk_create(
        [CarriedIdentity(carrier_id=carrier, identity_id=identity) for carrier, identity in sorted(rows)],
        ignore_conflicts=True,
    )


def _lost(Child, CarriedIdentity, ReviewLabel):
    """The data keys of labels naming an identity nothing carries any more."""
    keys = set()
    for label in ReviewLabel.objects.select_related("review").iterator():
        candidate_gone = not (
            Child.objects.filter(pk=label.candidate_id).exists()
            or CarriedIdentity.objects.filter(identity_id=label.candidate_id).exists()
        )
        created_gone = label.review.status == "new_child" and label.review.decided_child_id is None
        if candidate_gone or created_gone:
            keys.add(label.data_key_id)
    return keys


def carry_existing(apps, schema_editor):
    from django.utils import timezone

    Child = apps.get_model("children", "Child")
    ClericalReview = apps.get_model("linkage", "ClericalReview")
    ChildMerge = apps.get_model("linkage", "ChildMerge")
    ReviewLabel = apps.get_model("linkage", "ReviewLabel")
    CarriedIdentity = apps.get_model("linkage", "CarriedIdentity")
    DataKey = apps.get_model("vault", "DataKey")
    ClericalReview.objects.filter(decided_child__isnull=False).update(
        decided_child_ref=models.F("decided_child")
    )
    _carried_from_merges(ChildMerge, CarriedIdentity)
    now = timezone.now()
    for key_id in sorted(_lost(Child, CarriedIdentity, ReviewLabel)):
        ReviewLabel.objects.filter(data_key_id=key_id).delete()
        _shred(DataKey, key_id, now)


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0006_review_reason_closed_identity"),
        ("children", "0001_initial"),
        ("vault", "0002_datakey_superseded_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="clericalreview",
            name="decided_child_ref",
            field=models.UUIDField(
                blank=True,
                help_text="the decided child's id, kept when a merge deletes that record (the FK is then "
                "nulled), so the purge of the record carrying it on finds this review's labels; cleared by "
                "that purge",
                null=True,
            ),
        ),
        migrations.CreateModel(
            name="CarriedIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("carrier_id", models.UUIDField(help_text="the live record that carries the identity on")),
                (
                    "identity_id",
                    models.UUIDField(help_text="a record merged into it, and not split out again"),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("carrier_id", "identity_id"), name="one_row_per_carried_identity"
                    )
                ],
            },
        ),
        migrations.RunPython(carry_existing, migrations.RunPython.noop),
    ]
