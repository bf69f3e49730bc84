"""No family match is made with a removed record (its key shredded by a merge or purge that then failed).

Its rows, carer keys included, stay until the nightly run deletes them (a shielded one until a person has
checked it). Recording a sibling's involvement found it by a shared carer and matched the two: nothing of
it can be read (the inbox and the brokering page leave the match out), so the practitioner was told of a
match with nothing to show, and the LA's match figures counted it.
"""

from coordination.models import Match
from coordination.tests.support import record
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def test_recording_a_siblings_involvement_makes_no_match_with_a_removed_record(world, child):
    sibling = make_child(world, given_names="Oliver")  # Amelia's brother: the same mother, Grace Thornton
    record(sibling, world.bob)
    shred_rolled_back(sibling)

    record(child, world.alice)

    assert not Match.objects.filter(first__child=sibling).exists()
    assert not Match.objects.filter(second__child=sibling).exists()


def test_a_live_siblings_family_match_is_still_made(world, child):
    sibling = make_child(world, given_names="Oliver")
    record(sibling, world.bob)

    record(child, world.alice)

    assert (
        Match.objects.filter(first__child__in=[child, sibling], second__child__in=[child, sibling]).count()
        == 1
    )
