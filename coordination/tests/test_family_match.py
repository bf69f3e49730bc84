"""Family match: involvements with children who share a parent or carer (name + phone or email)."""

from datetime import date

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.family import carer_digests
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record


def _sibling(world, *, carer: CarerDetails, given_names="Oliver", postcode="LS1 4AB"):
    details = ChildDetails(
        given_names=given_names,
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=date(2012, 6, 1),
        address=Address(lines=["12 Quarry Lane", "Leeds"], postcode=postcode),
    )
    return child_create(local_authority=world.north, details=details, carers=[carer])


def test_involvements_with_children_who_share_a_parent_are_a_family_match(world, child):
    # Same mother, written a little differently: "grace  thornton", +44 for the phone number.
    sibling = _sibling(
        world, carer=CarerDetails(name="grace  THORNTON", relationship="mother", phone="+44 7700 900123")
    )
    record(child, world.alice, role="Allocated social worker")
    record(sibling, world.bob, role="GP")
    [match] = Match.objects.all()
    assert match.kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, world.bob}
    alice_sees = inbox_page(world.alice)
    assert "Family match" in alice_sees and "Bob Example" in alice_sees
    assert "another child in this family" in alice_sees
    assert "Oliver" not in alice_sees  # the sibling is never named
    bob_sees = inbox_page(world.bob)
    assert "Alice Example" in bob_sees and "Oliver Thornton" in bob_sees and "Amelia" not in bob_sees
    tagged = AuditEvent.objects.filter(tag=AuditTag.MatchNotified)
    assert {e.additional["kind"] for e in tagged} == {"family"}


def test_a_shared_address_alone_is_not_a_family(world, child):
    neighbour = _sibling(
        world, carer=CarerDetails(name="Priya Shah", relationship="mother", phone="07700 900999")
    )
    record(child, world.alice)
    record(neighbour, world.bob)
    assert not Match.objects.exists()


def test_the_same_name_with_a_different_contact_is_not_a_family(world, child):
    namesake = _sibling(
        world, carer=CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900555")
    )
    record(child, world.alice)
    record(namesake, world.bob)
    assert not Match.objects.exists()


def test_carer_keys_are_blind_and_need_a_name_and_a_contact():
    keys = carer_digests(name="Grace Thornton", phone="07700 900123", email="Grace@Example.org ")
    assert len(keys) == 2 and all(isinstance(k, int) for k in keys)
    assert carer_digests(name="Grace Thornton", phone=None, email=None) == set()
    assert carer_digests(name="", phone="07700 900123", email=None) == set()
    assert keys == carer_digests(name="grace thornton", phone="+447700900123", email="grace@example.org")


def test_the_rebuild_command_indexes_children_recorded_before_coordination(world, child):
    from io import StringIO

    from django.core.management import call_command

    from coordination.models import CarerKey

    record(child, world.alice)
    CarerKey.objects.all().delete()  # as if recorded before carer keys existed
    out = StringIO()
    call_command("coordination_index_carers", stdout=out)
    assert out.getvalue().strip() == "carer keys rebuilt for 1 children; 0 matches withdrawn; 0 matches made"
    assert CarerKey.objects.filter(child=child).count() == 1  # name + phone (no email recorded)
    sibling = _sibling(
        world, carer=CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")
    )
    record(sibling, world.bob)
    assert Match.objects.get().kind == MatchKind.FAMILY


def test_a_childs_subject_access_report_does_not_name_the_siblings_practitioner(world, child):
    from reports.subject_access import subject_access_report

    sibling = _sibling(
        world, carer=CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")
    )
    record(child, world.alice)
    record(sibling, world.bob)
    assert Match.objects.get().kind == MatchKind.FAMILY
    report = subject_access_report(child=child, produced_by=world.lena, reference="SAR-1")
    told = [a for a in report.accesses if "Told a practitioner" in a.description]
    assert len(told) == 1
    assert all("South Street" not in a.organisation for a in report.accesses)
