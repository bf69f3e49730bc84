"""Give the app's database role what it needs, and on the audit ledger only SELECT and INSERT (PostgreSQL).

The release job runs it after `migrate`, connected as the tables' owner (the migration role), never as the
app's role: `manage.py audit_grants APP_ROLE --apply`. Without `--apply` it prints the SQL for a database
administrator to run. It is idempotent, so every release runs it again (new tables need the app's grants).
After applying it checks the app role's standing as the deploy check does (audit/checks.py) and fails if
the role could still get past the ledger's triggers: a superuser, or an owner of a ledger table, which no
GRANT or REVOKE can mend (the tables go back to the migration role with ALTER TABLE ... OWNER TO).
"""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from audit.checks import RoleStanding, grants_sql, role_standing, standing_problems

# Any name PostgreSQL takes, save a double quote or a control character (the name is quoted, never bound).
_ROLE_NAME = re.compile(r'[^"\x00-\x1f]{1,63}')


class Command(BaseCommand):
    help = "Grant the app's database role its privileges, the audit ledger's SELECT and INSERT only (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the database role the app connects as (not the tables' owner)")
        parser.add_argument("--apply", action="store_true", help="run the SQL (default: print it)")

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if not _ROLE_NAME.fullmatch(role):
            raise CommandError(f"not a role name this command will quote: {role!r}")
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only: SQLite has no roles (development and tests only)")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema()")
            me, schema = cursor.fetchone()
        sql = grants_sql(connection, role, schema)
        if not options["apply"]:
            self.stdout.write("\n".join(sql))
            return
        if role == me:
            raise CommandError(
                f"{role} is the role running this command: run it as the tables' owner (the role `migrate` "
                "runs as), for the separate role the app connects as"
            )
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            _standing(connection, role)
            with connection.cursor() as cursor:
                for statement in sql:
                    self.stdout.write(statement)
                    cursor.execute(statement)
        standing = _standing(connection, role)
        problems = [f"the app's {text}" for _, text in standing_problems(standing)]
        if standing.owned:
            back = "; ".join(
                f"ALTER TABLE {table} OWNER TO {connection.ops.quote_name(me)}" for table in standing.owned
            )
            problems.append(f"the tables must go back to their owner: {back}")
        if problems:
            raise CommandError("the grants are applied, but " + "; ".join(problems))
        self.stdout.write(f"{role} may now read and add to the audit ledger, and nothing more on it")


def _standing(connection: BaseDatabaseWrapper, role: str) -> RoleStanding:
    standing = role_standing(connection, role)
    if standing is None:
        raise CommandError(f"there is no database role {role}: create it first (LOGIN NOSUPERUSER)")
    return standing
