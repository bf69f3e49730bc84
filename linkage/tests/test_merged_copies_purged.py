"""Copies sealed under keys of their own that name a record later merged away die with the purge of the
survivor that carries that identity on: review labels, review copies and disclosure export notes."""

from accounts.models import Role
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport
from disclosure.selectors import export_notes
from disclosure.services import export_decide, export_request
from feeds.review import review_decide
from lifecycle.services import child_purge
from linkage.labels import labelled_pairs
from linkage.merging import child_merge
from linkage.tests.test_review_pages import _possible_match
from tests.personas import make_child, make_user


def _purge(child: Child) -> None:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    assert child_purge(child_id=child.pk)


def test_a_review_label_naming_a_record_merged_into_the_purged_child_is_destroyed_with_it(world, child):
    review = _possible_match(world, child)
    review_decide(review=review, decision="link", by=world.lena, child_id=child.pk)
    assert [p.candidate.family_names for p in labelled_pairs()] == [("Thornton",)]
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    child_merge(survivor=survivor, duplicate=child, by=world.lena)
    assert len(list(labelled_pairs())) == 1  # the merge keeps them: the identity lives on in the survivor
    _purge(survivor)
    assert list(labelled_pairs()) == []


def test_an_export_naming_a_record_merged_into_the_purged_child_has_its_notes_destroyed(world, child):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-118 Amelia Thornton",
        children=[child],
        fields=["name"],
    )
    export_decide(export=export, by=leo, approve=True, reason="Order for Amelia Thornton checked")
    survivor = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS7 3AA")
    child_merge(survivor=survivor, duplicate=child, by=world.lena)
    assert list(DisclosureExport.objects.get(pk=export.pk).children.all()) == [survivor]
    _purge(survivor)
    export = DisclosureExport.objects.select_related("data_key").get(pk=export.pk)
    assert export_notes(export).reference is None
