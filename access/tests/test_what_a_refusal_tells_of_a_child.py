"""What the policy lets a refusal say of a child (review, session 37): `child_known` (may this person be told
anything of the child from its id) and `child_refusal_told` (the reason shown, the LA named, or no such
record). The pages are tested in children/tests/test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it.py;
this is every branch of the rule itself."""

from datetime import date

from access.permissions import Permission
from access.policy import Decision, child_known, child_refusal_told
from children.models import Child, RecordStatus
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record

SHIELDED = Decision(False, "shielded")


def _closed(child: Child) -> Child:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    return Child.objects.get(pk=child.pk)


def test_the_la_team_a_searcher_and_an_involved_practitioner_know_the_child_and_no_one_else(world, child):
    assert child_known(actor=world.lena, child=child)  # its own LA team
    assert not child_known(actor=world.bob, child=child)
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.bob)
    assert child_known(actor=world.bob, child=child)
    assert not child_known(actor=world.alice, child=child)
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.alice.organisation_id,
        ),
    )
    assert child_known(actor=world.alice, child=child)


def test_a_role_that_cannot_search_knows_no_child_by_its_id(world, child):
    assert not child_known(actor=world.dara, child=child)  # a data manager of the child's own LA


def test_a_closed_record_is_known_to_the_la_team_holding_it_alone(world, child):
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.bob)
    closed = _closed(child)
    assert child_known(actor=world.lena, child=closed)
    assert not child_known(actor=world.bob, child=closed)  # found before it was closed: told nothing now


def test_a_refusal_for_who_the_person_is_is_told_as_it_is(world, child):
    suspended = Decision(False, "suspended")
    told = child_refusal_told(actor=world.sam, action=Permission.CafSet, child=child, refused=suspended)
    assert told is not None and told.decision == suspended and told.named is None
    by_role = Decision(False, "role_not_permitted")
    told = child_refusal_told(actor=world.dara, action=Permission.CafSet, child=child, refused=by_role)
    assert told is not None and told.decision == by_role and told.named is None


def test_a_role_that_cannot_search_is_told_the_reason_and_no_la(world, child):
    reason = Decision(False, "archive_statutory_reason_required")
    told = child_refusal_told(actor=world.dara, action=Permission.ArchiveView, child=child, refused=reason)
    assert told is not None and told.decision == reason and told.named is None


def test_whoever_knows_the_child_is_told_the_reason_and_its_la_while_it_is_active(world, child):
    told = child_refusal_told(actor=world.lena, action=Permission.CafSet, child=child, refused=SHIELDED)
    assert told is not None and told.decision == SHIELDED and told.named == child
    closed = _closed(child)
    said = Decision(False, "closed")
    told = child_refusal_told(actor=world.lena, action=Permission.CafSet, child=closed, refused=said)
    assert told is not None and told.decision == said and told.named is None


def test_anyone_else_is_told_the_same_for_every_child_and_nothing_of_a_record_no_longer_active(world, child):
    told = child_refusal_told(actor=world.bob, action=Permission.CafSet, child=child, refused=SHIELDED)
    assert told is not None and told.decision.reason == "not_found_by_search" and told.named is None
    said = Decision(False, "closed")
    assert (
        child_refusal_told(actor=world.bob, action=Permission.CafSet, child=_closed(child), refused=said)
        is None
    )
    assert child_refusal_told(actor=world.bob, action=Permission.CafSet, child=None, refused=SHIELDED) is None
