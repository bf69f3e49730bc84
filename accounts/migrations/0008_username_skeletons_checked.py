"""Every account's skeleton filled in and checked before the database enforces it as unique (0009).

An account saved without its skeleton (a bulk write, an import) gets one here. If two existing accounts
already share one, the migration stops and says how many: an administrator renames one first. Only the
count is reported, never a username (personal data stays out of logs).
"""

from django.db import migrations
from django.db.models import Count

from accounts.usernames import username_skeleton


class LookAlikeAccountsExist(RuntimeError):
    """Existing accounts share a skeleton: the unique constraint could not be added."""


def skeletons_fill_and_check(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "username", "username_skeleton").iterator(chunk_size=2000):
        skeleton = username_skeleton(user.username)
        if user.username_skeleton != skeleton:
            User.objects.filter(pk=user.pk).update(username_skeleton=skeleton)
    shared = (
        User.objects.exclude(username_skeleton="")
        .values("username_skeleton")
        .annotate(accounts=Count("pk"))
        .filter(accounts__gt=1)
        .count()
    )
    if shared:
        raise LookAlikeAccountsExist(
            f"{shared} username skeleton(s) are shared by more than one account: rename all but one "
            "account of each (accounts.usernames) before migrating"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_suspension_reason_sealed"),
    ]

    operations = [
        migrations.RunPython(skeletons_fill_and_check, migrations.RunPython.noop),
    ]
