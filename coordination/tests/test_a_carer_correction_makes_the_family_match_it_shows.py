"""A carer correction rebuilt the child's carer keys and withdrew the family matches the wrong detail had
made, but never made the ones the corrected detail bears out: two children whose practitioners had both
recorded, shown by the correction to share a mother, stayed unmatched until someone recorded again (or an
operator ran `coordination_index_carers`). Once the correction commits, the recording's match check now
runs for the corrected child, told and emailed as a recording's are."""

from django.core import mail

from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import record
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from tests.personas import make_child


def _carer_phone_corrected(world, child, phone: str) -> None:
    field = field_for("carer-0-phone")
    assert field is not None
    correction = correction_raise(
        child=child, field=field, value=phone, reason="wrong number", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)


def test_a_correction_that_shows_two_children_share_a_mother_makes_their_family_match(
    world, child, django_capture_on_commit_callbacks
):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    _carer_phone_corrected(world, oliver, "07700 900999")  # typed wrongly at first
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert not Match.objects.exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _carer_phone_corrected(world, oliver, "07700 900123")  # the same Grace Thornton as Amelia's

    assert Match.objects.get().kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, world.bob}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.alice.email, world.bob.email])


def test_a_correction_that_shows_they_do_not_withdraws_and_makes_nothing(
    world, child, django_capture_on_commit_callbacks
):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        _carer_phone_corrected(world, oliver, "07700 900999")

    assert not Match.objects.exists() and not Notice.objects.exists()
