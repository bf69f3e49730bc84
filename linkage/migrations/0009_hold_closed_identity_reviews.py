"""Hold for the LA team the reviews about an identity closed for a new one opened before they were held.

`linkage.linking.creation_hold` holds each such review from its opening; one opened earlier about
a closed record that was not shielded sits in the LA's ordinary queue, which the data manager works too.
Decided ones as well: their page (its copy shredded) still says a record of that name was closed for a
new identity. Nothing is audited here: no review's copy is read, and the tag a move to the team records
(`linkage:review:held`) says a child was shielded, which is not why.
"""

from django.db import migrations


def hold_closed_identity_reviews(apps, schema_editor):
    ClericalReview = apps.get_model("linkage", "ClericalReview")
    ClericalReview.objects.filter(reason="closed_identity", shielded_hold=False).update(shielded_hold=True)


class Migration(migrations.Migration):
    dependencies = [("linkage", "0008_retire_merged_away_numbers")]

    operations = [migrations.RunPython(hold_closed_identity_reviews, migrations.RunPython.noop)]
