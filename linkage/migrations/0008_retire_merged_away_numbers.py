"""Retire the index numbers of records merged away before numbers were retired (children 0008).

Every merge's duplicate number is retired, undone merges too: a restored record keeps its number, which
draws skip while a child holds it anyway, and retiring it now spares a later purge nothing. Numbers of
records purged before this migration are not known to the database (the purge kept only the child's id)
and cannot be retired here.
"""

from django.db import migrations

RETIRED_INDEX_NUMBER_PURPOSE = "retired-index-number"  # children.numbers; a migration keeps its own copy


def retire_merged_away_numbers(apps, schema_editor):
    ChildMerge = apps.get_model("linkage", "ChildMerge")
    RetiredIndexNumber = apps.get_model("children", "RetiredIndexNumber")
    numbers = sorted(set(ChildMerge.objects.values_list("duplicate_index_number", flat=True)))
    if not numbers:
        return
    from vault.blind_index import blind_indexes  # needs the index key: only when there is work

    digests = blind_indexes(RETIRED_INDEX_NUMBER_PURPOSE, numbers)
    RetiredIndexNumber.objects.bulk_create(
        [RetiredIndexNumber(digest=digest) for digest in digests], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0007_carried_identity"),
        ("children", "0008_retired_index_number"),
    ]

    operations = [migrations.RunPython(retire_merged_away_numbers, migrations.RunPython.noop)]
