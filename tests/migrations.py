"""Running the migrations to a point and back to the latest, for tests of a data migration's checks."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str]] | None) -> MigrationExecutor:
    """Migrate the test database to `targets` (None: every app's latest) and return the executor, whose
    `loader.project_state(targets).apps` gives the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor
