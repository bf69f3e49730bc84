"""A given name is a familiar form of another only through its names, never through a one-letter part
(the D of D'Angelo and D'Arcy), so a family name, such a part and a gender list no one."""

from children.search import SearchCriteria, child_search
from tests.personas import make_child


def test_a_given_name_sharing_only_its_d_apostrophe_is_not_offered_as_a_familiar_form(world):
    darcy = make_child(world, given_names="D'Arcy", family_name="Okafor", gender="male")
    for typed in ("D'Angelo", "D'"):
        outcome = child_search(
            criteria=SearchCriteria("Okafor", given_name=typed, gender="male"), fetched_by=world.alice
        )
        assert [r.child.pk for r in outcome.results] == [], typed
    found = child_search(
        criteria=SearchCriteria("Okafor", given_name="D'Arcy", gender="male"), fetched_by=world.alice
    )
    assert [r.child.pk for r in found.results] == [darcy.pk]
