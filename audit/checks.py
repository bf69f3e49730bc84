"""`manage.py check --deploy`: the app's database role must not be able to get past the ledger's triggers.

On PostgreSQL the ledger's tables refuse UPDATE, DELETE and TRUNCATE by trigger (audit/migrations 0003,
0005, 0007), but a trigger binds only a role that can neither switch it off nor go around it: a superuser
can (`session_replication_role`), and so can the tables' owner or a member of the owner's role
(`ALTER TABLE ... DISABLE TRIGGER`). The app therefore connects with a role of its own that owns nothing
of the ledger and holds only SELECT and INSERT on it; the tables belong to the role `migrate` runs as, and
`manage.py audit_grants APP_ROLE --apply` (run by that owner after every `migrate`) gives the app what it
needs. This check, run by the release job with the app's DATABASE_URL, fails the release when the role it
connects as (`current_user`) is a superuser (audit.E001), owns a ledger table (audit.E002), holds UPDATE,
DELETE or TRUNCATE on one (audit.E003), whether directly, through a role it belongs to, or through PUBLIC,
or may set `session_replication_role` (audit.E004; PostgreSQL 15 lets a superuser grant that).

It is a deployment check only: `migrate` runs the ordinary checks as the tables' owner, which must own them.
On SQLite (development and tests only) there is nothing to check.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

# Every table whose rows the append-only triggers protect (audit/tests/test_ledger_refuses_truncate.py
# proves it is exactly the tables carrying the triggers).
LEDGER_TABLES = ("audit_auditevent", "audit_auditsubtree", "audit_audithead", "audit_searchappearance")
FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE")

_ROLE = (
    "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = COALESCE(%s::name, current_user)"
)
# A role granted SET on it (PostgreSQL 15+) switches every trigger off as a superuser does.
_SETS_REPLICATION_ROLE = "SELECT has_parameter_privilege(%s::name, 'session_replication_role', 'SET')"
# Ownership counts through membership: a member of the owning role can SET ROLE to it.
_TABLES = """
    SELECT t.name, pg_has_role(%(role)s::name, c.relowner, 'MEMBER'),
           ARRAY(SELECT p FROM unnest(%(forbidden)s::text[]) WITH ORDINALITY AS f(p, k)
                 WHERE has_table_privilege(%(role)s::name, c.oid, p) ORDER BY f.k)
    FROM unnest(%(tables)s::text[]) WITH ORDINALITY AS t(name, n)
    JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))
    ORDER BY t.n
"""
# The owner of the schema holding the ledger, or of the database (PostgreSQL 15's public schema belongs to
# `pg_database_owner`, the database's owner), may DROP the tables, triggers and all.
_PLACES = """
    SELECT 'schema ' || n.nspname FROM pg_namespace n
    WHERE n.oid IN (
        SELECT c.relnamespace FROM pg_class c
        WHERE c.oid IN (SELECT to_regclass(quote_ident(t)) FROM unnest(%(tables)s::text[]) AS t)
    ) AND pg_has_role(%(role)s::name, n.nspowner, 'MEMBER')
    UNION ALL
    SELECT 'database ' || d.datname FROM pg_database d
    WHERE d.datname = current_database() AND pg_has_role(%(role)s::name, d.datdba, 'MEMBER')
"""


@dataclass
class RoleStanding:
    """What a role could do to the ledger beyond reading it and adding to it."""

    role: str
    superuser: bool
    creates_roles: bool = False  # CREATEROLE: before PostgreSQL 16, may grant itself any role but a superuser
    sets_replication_role: bool = False  # PostgreSQL 15+: GRANT SET ON PARAMETER session_replication_role
    owned: list[str] = field(default_factory=list)
    places_owned: list[str] = field(default_factory=list)  # "schema public", "database contactpoint"
    writable: dict[str, list[str]] = field(default_factory=dict)


def role_standing(connection: BaseDatabaseWrapper, role: str | None = None) -> RoleStanding | None:
    """The standing of `role` (default: the connected role) on PostgreSQL; None if there is no such role."""
    with connection.cursor() as cursor:
        cursor.execute(_ROLE, [role])
        found = cursor.fetchone()
        if found is None:
            return None
        standing = RoleStanding(role=found[0], superuser=found[1], creates_roles=found[2])
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            cursor.execute(_SETS_REPLICATION_ROLE, [standing.role])
            standing.sets_replication_role = cursor.fetchone()[0]
        cursor.execute(
            _TABLES, {"role": standing.role, "forbidden": list(FORBIDDEN), "tables": list(LEDGER_TABLES)}
        )
        for table, owns, privileges in cursor.fetchall():
            if owns:
                standing.owned.append(table)
            if privileges:
                standing.writable[table] = list(privileges)
        cursor.execute(_PLACES, {"role": standing.role, "tables": list(LEDGER_TABLES)})
        standing.places_owned = [place for (place,) in cursor.fetchall()]
    return standing


def grants_sql(connection: BaseDatabaseWrapper, role: str, schema: str) -> list[str]:
    """What the tables' owner runs so that `role` may do what the app does, and to the ledger only add."""
    who, where = connection.ops.quote_name(role), connection.ops.quote_name(schema)
    sql = [
        f"GRANT USAGE ON SCHEMA {where} TO {who};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who};",
    ]
    for table in LEDGER_TABLES:
        sql += [
            f"REVOKE ALL ON TABLE {table} FROM {who};",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {table} FROM PUBLIC;",
            f"GRANT SELECT, INSERT ON TABLE {table} TO {who};",
        ]
    return sql


def standing_problems(standing: RoleStanding) -> list[tuple[str, str]]:
    """Each way the role could get past the triggers: (check id, in words); empty when it cannot."""
    if standing.superuser:
        return [
            (
                "audit.E001",
                f"database role {standing.role} is a superuser, which can switch the triggers off",
            )
        ]
    problems = []
    if standing.sets_replication_role:
        problems.append(
            (
                "audit.E004",
                f"database role {standing.role} may set session_replication_role, which switches the triggers off",
            )
        )
    if standing.owned:
        problems.append(
            (
                "audit.E002",
                f"database role {standing.role} owns (or belongs to the owner of) {', '.join(standing.owned)},"
                " so it can disable their append-only triggers",
            )
        )
    if standing.writable:
        held = "; ".join(
            f"{table} ({', '.join(privileges)})" for table, privileges in standing.writable.items()
        )
        problems.append(("audit.E003", f"database role {standing.role} may change the audit ledger: {held}"))
    if standing.places_owned:
        problems.append(
            (
                "audit.E005",
                f"database role {standing.role} owns (or belongs to the owner of) "
                f"{', '.join(standing.places_owned)}, so it may drop the ledger's tables, triggers and all",
            )
        )
    if standing.creates_roles:
        problems.append(
            (
                "audit.E006",
                f"database role {standing.role} has CREATEROLE, so it may grant itself the ledger tables' "
                "owner and switch their triggers off",
            )
        )
    return problems


def _hint(role: str) -> str:
    tables = ", ".join(LEDGER_TABLES)
    return (
        f"Connect the app as a role that is no superuser, has no CREATEROLE, and owns neither a ledger table "
        f"nor the database or schema holding it (create those as the migration role; a table goes back to "
        f"the role `migrate` runs as: ALTER TABLE ... OWNER TO); as that owner, run "
        f"`manage.py audit_grants {role} --apply` after every migrate: "
        f"REVOKE ALL ON {tables} FROM {role}; GRANT SELECT, INSERT ON {tables} TO {role} (see docs/AUDIT.md)."
    )


@checks.register("audit", deploy=True)
def ledger_role_check(
    app_configs: Sequence[Any] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    standing = role_standing(connection)
    assert standing is not None  # noqa: S101 - current_user always exists
    hint = _hint(standing.role)
    return [
        checks.Error(f"The app's {text}.", hint=hint, id=code) for code, text in standing_problems(standing)
    ]
