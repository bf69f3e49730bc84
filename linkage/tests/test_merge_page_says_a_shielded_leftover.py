"""The merge page of a shielded record a failed merge left shredded tells the LA team to shield the other.

Running the merge again says so (`linkage.merging.REMOVED_SHIELDED`), but the team reaches the merge from
the comparison page, which answered a removed record with the general "This record has been removed ...
the record is being deleted" page: a shielded one is never deleted overnight (`lifecycle.removal`), and
nothing told the team that the other record, if it is the same child, needs the shield before an operator
deletes this one. The page says it now, to the team (the policy has judged both records first: a shielded
record's page is its LA team's alone).
"""

from django.urls import reverse

from linkage.tests.test_merge_failing_after_its_shred import merge_failed_after_its_shred
from tests.journeys import signed_in
from tests.personas import make_child

SHIELD_IT = "if the other record is the same child, shield it now"


def _left_shredded(world, monkeypatch, *, shielded: bool):
    survivor = make_child(world)
    duplicate = make_child(
        world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA", shielded=shielded
    )
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=duplicate, by=world.lena)
    return reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])


def test_the_comparison_of_a_shielded_leftover_asks_the_team_to_shield_the_other_record(world, monkeypatch):
    url = _left_shredded(world, monkeypatch, shielded=True)

    response = signed_in(world.lena).get(url)

    assert response.status_code == 410
    page = response.content.decode()
    assert "This record has been removed" in page and SHIELD_IT in page
    assert "Thorntone" not in page and "Amelia-Rose" not in page
    assert "being deleted" not in page  # it is not, until someone has checked its shield


def test_the_comparison_of_an_unshielded_leftover_says_nothing_of_a_shield(world, monkeypatch):
    url = _left_shredded(world, monkeypatch, shielded=False)

    page = signed_in(world.lena).get(url).content.decode()

    assert "This record has been removed" in page and SHIELD_IT not in page
