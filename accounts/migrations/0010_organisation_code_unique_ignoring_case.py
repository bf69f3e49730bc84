"""Organisation codes unique ignoring letter case, kept by the database (the form already compares so).

If two existing entries already differ only in case, the migration stops and names the codes (directory
data, not personal data): a system administrator changes one first.
"""

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Upper


class CodesDifferingOnlyInCaseExist(RuntimeError):
    """Existing organisations share a code ignoring case: the unique constraint could not be added."""


def codes_check(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    shared = sorted(
        Organisation.objects.values(upper=Upper("code"))
        .annotate(entries=Count("pk"))
        .filter(entries__gt=1)
        .values_list("upper", flat=True)
    )
    if shared:
        raise CodesDifferingOnlyInCaseExist(
            f"organisation codes used by more than one entry in different letter case: {', '.join(shared)}; "
            "change all but one entry's code before migrating"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_username_skeleton_unique"),
    ]

    operations = [
        migrations.RunPython(codes_check, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(Upper("code"), name="accounts_organisation_code_upper_unique"),
        ),
    ]
