"""Family matches key on a carer's name with their phone or email: a carer detail the LA team corrects
is rekeyed in the correction's transaction, so the child no longer links to the family the wrong detail
tied it to (and does link to the one the corrected detail names)."""

from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import record
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
