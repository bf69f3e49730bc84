"""A change from the record's pages (CAF, lead professional, ending an involvement) to a record the LA team
merges away in the moment between the page's policy check and the change's row lock is answered "not
found" and writes nothing, never a server error.

Review, session 23: session 21 made recording an involvement answer 404 here (`Child.DoesNotExist` from the
service: the record is deleted by the merge); the three other changes locked the row the same way
(`children.services.child_rows_locked().get(...)`) and let the same `Child.DoesNotExist` through as a 500.
The merge is made to commit at that moment by running it when the page builds the change's re-check
(`still_permitted`), after the page's own check and before the service locks the row.
"""

from datetime import date

import pytest
from django.urls import reverse

import children.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_record
from linkage.merging import child_merge
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

TAGS = {
    "children:caf": AuditTag.CafFlagSet,
    "children:lead_professional": AuditTag.LeadProfessionalSet,
    "children:involvement_end": AuditTag.InvolvementCeased,
}


@pytest.mark.parametrize("url_name", list(TAGS))
def test_a_change_to_a_record_merged_away_meanwhile_is_not_found_and_writes_nothing(
    world, child, monkeypatch, url_name
):
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    survivor = make_child(world, given_names="Amelia", family_name="Thornton")
    client = signed_in(world.alice)
    state_purpose(client, child)
    real_still_permitted = children.views.still_permitted

    def merged_first(**kwargs):  # the page has checked; the LA team's merge commits now
        child_merge(survivor=survivor, duplicate=Child.objects.get(pk=child.pk), by=world.lena)
        return real_still_permitted(**kwargs)

    monkeypatch.setattr(children.views, "still_permitted", merged_first)
    if url_name == "children:caf":
        response = client.post(reverse(url_name, args=[child.pk]), {"caf_completed": "yes"})
    elif url_name == "children:lead_professional":
        response = client.post(reverse(url_name, args=[child.pk]), {"involvement": str(involvement.pk)})
    else:
        response = client.post(
            reverse(url_name, args=[child.pk, involvement.pk]),
            {"end_day": "1", "end_month": "3", "end_year": "2025"},
        )

    assert response.status_code == 404
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not AuditEvent.objects.filter(tag=TAGS[url_name]).exists()
    moved = Involvement.objects.get(pk=involvement.pk)
    assert moved.child_id == survivor.pk and not moved.ceased
    details = child_details(Child.objects.select_related("data_key").get(pk=survivor.pk))
    assert not details.caf_completed and details.lead_professional_id is None
