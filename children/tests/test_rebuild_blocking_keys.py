from datetime import date
from io import StringIO

from django.core.management import call_command

from children.models import BlockingKeyEntry
from children.search import SearchCriteria, child_search


def test_rebuilding_keys_keeps_every_child_findable_and_old_keys_gone(world, child):
    BlockingKeyEntry.objects.create(child=child, digest=12345, hidden=False)
    call_command("rebuild_blocking_keys", stdout=StringIO())
    assert not BlockingKeyEntry.objects.filter(digest=12345).exists()
    outcome = child_search(
        criteria=SearchCriteria("Thorntn", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]
