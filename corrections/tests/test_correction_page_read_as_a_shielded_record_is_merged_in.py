"""The page proposing a correction, read while a shielded duplicate is merged into the record (PostgreSQL:
two real sessions).

The page judged the record (not shielded: its carers' contact details are the viewer's to name), then read
the carer its address names. A merge committing in between numbers the shielded duplicate's carers after
the record's own and shields the record: the page showed the duplicate's carer's phone number (where the
child is kept safe) to a practitioner the record no longer shows it to. The record page reads again when
the record changed under it (`children.views._read_as_one`); this page now does not show it either.
"""

from django.db import transaction
from django.urls import reverse

from audit.tags import AuditTag
from children.models import Carer, Child
from corrections import views
from corrections.tests.support import events
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child
from vault.sealing import Sealer

pytestmark = postgresql_race("PostgreSQL only: the merge commits on another session")

REFUGE_PHONE = "07700 900456"


def test_a_carer_detail_of_a_shielded_duplicate_merged_in_meanwhile_is_not_shown(world, child, monkeypatch):
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton", shielded=True)
    with transaction.atomic():
        carer = Carer.objects.get(child=duplicate)
        Sealer(duplicate.data_key).seal(carer, "phone", REFUGE_PHONE)
        carer.save(update_fields=["phone"])
    client = signed_in(world.alice)
    client.raise_request_exception = False
    state_purpose(client, child)
    url = reverse("corrections:propose", args=[child.pk, "carer-1-phone"])

    response, _ = paused_for(  # the LA team merges the shielded duplicate in once the page has judged
        monkeypatch,
        views,
        "correction_raise_decide",
        read=lambda: client.get(url),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=child.pk),
            duplicate=Child.objects.get(pk=duplicate.pk),
            by=world.lena,
        ),
    )
    monkeypatch.undo()

    assert Child.objects.get(pk=child.pk).shielded  # the merge committed, and shielded the record
    assert REFUGE_PHONE not in response.content.decode()
    assert (response.status_code, response["Location"]) == (302, url)  # asked for again, judged as now
    # Opened again now, the detail is refused as any shielded record's location detail is.
    again = client.get(url)
    assert again.status_code == 403 and REFUGE_PHONE not in again.content.decode()
    assert not events(AuditTag.RecordViewed, page="corrections:propose", restricted_view=False)
