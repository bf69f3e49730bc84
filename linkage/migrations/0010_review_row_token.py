"""A keyed blind token of a review's feed row: the same row resent while it is open waits on it (no backfill:
reviews opened before have none, and a resend of their row opens one review more, as before)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0009_hold_closed_identity_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="clericalreview",
            name="row_token",
            field=models.BigIntegerField(
                blank=True,
                editable=False,
                help_text="a keyed blind token of the source and the row's canonical values (`linkage.services.review_row_token`): the same row resent while this review is open waits on it rather than opening another; cleared when the review is decided. None on reviews opened before it",
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="clericalreview",
            constraint=models.UniqueConstraint(
                condition=models.Q(("row_token__isnull", False), ("status", "open")),
                fields=("row_token",),
                name="one_open_review_per_row",
            ),
        ),
    ]
