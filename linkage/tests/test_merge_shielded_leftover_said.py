"""A shielded duplicate that a failed merge left shredded is never deleted overnight (`lifecycle.removal`:
its shield would go with it, and a feed row about the child then wrote the address the shield hid onto
the unshielded survivor). Running the merge again said it "will be deleted overnight" and nothing of
the shield; it now tells the LA team to shield the other record if it is the same child
(`linkage.merging.REMOVED_SHIELDED`), before an operator deletes the leftover
(`repair_shredded --apply --shielded-checked`).
"""

import pytest

from linkage.merging import MergeRefused, child_merge
from linkage.tests.test_merge_failing_after_its_shred import merge_failed_after_its_shred
from tests.personas import make_child


def test_running_the_merge_again_on_a_shielded_leftover_names_the_shield_not_an_overnight_deletion(
    world, monkeypatch
):
    survivor = make_child(world)
    duplicate = make_child(
        world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA", shielded=True
    )
    merge_failed_after_its_shred(monkeypatch, survivor=survivor, duplicate=duplicate, by=world.lena)
    with pytest.raises(MergeRefused) as refused:
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    said = str(refused.value)
    assert "has been removed" in said
    assert "will be deleted overnight" not in said
    assert "shield" in said
