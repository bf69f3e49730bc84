"""Match and offer ids are small sequential numbers: someone outside a match who posts to its "offer to
lead" or "accept" address is refused without being told anything about the child it is about.

Before, the refusal was judged on the match's child: a practitioner counting through ids was told, for
each match, the local authority holding its child ("This record belongs to Northshire Council") and, for
a shielded child, that it is shielded, with no search and no child id: an oracle for where shielded
children are held. Now an outsider gets one answer, "not your involvement", naming no child's LA.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import LeadProposal, Match
from coordination.services import lead_propose
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in


def _offered_match(world, child):
    """alice and carol work with `child` (recorded before any shield); carol offers to lead."""
    carol = school_teacher(world)
    shielded = child.shielded
    child.shielded = False
    child.save(update_fields=["shielded"])
    record(child, world.alice)
    carols = record(child, carol)
    child.shielded = shielded
    child.save(update_fields=["shielded"])
    match = Match.objects.get(first__child=child)
    lead_propose(match=match, involvement=carols, by=carol)
    return match, LeadProposal.objects.get(match=match)


def _answers(client, match, proposal):
    return [
        client.post(reverse("coordination:propose_lead", args=[match.pk])),
        client.post(reverse("coordination:accept_lead", args=[proposal.pk])),
    ]


def test_an_outsider_posting_to_a_shielded_childs_match_is_told_neither_its_la_nor_its_shield(
    world, shielded_child
):
    match, proposal = _offered_match(world, shielded_child)
    bob = signed_in(world.bob)  # a GP in Southborough, in neither side of the match
    for response in _answers(bob, match, proposal):
        page = response.content.decode()
        assert response.status_code == 403
        assert 'data-reason="not_own_involvement"' in page
        assert "Northshire" not in page and "shielded" not in page.lower()
    refusals = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.bob)
    assert [e.additional["reason"] for e in refusals] == ["not_own_involvement"] * 2  # still audited


def test_an_outsider_is_not_told_which_la_holds_an_ordinary_childs_match_either(world, child):
    match, proposal = _offered_match(world, child)
    for response in _answers(signed_in(world.bob), match, proposal):
        assert response.status_code == 403
        assert "Northshire" not in response.content.decode()
