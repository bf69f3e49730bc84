"""Searches read from a PostgreSQL read replica; everything else, and every write, uses the primary.

Only the rows a search reads in bulk go to a replica: children, their blocking keys and wrapped data
keys (apps `children` and `vault`). The audit log, accounts, sessions and misuse counts always read
the primary: the misuse rules count the event written a moment ago in the same transaction, and a
suspension must bite on the very next request. Inside a transaction on the primary every read stays
there too, so an action reads what it has just written.

Replicas are listed in settings.DATABASE_REPLICAS (aliases in DATABASES); with none, this router
sends everything to the primary. Replication lag is PostgreSQL's business, not ours: run the primary
with `synchronous_commit = remote_apply` for the replicas that serve searches, so a commit (a child
shielded, archived) is visible on them before it returns (docs/DEPLOYMENT.md).
"""

import random
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model

PRIMARY = "default"
REPLICA_READ_APPS = frozenset({"children", "vault"})


class PrimaryReplicaRouter:
    def _replicas(self) -> list[str]:
        return list(getattr(settings, "DATABASE_REPLICAS", []))

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        replicas = self._replicas()
        if not replicas or model._meta.app_label not in REPLICA_READ_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return random.choice(replicas)  # noqa: S311 - spreading load, not a secret

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # every alias holds the same data (physical replicas)

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY  # replicas follow the primary's schema by replication
