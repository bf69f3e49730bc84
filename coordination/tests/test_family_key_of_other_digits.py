"""The family key (a carer's name with their phone or email) is the same key however the number or
address was typed: digits of other scripts (full-width, as a phone's Japanese or Chinese keyboard types
them; Arabic-Indic), a "+44 (0)" or "0044" prefix, a full-width "@". Typed so, the carer filed another
key and the children were never matched as a family: neither practitioner was told, and a shielded
child's LA team was never asked to broker."""

from datetime import date

import pytest

from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.family import carer_digests, normalised_email, normalised_phone
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from tests.personas import make_child


def _sibling(world, carer: CarerDetails, shielded: bool = False):
    details = ChildDetails(
        given_names="Oliver",
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=date(2012, 6, 1),
        address=Address(lines=["3 Mill Row", "Leeds"], postcode="LS9 9ZZ"),
    )
    return child_create(local_authority=world.north, details=details, carers=[carer], shielded=shielded)


@pytest.mark.parametrize(
    "typed",
    [
        "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",  # full-width
        "\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663",  # Arabic-Indic
        "07700\u00a0900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "+\uff14\uff14 7700 900123",
    ],
)
def test_a_carer_phone_typed_with_other_digits_or_prefixes_is_the_same_number(typed):
    assert normalised_phone(typed) == "07700900123"
    assert carer_digests(name="Grace Thornton", phone=typed, email=None) == carer_digests(
        name="Grace Thornton", phone="07700 900123", email=None
    )


def test_odd_phone_and_email_input_files_no_key_and_no_error():
    for odd in ["", "\x00", "\x00" * 50, "\u00b2\u00b3\u2460" * 5, "9" * 5000 + "\x00"]:
        normalised_phone(odd)  # never raises
    assert normalised_phone("\u00b9\u00b2\u00b3\u2460\u2461\u2462\u2463\u2464\u2465\u2466") is None
    assert normalised_email("\x00") is None


def test_a_carer_email_typed_full_width_is_the_same_address():
    assert normalised_email("\uff27\uff52\uff41\uff43\uff45\uff20example.org") == "grace@example.org"


def test_siblings_whose_mothers_phone_was_typed_in_full_width_digits_are_a_family_match(world, child):
    # Amelia's record: "Grace Thornton, 07700 900123" (make_child). Oliver's: the same mother, her number
    # typed on a phone's full-width keyboard.
    oliver = _sibling(
        world,
        CarerDetails(
            name="Grace Thornton",
            relationship="mother",
            phone="\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",
        ),
    )
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, world.bob}
    assert "Bob Example" in inbox_page(world.alice)


def test_a_correction_to_the_same_number_in_full_width_digits_does_not_withdraw_the_family_match(
    world, child
):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY
    field = field_for("carer-0-phone")
    assert field is not None
    correction = correction_raise(
        child=oliver,
        field=field,
        value="+\uff14\uff14 (\uff10)\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13",
        reason="spacing",
        by=world.alice,
    )
    correction_accept(correction=correction, by=world.lena)
    assert Match.objects.count() == 1 and Notice.objects.count() == 2
