"""A partial index over the few children who are not ordinary: shielded, archived or closed.

A feed row looks up every child filed under any of its keys (a median of 724 key entries at 1,000,000
children) to hold it for a shielded or closed one. Joined to the child table, that visited each child's
row; joined to this index (about 6,000 entries at 1M), ordinary children are told apart without it
(linkage.linking.key_hits). Its columns let PostgreSQL answer from the index alone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("children", "0005_blocking_digest_statistics")]

    operations = [
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                condition=models.Q(
                    ("shielded", True), models.Q(("status", "active"), _negated=True), _connector="OR"
                ),
                fields=["id", "status", "shielded"],
                name="child_not_ordinary",
            ),
        ),
    ]
