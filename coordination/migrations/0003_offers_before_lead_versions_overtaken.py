"""Offers to lead still open when `Child.lead_version` came in are overtaken (`coordination.upgrades`)."""

from typing import Any

from django.db import migrations

from coordination.upgrades import offers_before_lead_versions_overtaken


def _overtaken(apps: Any, schema_editor: Any) -> None:
    offers_before_lead_versions_overtaken(
        apps.get_model("coordination", "LeadProposal"), apps.get_model("children", "Child")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0002_lead_proposal_remembers_the_lead_it_saw"),
        ("children", "0010_child_lead_version"),
    ]

    operations = [migrations.RunPython(_overtaken, migrations.RunPython.noop)]
