"""A location correction is judged on the record as stored when it is written, not as the page's policy
check read it.

Nobody but the record's own LA team may name a shielded record's location details (an address, a
school, a GP, a carer's contacts): a correction would be a way to plant, or to fish for, where the child
is. `correction_raise` re-checked only that the record was still active under its row lock: the LA team
shielding the record in the moment between the page's check and that lock let a practitioner's address
correction through (stored, audited as raised, put in the LA team's queue), as the record pages did
before session 21 (`access.http.still_permitted`). And a record merged into another in that moment was
a server error: the merge shreds its key, and sealing the correction under it failed (KeyRevoked).
"""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.search import SearchCriteria, child_search
from corrections import views
from corrections.models import Correction
from corrections.tests.support import events
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from tests.concurrency import paused_for
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

ADDRESS_FIX = {"line_1": "8 Fernbank Way", "town": "Leeds", "postcode": "ls2 9jt", "reason": "Moved in May"}


def _shielded_on_the_way(monkeypatch, shield) -> None:
    """The page's policy check has passed; `shield()` runs before the correction is written."""
    original = views.correction_raise

    def raising(**kwargs):
        shield()
        return original(**kwargs)

    monkeypatch.setattr(views, "correction_raise", raising)


def _found_by_search(user) -> None:
    """Their search found the child, their way in: refused, they are told why (whoever may not identify the
    child is told nothing of it: children/tests/test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it)."""
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=user)


def _refused_and_nothing_kept(response, child, *, told_why: bool = True) -> None:
    """Refused, the reason audited; told why only if they may still identify the child (a shield applied
    through `shield_set` ends what a search made before it identifies: `Child.found_anew_after`)."""
    assert response.status_code == 403, response.status_code
    assert ('data-reason="shielded"' in response.content.decode()) is told_why
    assert not Correction.objects.filter(child=child).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.CorrectionRaised).exists()
    [denied] = events(AuditTag.AccessDenied, reason="shielded")
    assert denied.child_id == child.pk


@pytest.mark.django_db
def test_an_address_correction_sent_as_the_record_is_shielded_is_refused_and_not_kept(
    world, child, monkeypatch
):
    _found_by_search(world.alice)
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    _shielded_on_the_way(monkeypatch, shield=lambda: Child.objects.filter(pk=child.pk).update(shielded=True))
    response = client.post(reverse("corrections:propose", args=[child.pk, "address"]), ADDRESS_FIX)
    _refused_and_nothing_kept(response, child)


@pytest.mark.django_db
def test_a_name_correction_sent_as_the_record_is_shielded_is_still_raised(world, child, monkeypatch):
    """Anyone who may view the record may name its non-location details, shielded or not."""
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    _shielded_on_the_way(monkeypatch, shield=lambda: Child.objects.filter(pk=child.pk).update(shielded=True))
    fix = {"value": "Thorneton", "reason": "Birth certificate seen at school admission"}
    response = client.post(reverse("corrections:propose", args=[child.pk, "family_name"]), fix)
    assert response.status_code == 302 and response["Location"] == reverse("corrections:mine")
    [correction] = Correction.objects.filter(child=child, field="family_name")
    assert events(AuditTag.CorrectionRaised, correction_id=str(correction.pk))


def _sent_as(monkeypatch, client, url: str, data: dict[str, str], change) -> object:
    """POST the correction; `change` commits on a colleague's own connection (another request, another
    app server) once the page's policy check has passed, before the correction is written."""
    response, _ = paused_for(
        monkeypatch, views, "correction_raise", before=True, read=lambda: client.post(url, data), write=change
    )
    monkeypatch.undo()
    return response


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: a shield committed beside it")
def test_a_shield_committed_between_the_pages_check_and_the_write_refuses_the_correction(
    world, child, monkeypatch
):
    _found_by_search(world.alice)
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")

    def shield() -> None:  # the LA team's
        shield_set(
            child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Refuge placement"
        )

    url = reverse("corrections:propose", args=[child.pk, "address"])
    response = _sent_as(monkeypatch, client, url, ADDRESS_FIX, shield)
    assert Child.objects.get(pk=child.pk).shielded
    # Her search came before the shield, so she may no longer identify the child (session 39): she gets
    # the refusal anyone who may not identify it gets; the reason is audited all the same.
    _refused_and_nothing_kept(response, child, told_why=False)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: a merge committed beside it")
def test_a_correction_sent_as_the_record_is_merged_away_is_not_a_server_error(world, child, monkeypatch):
    """The merge shreds the record's key: sealing under it failed (KeyRevoked), a 500 for the raiser."""
    survivor = make_child(world)
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")

    def merge() -> None:  # the LA team merges the record into another
        child_merge(
            survivor=Child.objects.get(pk=survivor.pk),
            duplicate=Child.objects.get(pk=child.pk),
            by=world.lena,
        )

    client.raise_request_exception = False
    fix = {"value": "Thorneton", "reason": "Birth certificate seen at school admission"}
    url = reverse("corrections:propose", args=[child.pk, "family_name"])
    response = _sent_as(monkeypatch, client, url, fix, merge)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert response.status_code == 302 and response["Location"] == reverse("corrections:mine")
    assert not Correction.objects.exists()
    assert "no longer open" in client.get(response["Location"]).content.decode()
