"""The LA an account belonged to when suspended: its reason is read only while the account still belongs to
it. Accounts suspended now are given their LA today (their reason was given there, unless their
organisation moved since, which nothing recorded)."""

from django.db import migrations, models


def suspended_accounts_given_their_la(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(suspended_at__isnull=False).select_related("organisation"):
        organisation = user.organisation
        if organisation is None:
            continue
        la = organisation.pk if organisation.kind == "la" else organisation.local_authority_id
        User.objects.filter(pk=user.pk).update(suspended_in_la_id=la)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_open_email_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="suspended_in_la_id",
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.RunPython(suspended_accounts_given_their_la, migrations.RunPython.noop),
    ]
