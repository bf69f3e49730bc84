"""Ending an involvement that an unmerge moves back to the restored record between the page's check and
the change's row lock.

The page loaded the involvement on the merged record (the survivor) and the service locked that record's
row, then read the involvement as stored: by then on the restored record (a new id, its own key). It
was ended all the same, its end date sealed under the survivor's key, so the restored record's page (and
everything else that reads its involvements) could never read it again, and the audit entry and the
lead professional's clearing were written on the survivor.
"""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

import children.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_record
from children.services import involvement_record
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge
from tests.concurrency import paused_for
from tests.journeys import signed_in, state_purpose
from tests.personas import build_world, make_child


def test_an_involvement_moved_back_by_an_unmerge_meanwhile_is_not_found_and_not_ended(
    world, child, monkeypatch
):
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton")
    involvement = involvement_record(
        child=duplicate,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    merge = child_merge(survivor=child, duplicate=duplicate, by=world.lena)
    assert Involvement.objects.get(pk=involvement.pk).child_id == child.pk
    client = signed_in(world.alice)
    state_purpose(client, child)
    real_still_permitted = children.views.still_permitted
    restored: list[Child] = []

    def unmerged_first(**kwargs: Any) -> Any:  # the page has checked; the LA team's unmerge commits now
        restored.append(child_unmerge(merge=merge, by=world.lena))
        return real_still_permitted(**kwargs)

    monkeypatch.setattr(children.views, "still_permitted", unmerged_first)
    response = client.post(
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        {"end_day": "1", "end_month": "3", "end_year": "2025"},
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased).exists()
    moved = Involvement.objects.get(pk=involvement.pk)
    assert moved.child_id == restored[0].pk and not moved.ceased
    # The restored record still reads whole, its involvement current.
    view = child_record(Child.objects.select_related("data_key").get(pk=restored[0].pk))
    assert [(i.id, i.details.ended_on) for i in view.involvements] == [(str(involvement.pk), None)]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: the unmerge on another session"
)
def test_the_same_with_the_unmerge_committing_on_another_session(monkeypatch):
    world = build_world()
    child = make_child(world)
    duplicate = make_child(world, given_names="Amelia", family_name="Thornton")
    involvement = involvement_record(
        child=duplicate,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    merge = child_merge(survivor=child, duplicate=duplicate, by=world.lena)
    client = signed_in(world.alice)
    state_purpose(client, child)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])

    response, restored = paused_for(
        monkeypatch,
        children.views,
        "still_permitted",
        read=lambda: client.post(url, {"end_day": "1", "end_month": "3", "end_year": "2025"}),
        write=lambda: child_unmerge(merge=ChildMerge.objects.get(pk=merge.pk), by=world.lena),
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased).exists()
    view = child_record(Child.objects.select_related("data_key").get(pk=restored.pk))
    assert [(i.id, i.details.ended_on) for i in view.involvements] == [(str(involvement.pk), None)]
