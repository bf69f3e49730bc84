from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.CreateModel(
            name="FloorAudit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("occurred_at", models.DateTimeField()),
                ("actor_id", models.BigIntegerField()),
                ("additional", models.JSONField()),
            ],
        ),
    ]
