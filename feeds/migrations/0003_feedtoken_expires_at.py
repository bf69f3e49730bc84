"""Feed tokens expire; each token issued before gets an expiry 12 months from this migration's run.

From the run, not from when the token was issued: a token more than a year old would otherwise stop at
deploy, and a national feed with it, before its operators could issue and install a new one. Twelve
months is what a token issued today gets (`feeds.sources.TOKEN_DAYS_DEFAULT`), so no token is left without
an expiry and none lives longer than one issued the same day.
"""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

TOKEN_DAYS_DEFAULT = 365  # feeds.sources.TOKEN_DAYS_DEFAULT, as it was when this migration was written


def tokens_expire_from_now(apps, schema_editor):
    FeedToken = apps.get_model("feeds", "FeedToken")
    FeedToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=TOKEN_DAYS_DEFAULT)
    )


class Migration(migrations.Migration):
    dependencies = [("feeds", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="feedtoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(tokens_expire_from_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="feedtoken",
            name="expires_at",
            field=models.DateTimeField(help_text="refused from this moment, as a revoked token is"),
        ),
        migrations.AddField(
            model_name="feedtoken",
            name="last_used_at",
            field=models.DateTimeField(
                blank=True,
                help_text="last accepted, to the minute (written at most once a minute)",
                null=True,
            ),
        ),
    ]
