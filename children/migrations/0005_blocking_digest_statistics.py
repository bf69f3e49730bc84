"""Tell PostgreSQL's planner how many distinct blocking digests there are (about 0.35 per key row).

ANALYZE samples 30,000 key rows; a few common-name digests fill the sample, so at 1,000,000 children it
guessed 449,219 distinct digests (45 rows each) where there are 7,822,130 (2.6 each). With that guess a
search's key + candidate statement (40-80 digests) was planned for thousands of rows, as a parallel
bitmap scan: 22-32 ms warm instead of 2-3 ms on the same rows (docs/BENCHMARKS.md, search at 1 M). A
negative n_distinct is a share of the rows, so it holds as the index grows. ANALYZE applies it now.
"""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "children_blockingkeyentry"


def _on_postgresql(sql: str) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
    def run(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql.split(";"):
                if statement.strip():
                    schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("children", "0004_child_former_postcodes")]

    operations = [
        migrations.RunPython(
            _on_postgresql(
                f"ALTER TABLE {TABLE} ALTER COLUMN digest SET (n_distinct = -0.35); ANALYZE {TABLE}"
            ),
            _on_postgresql(f"ALTER TABLE {TABLE} ALTER COLUMN digest RESET (n_distinct); ANALYZE {TABLE}"),
        )
    ]
