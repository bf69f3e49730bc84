"""`manage.py coordination_index_carers` rebuilds carer keys that no longer say what the records hold
(carers changed by a path that sent no signal, keys made under an older normalisation). It rebuilt the
keys and left the family matches the old keys had made: each practitioner kept the other's name, phone
and email for a child that is not a sibling, which a correction has withdrawn since session 25. The
command now withdraws them (audited under both children, as a correction's) and says how many."""

from io import StringIO

from django.core.management import call_command
from django.db import transaction

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Carer
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record
from tests.personas import make_child
from vault.sealing import Sealer


def _change_carer_phone_without_a_signal(child, phone: str) -> None:
    with transaction.atomic():
        carer = Carer.objects.get(child=child, position=0)
        Sealer(child.data_key).seal(carer, "phone", phone)
        carer.save(update_fields=["phone"])


def test_rebuilding_the_carer_keys_withdraws_the_family_matches_they_no_longer_bear_out(world, child):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    assert Match.objects.get().kind == MatchKind.FAMILY
    _change_carer_phone_without_a_signal(oliver, "07700 900999")  # his mother is another Grace Thornton

    out = StringIO()
    call_command("coordination_index_carers", stdout=out)

    assert not Match.objects.exists() and not Notice.objects.exists()
    assert "Bob Example" not in inbox_page(world.alice)
    assert "1 match withdrawn" in out.getvalue()
    withdrawn = AuditEvent.objects.filter(tag=AuditTag.MatchWithdrawn)
    assert {e.child_id for e in withdrawn} == {child.pk, oliver.pk}


def test_rebuilding_keeps_matches_the_records_still_bear_out(world, child):
    oliver = make_child(world, given_names="Oliver", family_name="Ward", postcode="LS9 9ZZ")
    record(child, world.alice, role="Allocated social worker")
    record(oliver, world.bob, role="GP")
    out = StringIO()
    call_command("coordination_index_carers", stdout=out)
    assert Match.objects.count() == 1 and Notice.objects.count() == 2
    assert "0 matches withdrawn" in out.getvalue()
