"""The unexplained-views misuse rule counts a record view that no earlier search by the same person
explains. A search made before the child was shielded, or before a shielded child's name changed, no
longer explains a view made after that (`oversight.misuse`): whoever kept the id from it and opens the
record now (the restricted record names the child's new name) is counted, as anyone opening it by id is.
A view before the shield stays explained by the search before it, and a search since explains as before.
"""

from dataclasses import replace

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.models import Child
from children.records import FormerName
from children.selectors import child_details
from children.services import child_details_update
from children.viewing import PurposeGrant, record_view_audit
from lifecycle.shielding import shield_set
from oversight.misuse import unexplained
from tests.personas import World
from vault.sealing import Sealer

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)


def _searched(world: World, child: Child) -> None:
    event_record(tag=AuditTag.SearchPerformed, actor=world.alice, additional={"result_ids": [str(child.pk)]})


def _viewed(world: World, child: Child) -> AuditEvent:
    record_view_audit(child=Child.objects.get(pk=child.pk), by=world.alice, grant=GRANT, restricted=True)
    return AuditEvent.objects.filter(tag=AuditTag.RecordViewed).latest("pk")


def _shielded(world: World, child: Child) -> None:
    assert shield_set(
        child=Child.objects.get(pk=child.pk), by=world.lena, shielded=True, reason="Risk of harm"
    )


def _unexplained() -> set[int]:
    return set(unexplained(AuditEvent.objects.all()).values_list("pk", flat=True))


def test_a_view_after_the_shield_is_not_explained_by_a_search_before_it(world, child):
    _searched(world, child)
    before = _viewed(world, child)
    _shielded(world, child)
    after = _viewed(world, child)
    assert _unexplained() == {after.pk} and before.pk not in _unexplained()  # before the shield: explained


def test_a_view_after_a_shielded_childs_rename_is_not_explained_by_a_search_before_it(world, child):
    _shielded(world, child)
    _searched(world, child)
    before = _viewed(world, child)
    stored = Child.objects.get(pk=child.pk)
    details = child_details(stored, Sealer(stored.data_key))
    renamed = replace(
        details,
        family_name="Whitlock",
        former_names=[FormerName(given_names="Amelia", family_name="Thornton")],
    )
    child_details_update(
        child=stored, details=renamed, columns=["family_name", "former_names"], by=world.lena
    )
    after = _viewed(world, child)
    assert before.pk not in _unexplained() and after.pk in _unexplained()


def test_a_search_since_the_shield_explains_the_view(world, child):
    _shielded(world, child)
    _searched(world, child)
    _viewed(world, child)
    assert _unexplained() == set()
