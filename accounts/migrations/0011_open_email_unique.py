"""One open account per email address ignoring letter case, kept by the database (the form already checks).

If two open accounts already share an address, the migration stops and names their account ids (never
the address): a system administrator closes one, or corrects its address, first.
"""

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


class OpenAccountsShareAnEmailAddress(RuntimeError):
    """Open accounts share an email address ignoring case: the unique constraint could not be added."""


def addresses_check(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    open_accounts = User.objects.filter(is_active=True).exclude(email="")
    shared = (
        open_accounts.values(address=Lower("email"))
        .annotate(accounts=Count("pk"))
        .filter(accounts__gt=1)
        .values_list("address", flat=True)
    )
    ids = sorted(
        open_accounts.annotate(address=Lower("email"))
        .filter(address__in=list(shared))
        .values_list("pk", flat=True)
    )
    if ids:
        raise OpenAccountsShareAnEmailAddress(
            f"open accounts sharing an email address (account ids): {', '.join(map(str, ids))}; "
            "close one of each, or correct its address, before migrating"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_organisation_code_unique_ignoring_case"),
    ]

    operations = [
        migrations.RunPython(addresses_check, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(("is_active", True), models.Q(("email", ""), _negated=True)),
                name="accounts_user_open_email_unique",
            ),
        ),
    ]
