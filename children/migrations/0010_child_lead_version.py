"""A count of a child's changes of lead professional (`Child.lead_version`), in clear: a number, naming
nobody. Every row held starts at 0. A database default too, kept: on PostgreSQL a constant default adds
the column without rewriting the table, and rows written outside the ORM (the benchmarks' INSERTs, the
national loader's COPY, which leaves out columns the database fills) need not name it. An offer to lead
made before it keeps the digest of the lead alone, which reads as made at 0."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("children", "0009_involvement_recording_basis")]

    operations = [
        migrations.AddField(
            model_name="child",
            name="lead_version",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
    ]
