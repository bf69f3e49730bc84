"""The inbox and the brokering page list matches of a record whose keys were shredded but whose rows stay.

A merge (or purge) that tells the key provider first and then fails leaves an active record that nothing
can read until the nightly run deletes it, and a shielded one stays until a person says its shield was
checked (`lifecycle.removal`). Its involvements and their matches stay with it. Each page opened the
record's key to name the child and the other practitioner, so one such record made a practitioner's whole
inbox, and the LA team's whole brokering page, a server error. A list shows the other items and leaves the
removed record's match out (there is nobody left to coordinate with about it), naming nothing of it.
"""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer, Child
from coordination.models import LeadProposal, Match
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def _unrelated(world) -> Child:
    """Another child, of another family (no carer shared with Amelia or Jasmine: no family match)."""
    other = make_child(world, given_names="Harriet", family_name="Quill", postcode="LS9 9ZZ")
    Carer.objects.filter(child=other).delete()
    return other


def test_a_practitioners_inbox_leaves_out_the_match_of_a_removed_record_and_shows_the_rest(world, child):
    carol = school_teacher(world)
    removed = _unrelated(world)
    # Carol's two matches with Alice: one about Amelia, one about a record a failed merge then shredded.
    record(child, world.alice)
    record(child, carol)
    record(removed, world.alice)
    record(removed, carol)
    assert Match.objects.count() == 2
    shred_rolled_back(removed)

    for user in (carol, world.alice):
        response = signed_in(user).get(reverse("coordination:inbox"))
        assert response.status_code == 200, (user.username, response.status_code)
        page = response.content.decode()
        assert "Amelia" in page  # the other match is still shown
        assert "Harriet" not in page and "Quill" not in page
    shown = AuditEvent.objects.filter(tag=AuditTag.InboxChildShown)
    assert {event.child_id for event in shown} == {child.pk}  # no look recorded at what was not shown


def test_the_reminder_to_confirm_leaves_out_an_old_involvement_with_a_removed_record(world, child):
    removed = _unrelated(world)
    recorded_at = timezone.now()
    with time_machine.travel(recorded_at, tick=False):
        record(child, world.alice)
        record(removed, world.alice)
    shred_rolled_back(removed)
    with time_machine.travel(recorded_at + timedelta(days=731), tick=False):
        world.alice.training_completed_on = world.alice.background_check_on = timezone.localdate()
        world.alice.save(update_fields=["training_completed_on", "background_check_on"])
        response = signed_in(world.alice).get(reverse("coordination:inbox"))
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "Are you still working with these children?" in page and "Amelia Thornton" in page
    assert "Harriet" not in page and "Quill" not in page


def test_the_brokering_page_leaves_out_the_match_of_a_removed_shielded_record_and_shows_the_rest(
    world, shielded_child
):
    carol = school_teacher(world)
    leftover = _unrelated(world)
    for shielded in (shielded_child, leftover):
        # Recorded while not shielded (loaded, or before the shield), matched once it is.
        shielded.shielded = False
        shielded.save(update_fields=["shielded"])
        record(shielded, world.alice)
        shielded.shielded = True
        shielded.save(update_fields=["shielded"])
        record(shielded, carol)
    assert Match.objects.count() == 2
    shred_rolled_back(leftover)  # a shielded leftover waits for a person, not the night

    response = signed_in(world.lena).get(reverse("coordination:brokering"))
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "Jasmine" in page  # the other shielded child's match is still brokered
    assert "Harriet" not in page and "Quill" not in page
    [viewed] = AuditEvent.objects.filter(tag=AuditTag.BrokeringViewed)
    kept = Match.objects.get(first__child=shielded_child)
    assert viewed.additional["match_ids"] == [kept.pk]
    shown = AuditEvent.objects.filter(tag=AuditTag.BrokeringChildShown)
    assert {event.child_id for event in shown} == {shielded_child.pk}


def test_an_offer_or_acceptance_sent_from_an_inbox_open_before_the_record_was_removed_says_so(world, child):
    carol = school_teacher(world)
    record(child, world.alice)
    carols = record(child, carol)
    match = Match.objects.get()
    from coordination.services import lead_propose

    offer = lead_propose(match=match, involvement=carols, by=carol)
    shred_rolled_back(child)

    responses = [
        signed_in(world.alice).post(reverse("coordination:propose_lead", args=[match.pk])),
        signed_in(world.alice).post(reverse("coordination:accept_lead", args=[offer.pk])),
    ]
    for response in responses:
        assert response.status_code == 410, (response.request["PATH_INFO"], response.status_code)
        assert "This record has been removed" in response.content.decode()
    assert list(LeadProposal.objects.values_list("pk", flat=True)) == [offer.pk]
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalAccepted).exists()
