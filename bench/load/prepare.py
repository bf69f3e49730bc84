"""Prepare a load-benchmark database: bench practitioners with an authenticator, and a query sample.

Run after `manage.py generate_children` filled the database (bench/load/run.py does both). Writes
under var/bench-load/ (mode 0600, never committed):
- accounts.json: K practitioner usernames, one shared random password and each TOTP secret, so
  signin.py can sign every one in through the real password and second-factor pages;
- people.json: a sample of generated children (synthetic data only) to search for, decrypted
  through the vault, with whether each is shielded.

Refuses any database whose name does not start `cp_` and end in `_load` or `_bench`: it adds
accounts and reads children back in clear.
"""

import json
import os
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench-load"


def _write_private(path: Path, value: object) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(value, handle)


def practitioners_ensure(count: int, *, run: str) -> dict[str, object]:
    """K new practitioners of one accredited school per LA, vetting current, a confirmed authenticator.

    New accounts for every run (`run` names them): the misuse rules count each person's searches
    over a rolling hour, so reusing the last run's practitioners would have them suspended.
    """
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.home_postcode import home_postcode_token
    from accounts.models import Organisation, OrganisationKind, Role, SealedTOTPDevice, User
    from accounts.services import totp_device_create

    today = timezone.localdate()
    las = list(Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("code"))
    schools = []
    for la in las:
        school, _ = Organisation.objects.get_or_create(
            code=f"BENCH-{la.code}"[:20],
            defaults={
                "kind": OrganisationKind.SCHOOL,
                "name": f"Bench School {la.code}",
                "local_authority": la,
                "accredited_on": today - timedelta(days=365),
            },
        )
        schools.append(school)
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # one argon2 hash: every sign-in still verifies it in full
    accounts = []
    for n in range(count):
        username = f"bench-{run}-{n:05d}"
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": Role.PRACTITIONER,
                "organisation": schools[n % len(schools)],
                "first_name": "Bench",
                "last_name": "Practitioner",
                "job_title": "Class teacher",
                "email": f"{username}@example.org",
                "background_check_on": today - timedelta(days=200),
                "training_completed_on": today - timedelta(days=30),
                "agreement_signed_on": today - timedelta(days=30),
                "suspended_at": None,
                "is_active": True,
                "password": hashed,
                # A home postcode no synthetic child has: the own-address rule runs on every search
                # (a token for the typed postcode and each child shown), as for a real practitioner.
                "home_postcode_token": home_postcode_token(f"ZZ{n % 90 + 10} {n % 10}ZZ") or "",
            },
        )
        SealedTOTPDevice.objects.filter(user=user).delete()
        device = totp_device_create(user=user, name="Bench authenticator", confirmed=True)
        accounts.append({"username": username, "totp_hex": device.bin_key.hex()})
    return {"password": password, "accounts": accounts}


def people_sample(size: int, seed: int) -> list[dict[str, object]]:
    """Decrypted identities of `size` random active children (synthetic), shielded ones included."""
    from children.models import Child, RecordStatus
    from children.selectors import child_details

    rng = random.Random(seed)
    ids = list(Child.objects.filter(status=RecordStatus.ACTIVE).values_list("pk", flat=True))
    chosen = rng.sample(ids, min(size, len(ids)))
    shielded = list(
        Child.objects.filter(shielded=True, status=RecordStatus.ACTIVE).values_list("pk", flat=True)
    )
    chosen += shielded[:50]
    people = []
    for child in Child.objects.filter(pk__in=chosen).select_related("data_key"):
        details = child_details(child)
        people.append(
            {
                "given": details.given_names.split(" ")[0],
                "family": details.family_name,
                "gender": details.gender,
                "dob": details.date_of_birth.isoformat(),
                "postcode": details.address.postcode or "",
                "shielded": child.shielded,
            }
        )
    return people


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    name = str(settings.DATABASES["default"]["NAME"])
    if not (name.startswith("cp_") and name.endswith(("_load", "_bench"))):
        raise SystemExit(f"refusing database {name!r}: a load-bench database is named cp_*_load")
    practitioners = int(os.environ.get("LOAD_PRACTITIONERS", "300"))
    run = os.environ.get("LOAD_RUN") or time.strftime("%Y%m%d%H%M%S")
    _write_private(OUT / "accounts.json", practitioners_ensure(practitioners, run=run))
    people = people_sample(
        int(os.environ.get("LOAD_PEOPLE", "3000")), seed=int(os.environ.get("LOAD_SEED", "7"))
    )
    _write_private(OUT / "people.json", people)
    print(f"prepare: {practitioners} practitioners, {len(people)} people to search for ({name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
