"""The key maintenance commands and a record whose keys were shredded by a purge or merge that then failed.

The rows of such a record stay under a key that no longer opens until the next night's purge (or, for a
shielded leftover, until a person acts). `rebuild_blocking_keys` is run once after a change of key design
(docs: the shielded former names' keys), and `fill_involvement_keys` once after the duplicate rule came:
each opened every record's key and stopped with a traceback at the first removed one, so every record
after it kept its old keys (a shielded child's former name still finding it) or had none.
"""

from datetime import date
from io import StringIO

from django.core.management import call_command

from children.models import BlockingKeyEntry, Involvement
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record
from tests.personas import make_child
from tests.shredding import shred_rolled_back


def _details(world):
    return InvolvementDetails(
        "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
    )


def test_rebuilding_keys_passes_over_a_removed_record_and_rebuilds_every_other(world, child):
    removed = make_child(world, given_names="Maisie", family_name="Oakes")
    shred_rolled_back(removed)
    held = set(BlockingKeyEntry.objects.filter(child=removed).values_list("digest", "hidden"))
    BlockingKeyEntry.objects.create(child=child, digest=12345, hidden=False)  # a key of the old design

    out = StringIO()
    call_command("rebuild_blocking_keys", stdout=out)

    assert not BlockingKeyEntry.objects.filter(digest=12345).exists()
    # Left as they are: a shielded leftover's keys still hold a feed row about the child for a person.
    assert set(BlockingKeyEntry.objects.filter(child=removed).values_list("digest", "hidden")) == held
    assert "1 record removed" in out.getvalue()
    outcome = child_search(
        criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]


def test_filling_involvement_keys_passes_over_a_removed_record_and_fills_every_other(world, child):
    removed = make_child(world, given_names="Maisie", family_name="Oakes")
    on_removed = involvement_record(child=removed, by=world.alice, details=_details(world))
    kept = involvement_record(child=child, by=world.alice, details=_details(world))
    Involvement.objects.filter(pk__in=[on_removed.pk, kept.pk]).update(current_key=None)
    shred_rolled_back(removed)

    out = StringIO()
    call_command("fill_involvement_keys", stdout=out)

    assert "keys set on 1 involvements" in out.getvalue()
    assert "1 on records removed" in out.getvalue()
    kept.refresh_from_db()
    assert kept.current_key is not None
