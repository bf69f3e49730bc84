"""`manage.py coordination_index_carers` over an index holding a record whose keys were shredded by a
merge (or purge) that then failed: its rows stay, active, until the nightly run deletes them, and a shielded
one until a person says its shield was checked (`lifecycle.removal`). The command opened every active
record with a current involvement to rebuild its carer keys, so that one record stopped the whole run
with a traceback, every record after it left with its old keys and no missed match made. It now passes
over a removed record (nothing of it can be read, and it will be deleted with its keys) and says how many.
"""

from io import StringIO

from django.core.management import call_command

from coordination.models import CarerKey, Match
from coordination.tests.support import record
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def test_the_command_passes_over_a_removed_record_and_rebuilds_the_rest(world, child):
    removed = make_child(world, given_names="Harriet", family_name="Quill", postcode="LS9 9ZZ")
    sibling = make_child(world, given_names="Oliver")  # Amelia's brother: the same mother, Grace Thornton
    record(removed, world.alice)
    record(child, world.alice)
    record(sibling, world.bob)
    Match.objects.all().delete()  # as if made before the keys: the command must make the family match
    CarerKey.objects.filter(child__in=[child, sibling]).delete()
    shred_rolled_back(removed)

    out = StringIO()
    call_command("coordination_index_carers", stdout=out)

    assert CarerKey.objects.filter(child=child).exists() and CarerKey.objects.filter(child=sibling).exists()
    assert (
        Match.objects.filter(first__child__in=[child, sibling], second__child__in=[child, sibling]).count()
        == 1
    )
    assert "1 removed record passed over" in out.getvalue()
    assert "Harriet" not in out.getvalue() and "Quill" not in out.getvalue()
