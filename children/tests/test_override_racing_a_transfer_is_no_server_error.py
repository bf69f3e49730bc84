"""Breaking glass on a shielded record as its transfer to another LA is accepted opens the record.

The override locked the child's row in a query joined to its LA (`select_related("local_authority")` with
`select_for_update(of=self)`). A transfer holding the row moves it to another LA; once it commits,
PostgreSQL re-checks the waiting lock's row against the join made before the wait, finds the LA it joined
no longer the record's, and returns no row: `Child.DoesNotExist`, a server error for an officer in an
emergency (found by session 38's oversight race test). The row is now locked alone, its LA read after.

PostgreSQL, real writers: the move holds the row until the override is waiting for it.
"""

import threading
import time

from django.db import connections, transaction

from children.models import Child
from children.override import shield_override
from tests.concurrency import postgresql_race

pytestmark = postgresql_race()


def test_breaking_glass_as_the_record_moves_to_another_la_opens_it_there(world, shielded_child):
    moving = threading.Event()
    failures: list[BaseException] = []

    def move() -> None:
        try:
            with transaction.atomic():
                Child.objects.select_for_update().filter(pk=shielded_child.pk).update(
                    local_authority=world.south
                )
                moving.set()
                time.sleep(1.0)  # the override is waiting for the row by now
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    mover = threading.Thread(target=move)
    mover.start()
    assert moving.wait(10)
    opened = shield_override(
        child=shielded_child,
        by=world.olivia,
        reason="Child reported missing tonight",
        shown=lambda record: record.local_authority_id,
    )
    mover.join(30)
    assert not failures
    assert opened == world.south.pk
