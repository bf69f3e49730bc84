"""The practitioner's own pages reading a record while the LA team merges it away (PostgreSQL: two real
sessions, the merge committing after the page loaded the record and before it opened the record's key).

The merge shreds the duplicate's key: opening it then fails (`KeyRevoked`), a server error. "My
corrections" opened a rejected correction's reason under its record's key; the pages that choose a
detail and propose its value decrypt the child's name (and the value now held). Each now answers as it
would a moment later: the list is read again (the rejected correction went with its record: the merge
keeps it, sealed, for the child's subject access report), and a page of the record is not found.
"""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from audit.tags import AuditTag
from children.models import Child
from corrections import views
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import correction_raise, correction_reject
from corrections.tests.support import events
from linkage.merging import child_merge
from tests.concurrency import paused_for, postgresql_race
from tests.journeys import signed_in, state_purpose
from tests.personas import World, make_child

pytestmark = postgresql_race("PostgreSQL only: the merge commits on another session")

REJECTED_BECAUSE = "The register and the birth certificate both say Thornton"


def _merge(world: World, child: Child) -> Callable[[], Any]:
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB")
    return lambda: child_merge(
        survivor=Child.objects.get(pk=survivor.pk), duplicate=Child.objects.get(pk=child.pk), by=world.lena
    )


def test_my_corrections_read_as_a_rejected_ones_record_is_merged_away_is_read_again(
    world, child, monkeypatch
):
    family_name = field_for("family_name")
    assert family_name is not None
    correction = correction_raise(
        child=child, field=family_name, value="Thorneton", reason="Birth certificate", by=world.alice
    )
    correction_reject(correction=correction, by=world.lena, reason=REJECTED_BECAUSE)
    client = signed_in(world.alice)
    client.raise_request_exception = False
    url = reverse("corrections:mine")
    response, _ = paused_for(  # the list is loaded; the merge commits before the reason is opened
        monkeypatch, views, "field_label", read=lambda: client.get(url), write=_merge(world, child)
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Correction.objects.filter(pk=correction.pk).exists()  # kept, sealed, by the merge
    assert response.status_code == 302, response.status_code
    assert response["Location"] == url
    assert events(AuditTag.CorrectionsOwnViewed) == []  # nothing was shown
    page = client.get(url)
    assert page.status_code == 200
    assert REJECTED_BECAUSE not in page.content.decode()


def _record_page_read_as_merged(monkeypatch, world: World, child: Child, url: str) -> Any:
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    client.raise_request_exception = False
    response, _ = paused_for(  # checked and the look audited; the merge commits before the name is opened
        monkeypatch, views, "look_audited", read=lambda: client.get(url), write=_merge(world, child)
    )
    monkeypatch.undo()
    assert not Child.objects.filter(pk=child.pk).exists()
    return response


def test_choosing_a_detail_as_the_record_is_merged_away_is_not_found(world, child, monkeypatch):
    url = reverse("corrections:choose", args=[child.pk])
    response = _record_page_read_as_merged(monkeypatch, world, child, url)
    assert response.status_code == 404, response.status_code
    assert "Amelia" not in response.content.decode()


def test_proposing_a_value_as_the_record_is_merged_away_is_not_found(world, child, monkeypatch):
    url = reverse("corrections:propose", args=[child.pk, "family_name"])
    response = _record_page_read_as_merged(monkeypatch, world, child, url)
    assert response.status_code == 404, response.status_code
    assert "Thornton" not in response.content.decode()
