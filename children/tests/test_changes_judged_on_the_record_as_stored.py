"""Changes made from the record's pages are judged on the record as stored when they are written.

A page checks the policy when the request arrives; the LA team may shield the record, the nightly job
archive it, or a merge fold it into another in the moment before the change is written (another request,
committed in between). Each test makes that other change happen right after the page's own check, as
an interleaving of two app servers would. The change must then be refused (and audited as a refusal)
or answered as "not found", never written to a record the person may no longer change, nor a 500.
"""

from datetime import date

import pytest
from django.urls import reverse

import children.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement, RecordStatus
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.selectors import child_details
from children.services import involvement_record
from lifecycle.services import child_archive
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from tests.journeys import INVOLVEMENT_FORM, involved, signed_in, state_purpose
from tests.personas import make_child


def _after_the_pages_check(monkeypatch, meanwhile) -> None:
    """Run `meanwhile` (another person's committed change) just after the page's policy check."""
    checked = children.views._granted_child

    def then_meanwhile(request, child_id, action):
        child = checked(request, child_id, action)
        meanwhile(child)
        return child

    monkeypatch.setattr(children.views, "_granted_child", then_meanwhile)


def _found_by_search(user) -> None:
    """The person found the child by a search, their way in: refused, they are told why (whoever may not
    identify the child is told nothing of it: test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it)."""
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=user)


def _shield(world):
    return lambda child: shield_set(child=child, by=world.lena, shielded=True, reason="Risk of harm")


def _archive(child):
    assert child_archive(child_id=child.pk, rule="age", today=date(2026, 1, 1))


def test_an_involvement_recorded_as_the_la_team_shields_the_record_is_refused_and_not_kept(
    world, child, monkeypatch
):
    _found_by_search(world.alice)
    client = signed_in(world.alice)
    state_purpose(client, child)
    _after_the_pages_check(monkeypatch, _shield(world))

    response = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)

    assert response.status_code == 403
    # Her search was made before the shield, so it no longer lets her identify the child (session 39:
    # `Child.found_anew_after`): she gets the refusal anyone who may not identify it gets, not its reason.
    assert "This record is shielded" not in response.content.decode()
    assert not Involvement.objects.filter(child=child).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()
    refusal = AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice)
    assert refusal.child_id == child.pk and refusal.additional["reason"] == "shielded"


def test_an_involvement_recorded_as_the_record_is_archived_is_refused_and_not_kept(world, child, monkeypatch):
    involved(
        world.alice, child, name=world.alice.username, role="Family support worker"
    )  # involved: she may know it, so is told why
    recorded_before = AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).count()
    client = signed_in(world.alice)
    state_purpose(client, child)
    _after_the_pages_check(monkeypatch, _archive)

    response = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)

    assert response.status_code == 403
    assert "This record has been archived" in response.content.decode()
    assert Child.objects.get(pk=child.pk).status == RecordStatus.ARCHIVED
    assert Involvement.objects.filter(child=child).count() == 1  # hers from before, no other
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).count() == recorded_before
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == (
        "archived"
    )


def test_an_involvement_recorded_as_the_record_is_merged_away_is_not_found_not_a_server_error(
    world, child, monkeypatch
):
    survivor = make_child(world, given_names="Amelia", family_name="Thornton")
    client = signed_in(world.alice)
    state_purpose(client, child)
    _after_the_pages_check(
        monkeypatch, lambda duplicate: child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    )

    response = client.post(reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM)

    assert response.status_code == 404
    assert not Involvement.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def _alices_involvement(world, child) -> Involvement:
    details = InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk)
    return involvement_record(child=child, by=world.alice, details=details)


@pytest.mark.parametrize("change", ["shielded", "archived"])
def test_a_lead_professional_named_as_the_record_changes_is_refused_and_not_kept(
    world, child, monkeypatch, change
):
    involvement = _alices_involvement(world, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    _after_the_pages_check(monkeypatch, _shield(world) if change == "shielded" else _archive)

    response = client.post(
        reverse("children:lead_professional", args=[child.pk]), {"involvement": str(involvement.pk)}
    )

    assert response.status_code == 403
    assert child_details(Child.objects.get(pk=child.pk)).lead_professional_id is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).exists()
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == change


@pytest.mark.parametrize("change", ["shielded", "archived"])
def test_a_caf_recorded_as_the_record_changes_is_refused_and_not_kept(world, child, monkeypatch, change):
    _alices_involvement(world, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    _after_the_pages_check(monkeypatch, _shield(world) if change == "shielded" else _archive)

    response = client.post(reverse("children:caf", args=[child.pk]), {"caf_completed": "yes"})

    assert response.status_code == 403
    assert child_details(Child.objects.get(pk=child.pk)).caf_completed is False
    assert not AuditEvent.objects.filter(tag=AuditTag.CafFlagSet).exists()
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == change


@pytest.mark.parametrize("change", ["archived"])
def test_an_involvement_ended_as_the_record_changes_is_refused_and_stays_current(
    world, child, monkeypatch, change
):
    involvement = _alices_involvement(world, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    meanwhile = _archive
    stated = children.views._purpose_stated

    def then_meanwhile(request, child):  # the end page checks the policy, then the purpose
        grant = stated(request, child)
        meanwhile(child)
        return grant

    monkeypatch.setattr(children.views, "_purpose_stated", then_meanwhile)

    response = client.post(
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        {"end_day": "1", "end_month": "3", "end_year": "2025"},
    )

    assert response.status_code == 403
    involvement.refresh_from_db()
    assert not involvement.ceased
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased).exists()
    assert AuditEvent.objects.get(tag=AuditTag.AccessDenied, actor=world.alice).additional["reason"] == change


def test_her_own_involvement_ended_as_the_record_is_shielded_still_ends(world, child, monkeypatch):
    """The recorder may always end their own involvement, shielded or not (`access.policy._decide_cease`):
    a shield landing between the page's check and the write changes nothing for her."""
    involvement = _alices_involvement(world, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    shield = _shield(world)
    stated = children.views._purpose_stated

    def then_shielded(request, child):
        grant = stated(request, child)
        shield(child)
        return grant

    monkeypatch.setattr(children.views, "_purpose_stated", then_shielded)
    response = client.post(
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        {"end_day": "1", "end_month": "3", "end_year": "2025"},
    )
    assert response.status_code == 302
    involvement.refresh_from_db()
    assert involvement.ceased
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased).count() == 1
