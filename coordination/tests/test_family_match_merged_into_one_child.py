"""Two records of one child (a duplicate), each with a practitioner, sharing a mother: their involvements
were a family match ("another child in this family"). Merging the duplicate made them one child's, but
the match stayed a family match: each practitioner was told, wrongly, that the other works with another
child of the family, and neither could offer to be lead professional (a family match offers none). A
match whose two involvements are now with the same child reads and acts as a client match."""

from django.urls import reverse

from children.records import CarerDetails
from children.selectors import child_details
from coordination.models import LeadProposal, Match, MatchKind
from coordination.tests.support import inbox_page, record, school_teacher
from coordination.tests.test_family_match import _sibling
from linkage.merging import child_merge
from linkage.tests.test_merge_carries_history import _fresh
from tests.journeys import signed_in

MOTHER = CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")


def test_a_family_match_made_one_childs_by_a_merge_is_told_and_acted_on_as_a_client_match(world):
    survivor = _sibling(world, carer=MOTHER, given_names="Oliver")
    duplicate = _sibling(world, carer=MOTHER, given_names="Olly")
    carol = school_teacher(world)
    record(survivor, world.alice, role="Allocated social worker")
    carols = record(duplicate, carol, role="Class teacher")
    match = Match.objects.get()
    assert match.kind == MatchKind.FAMILY
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)

    carol_sees = inbox_page(carol)
    assert "another child in this family" not in carol_sees
    assert "Another practitioner is also working with this child" in carol_sees
    assert "Offer to be lead professional" in carol_sees
    assert signed_in(carol).post(reverse("coordination:propose_lead", args=[match.pk])).status_code == 302
    proposal = LeadProposal.objects.get()
    assert (
        signed_in(world.alice).post(reverse("coordination:accept_lead", args=[proposal.pk])).status_code
        == 302
    )
    assert child_details(_fresh(survivor)).lead_professional_id == str(carols.pk)
