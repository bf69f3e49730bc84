"""Load the demo (`make run`): demo LAs and services, a sign-in for every role, and N children.

Idempotent: organisations and accounts are created once, children only up to N, and the demo stream
resumes where an earlier load stopped. Each run sets fresh random passwords and prints them with a
few searches that find demo children. Everything printed is synthetic; nothing goes to the logs.
"""

import itertools
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Organisation
from children.models import Child
from children.records import Gender
from children.search import SearchCriteria, child_search_matches
from children.synthetic.demo_accounts import DemoAccount, NotADemoAccount, demo_accounts_ensure
from children.synthetic.directory import Directory, directory_ensure, directory_load
from children.synthetic.families import ChildSpec
from children.synthetic.guard import demo_data_require
from children.synthetic.loader import children_generate
from children.synthetic.stream import SHOWCASE, children_stream

DEMO_SEED = 2004  # the Children Act


class Command(BaseCommand):
    help = "Create the demo organisations, accounts and N synthetic children (development and test only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=3000, help="children the demo should hold")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        demo_data_require()
        wanted: int = options["children"]
        if wanted < 0:
            raise CommandError("--children must be 0 or more")
        las = directory_ensure()
        directory = directory_load(la_codes=[la.code for la in las])
        try:
            accounts = demo_accounts_ensure()
        except NotADemoAccount as exc:
            raise CommandError(str(exc)) from exc
        today = self._reference_date()
        existing = Child.objects.count()
        if existing < wanted:
            with tqdm(
                total=wanted - existing, unit="child", file=sys.stderr, disable=options["no_progress"]
            ) as bar:
                report = children_generate(
                    count=wanted - existing,
                    seed=DEMO_SEED,
                    directory=directory,
                    today=today,
                    skip=existing,
                    showcase=True,
                    progress=bar.update,
                )
            self.stdout.write(f"Added {report.written} demo children ({report.shielded} shielded).")
        else:
            self.stdout.write(f"The index already holds {existing} children; none added.")
        self._print_accounts(accounts)
        self._print_searches(directory, today)

    def _reference_date(self) -> date:
        """The day the demo was first loaded, so later runs regenerate the same children (and ages)."""
        first = Child.objects.aggregate(first=Min("created_at"))["first"]
        return timezone.localdate(first) if first else timezone.localdate()

    def _print_accounts(self, accounts: list[DemoAccount]) -> None:
        rows = [("Role", "Username", "Password", "TOTP secret", "Organisation")]
        for account in accounts:
            user = account.user
            organisation = user.organisation.name if user.organisation else ""
            rows.append(
                (user.get_role_display(), user.username, account.password, account.totp_secret, organisation)
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write(
            "\nDemo sign-ins at http://127.0.0.1:8000/ (demo data only; passwords are new at every run)."
        )
        self.stdout.write(
            "Add the TOTP secret to an authenticator app, or get the current code with "
            "`.venv/bin/python manage.py demo_totp USERNAME`:"
        )
        for n, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))

    def _print_searches(self, directory: Directory, today: date) -> None:
        """Searches for the showcase children, each checked against the index before it is printed."""
        showcase_size = sum(size for size, _ in SHOWCASE.values())
        specs = list(
            itertools.islice(
                children_stream(seed=DEMO_SEED, directory=directory, today=today, showcase=True),
                showcase_size,
            )
        )
        twins, shielded, sensitive = specs[0], specs[2], specs[3]
        examples: list[tuple[str, SearchCriteria, ChildSpec]] = [
            (
                "Twins with a hyphenated family name",
                SearchCriteria(twins.details.family_name, date_of_birth=twins.details.date_of_birth),
                twins,
            ),
            (
                "A shielded child (restricted view; the LA team of its LA sees it all)",
                SearchCriteria(shielded.details.family_name, date_of_birth=shielded.details.date_of_birth),
                shielded,
            ),
            (
                "A child with a sensitive-service involvement (shown only to its LA team)",
                SearchCriteria(
                    sensitive.details.family_name,
                    given_name=sensitive.details.given_names.split(" ")[0],
                    gender=sensitive.details.gender,
                ),
                sensitive,
            ),
        ]
        la_names = dict(
            Organisation.objects.filter(pk__in=[s.local_authority_id for s in specs]).values_list(
                "pk", "name"
            )
        )
        self.stdout.write("\nExample searches (synthetic children):")
        for label, criteria, spec in examples:
            found = len(child_search_matches(criteria)) if criteria.meets_minimum() else 0
            if not found:
                continue
            parts = [f"family name {criteria.family_name!r}"]
            if criteria.date_of_birth:
                parts.append(f"date of birth {criteria.date_of_birth:%d/%m/%Y}")
            if criteria.given_name:
                gender = dict(Gender.CHOICES).get(criteria.gender, criteria.gender)
                parts.append(f"given name {criteria.given_name!r}, gender {gender}")
            la_name = la_names.get(spec.local_authority_id, "")
            self.stdout.write(f"  - {label}: {', '.join(parts)} -> {found} match(es), {la_name}")
