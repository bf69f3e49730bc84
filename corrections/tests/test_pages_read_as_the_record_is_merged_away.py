"""The complaint and correction-decision pages reading a record while the LA team merges it away
(PostgreSQL: two real sessions).

Each page loaded the complaint (or correction) with its record's wrapped data key, checked the policy,
and then opened the key; a merge committing in between revoked that key: `KeyRevoked`, a server error,
though the complaint (or pending correction) had only moved to the surviving record. The page now reads
it again where it is: sent back to itself, and told, if a change was on its way (nothing was changed).
(A decision sent as the merge commits writes before the page opens the key: the correction, pending, moved
with the merge to the survivor, which the decider's LA owns, and the `shown` token still guards the value.)
"""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from children.models import Child
from corrections import views
from corrections.fields import field_for
from corrections.models import Complaint, ComplaintStatus, Correction, CorrectionStatus
from corrections.services import complaint_version, correction_current_seen, correction_raise
from corrections.tests.support import complaint_from_the_child, events
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in
from tests.personas import World, make_child

pytestmark = postgresql_race("PostgreSQL only: the merge commits on another session")

ACKNOWLEDGED = {
    "status": "acknowledged",
    "acknowledged_day": "3",
    "acknowledged_month": "11",
    "acknowledged_year": "2026",
}


def _merge(world: World, child: Child) -> tuple[Child, Callable[[], Any]]:
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    return survivor, lambda: child_merge(
        survivor=Child.objects.get(pk=survivor.pk), duplicate=Child.objects.get(pk=child.pk), by=world.lena
    )


def _read_as_merged(monkeypatch, world: World, child: Child, policy: str, send: Callable[[], Any]) -> Any:
    """`send` the request; the merge commits once the page has loaded the row and passed `policy`."""
    survivor, merge = _merge(world, child)
    response, _ = paused_for(monkeypatch, views, policy, read=send, write=merge)
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    return survivor, response


def test_the_complaint_page_read_as_its_record_is_merged_away_is_read_again_where_it_is(
    world, child, monkeypatch
):
    complaint = complaint_from_the_child(world, child)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint", args=[complaint.pk])
    survivor, response = _read_as_merged(
        monkeypatch, world, child, "complaint_decide", lambda: client.get(url)
    )
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    assert Complaint.objects.get(pk=complaint.pk).child_id == survivor.pk
    page = client.get(url).content.decode()
    assert "Says the school on the record is wrong" in page  # the summary, opened under its new key


def test_progress_sent_as_the_record_is_merged_away_changes_nothing_and_says_so(world, child, monkeypatch):
    complaint = complaint_from_the_child(world, child)
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:complaint", args=[complaint.pk])
    form = {**ACKNOWLEDGED, "version": complaint_version(complaint)}
    _, response = _read_as_merged(
        monkeypatch, world, child, "complaint_decide", lambda: client.post(url, form)
    )
    assert response.status_code == 302 and response["Location"] == url
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RECEIVED
    assert events("child:complaint:updated") == []
    page = client.get(url).content.decode()
    assert "has moved to another record since you opened it" in page and "nothing was changed" in page


def test_a_decision_page_read_as_its_record_is_merged_away_is_read_again_where_it_is(
    world, child, monkeypatch
):
    family_name = field_for("family_name")
    assert family_name is not None
    correction = correction_raise(
        child=child, field=family_name, value="Thorneton", reason="Birth certificate", by=world.alice
    )
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:decide", args=[correction.pk])
    survivor, response = _read_as_merged(
        monkeypatch, world, child, "correction_decide", lambda: client.get(url)
    )
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    stored = Correction.objects.get(pk=correction.pk)
    assert (stored.child_id, stored.status) == (survivor.pk, CorrectionStatus.PENDING)
    page = client.get(url).content.decode()
    assert "Birth certificate" in page  # the reason, opened under the survivor's key


def test_an_accept_refused_as_changed_and_then_merged_away_is_read_again_where_it_is(
    world, child, monkeypatch
):
    """Refused as the value had changed, the page reloaded the record to show it again (`refresh_from_db`):
    merged away in that moment, the reload found no row (`Child.DoesNotExist`), a server error."""
    family_name = field_for("family_name")
    assert family_name is not None
    correction = correction_raise(
        child=child, field=family_name, value="Thorneton", reason="Birth certificate", by=world.alice
    )
    client = signed_in(world.lena)
    client.raise_request_exception = False
    url = reverse("corrections:decide", args=[correction.pk])
    stale = {"decision": "accept", "shown": correction_current_seen(correction, "Thornley")}
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    response, _ = paused_for(  # refused, under the lock; the merge commits before the record is read again
        monkeypatch,
        Child,
        "refresh_from_db",
        before=True,
        read=lambda: client.post(url, stale),
        write=lambda: child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.dara,
        ),
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    stored = Correction.objects.get(pk=correction.pk)
    assert (stored.child_id, stored.status) == (survivor.pk, CorrectionStatus.PENDING)
    assert events("child:correction:accepted") == []
    page = client.get(url).content.decode()
    assert "has moved to another record since you opened it" in page and "nothing was changed" in page
