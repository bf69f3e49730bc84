"""Create the floor's own tables and the same K usernames with the same password (argon2)."""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    accounts = json.loads((ROOT / "var" / "bench-load" / "accounts.json").read_text())
    hashed = make_password(accounts["password"])
    for account in accounts["accounts"]:
        User.objects.update_or_create(username=account["username"], defaults={"password": hashed})
    print(f"floor: {len(accounts['accounts'])} users")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
