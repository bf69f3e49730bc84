"""One index over every column a search's key lookup reads: (digest, child, hidden).

A search first reads the key rows of its blocks (children.search.visible_key_rows) to count them and
split them into tiers before any child's sealed row is fetched: "refine your search" for a block over
the 500-candidate cap is decided from the keys alone. With the child and the hidden flag in the index,
PostgreSQL answers that from the index (an index-only scan once the table is vacuumed) instead of
visiting a key row's page per key. It replaces the index on the digest alone, which it serves as well
(the digest leads), so the table keeps one index for its lookups. Created before the old one is dropped.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("children", "0006_child_not_ordinary_index")]

    operations = [
        migrations.AddIndex(
            model_name="blockingkeyentry",
            index=models.Index(fields=["digest", "child", "hidden"], name="blocking_digest_child_hidden"),
        ),
        migrations.AlterField(model_name="blockingkeyentry", name="digest", field=models.BigIntegerField()),
    ]
