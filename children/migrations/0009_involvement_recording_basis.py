"""A sensitive service's basis for recording an involvement (children.records.RecordingBasis), sealed.

Nullable (`Involvement.OPTIONAL_SEALED`): a row written before holds NULL, read as "not recorded", and a
merge or unmerge moves it as NULL (`linkage.merging._move`). Nothing is back-filled: sealing a None into
every involvement held would be one pass over the whole national index at deployment, for no reader.
"""

from django.db import migrations

import vault.models


class Migration(migrations.Migration):
    dependencies = [("children", "0008_retired_index_number")]

    operations = [
        migrations.AddField(
            model_name="involvement",
            name="recording_basis",
            field=vault.models.SealedField(null=True),
        ),
    ]
