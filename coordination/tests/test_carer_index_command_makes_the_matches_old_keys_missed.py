"""`manage.py coordination_index_carers`, run once at deploy after the family key learnt other scripts'
digits, rebuilt the keys but made no match: two siblings whose practitioners had both recorded while the
mother's number, typed in full-width digits, filed another key, stayed unmatched until someone recorded a
new involvement with one of them. Neither practitioner was told of the other, and a shielded child's team
was never asked to broker. The command now makes the matches the rebuilt keys bear out, told (and
emailed) as a recording's are, and says how many."""

import re
from datetime import date
from io import StringIO

from django.core import mail
from django.core.management import call_command

from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.family import CARER_PURPOSE
from coordination.models import CarerKey, Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record
from matching.normalise import fold
from vault.blind_index import blind_index

FULL_WIDTH_PHONE = "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13"


def _oliver(world, *, shielded: bool = False):
    details = ChildDetails(
        given_names="Oliver",
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=date(2012, 6, 1),
        address=Address(lines=["3 Mill Row", "Leeds"], postcode="LS9 9ZZ"),
    )
    carer = CarerDetails(name="Grace Thornton", relationship="mother", phone=FULL_WIDTH_PHONE)
    return child_create(local_authority=world.north, details=details, carers=[carer], shielded=shielded)


def _as_keyed_before_other_digits_were_read(child) -> None:
    """The key the old normaliser filed: its "not a digit" pattern kept the full-width digits as typed."""
    old = re.sub(r"\D", "", FULL_WIDTH_PHONE)
    CarerKey.objects.filter(child=child).delete()
    CarerKey.objects.create(
        child=child, digest=blind_index(CARER_PURPOSE, f"{fold('Grace Thornton')}\x1fphone:{old}")
    )


def _recorded_under_the_old_keys(world, child, oliver) -> None:
    record(child, world.alice, role="Allocated social worker")
    _as_keyed_before_other_digits_were_read(oliver)
    record(oliver, world.bob, role="GP")
    _as_keyed_before_other_digits_were_read(oliver)  # recording rebuilt it: put the old one back
    Match.objects.all().delete()  # what the old key left: no match
    mail.outbox.clear()


def test_rebuilding_the_keys_makes_the_family_match_the_old_keys_missed(
    world, child, django_capture_on_commit_callbacks
):
    oliver = _oliver(world)
    _recorded_under_the_old_keys(world, child, oliver)

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("coordination_index_carers", stdout=out)

    assert Match.objects.get().kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, world.bob}
    assert "Bob Example" in inbox_page(world.alice) and "Alice Example" in inbox_page(world.bob)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert out.getvalue().strip().endswith("; 1 match made")


def test_a_missed_match_with_a_shielded_sibling_is_brokered_not_told(
    world, child, django_capture_on_commit_callbacks
):
    oliver = _oliver(world, shielded=True)
    _recorded_under_the_old_keys(world, child, oliver)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("coordination_index_carers", stdout=StringIO())

    assert Match.objects.count() == 1 and not Notice.objects.exists()
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]


def test_running_it_again_makes_nothing_new(world, child):
    oliver = _oliver(world)
    record(child, world.alice)
    record(oliver, world.bob)
    assert Match.objects.count() == 1
    out = StringIO()
    call_command("coordination_index_carers", stdout=out)
    assert Match.objects.count() == 1 and Notice.objects.count() == 2
    assert out.getvalue().strip().endswith("; 0 matches made")
