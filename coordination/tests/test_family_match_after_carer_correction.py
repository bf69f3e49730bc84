"""Family matches key on a carer's name with their phone or email: a carer detail the LA team corrects
is rekeyed in the correction's transaction, so the child no longer links to the family the wrong detail
tied it to (and does link to the one the corrected detail names)."""

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from tests.personas import make_child


def _correct_carer_phone(world, child, phone: str) -> None:
    field = field_for("carer-0-phone")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value=phone, reason="wrong number", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)


def test_a_corrected_carer_phone_no_longer_makes_a_family_match(world, child):
    # Both records name "Grace Thornton, 07700 900123" (make_child). On Oliver's, that phone was wrong:
    # his mother is another Grace Thornton, and the LA team corrects the number.
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(oliver, world.alice, role="Allocated social worker")  # Oliver's carer keys written now
    _correct_carer_phone(world, oliver, "07700 900999")
    # Now Amelia (the real Grace Thornton's child) gets a GP from another organisation.
    record(child, world.bob, role="GP")
    assert not Match.objects.exists(), "a family match through a carer contact the record no longer holds"
    assert not Notice.objects.exists()


def test_a_corrected_carer_phone_makes_the_family_match_it_now_names(world, child):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    _correct_carer_phone(world, child, "07700 900999")  # Amelia has no keys yet: none are written
    record(child, world.alice, role="Allocated social worker")
    _correct_carer_phone(world, oliver, "07700 900999")  # Oliver's mother is Amelia's after all
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY


def test_a_family_match_made_through_a_carer_phone_later_corrected_is_withdrawn(world, child):
    # Amelia and Oliver were matched as siblings through "Grace Thornton, 07700 900123"; Oliver's number
    # was wrong (his mother is another Grace Thornton). Once corrected, Alice and Bob are no longer told
    # of each other: each would otherwise keep the other's name, phone and email for an unrelated child.
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY and Notice.objects.count() == 2
    assert "Bob Example" in inbox_page(world.alice)

    _correct_carer_phone(world, oliver, "07700 900999")

    assert not Match.objects.exists() and not Notice.objects.exists()
    assert "Bob Example" not in inbox_page(world.alice)
    assert "Alice Example" not in inbox_page(world.bob)
    accepted = AuditEvent.objects.get(tag=AuditTag.CorrectionAccepted, child_id=oliver.pk)
    assert accepted.additional["matches_withdrawn"] == 1


def test_a_client_match_stays_when_the_childs_carer_phone_is_corrected(world, child):
    record(child, world.alice, role="Allocated social worker")
    record(child, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.CLIENT

    _correct_carer_phone(world, child, "07700 900999")

    assert Match.objects.count() == 1 and Notice.objects.count() == 2
    accepted = AuditEvent.objects.get(tag=AuditTag.CorrectionAccepted, child_id=child.pk)
    assert accepted.additional["matches_withdrawn"] == 0


def test_a_withdrawn_match_is_audited_under_both_children_not_only_the_corrected_one(world, child):
    # The correction's own event is filed under Oliver; Amelia's trail showed Alice told of Bob and then
    # nothing, as if the match still stood.
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    match_id = Match.objects.get().pk

    _correct_carer_phone(world, oliver, "07700 900999")

    withdrawn = AuditEvent.objects.filter(tag=AuditTag.MatchWithdrawn, additional__match_id=match_id)
    assert sorted(str(e.child_id) for e in withdrawn) == sorted([str(child.pk), str(oliver.pk)])
    assert all(e.actor_id is None and e.additional["sensitive_side"] is False for e in withdrawn)
