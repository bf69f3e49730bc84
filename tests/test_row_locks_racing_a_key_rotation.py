"""A writer waiting for a row that a data-key rotation holds finds the row once the rotation commits.

`rotate_keys --rotate-deks` holds a child's (or a review's) row and points it at a new data key. The
writers locked such rows in a query joined to their data key (`select_related`); once the rotation
committed, PostgreSQL re-checked the waiting lock's row against the key row it had joined before the wait,
found the join broken and returned no row (review, session 38): break-glass was a server error, a shield
was refused as "merged into another since", undoing a merge said its survivor had been merged away, and a
review naming a newly shielded child was left unheld in the old queue. Rows are now locked alone and their
keys read by a second statement (`prefetch_related`).

PostgreSQL, real writers: the rotation holds the row until the writer is waiting for it.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction

from accounts.models import Role
from children.models import Child
from children.override import shield_override
from lifecycle.shielding import shield_set
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge, ClericalReview
from linkage.tests.test_merge import _pair
from linkage.tests.test_ordinary_review_follows_its_candidates import _too_close
from tests.concurrency import postgresql_race
from tests.personas import build_world, make_child, make_user
from vault.models import DataKey
from vault.providers import key_provider
from vault.rotation import rotation_batch

pytestmark = postgresql_race()


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _while_rotating(key_id: Any, act: Callable[[], Any]) -> list[Any]:
    """`act()` run while a rotation batch holds the row whose data key is `key_id` (and that key only)."""
    others = frozenset(DataKey.objects.exclude(pk=key_id).values_list("pk", flat=True))
    target = key_provider().current_kek_version()
    rotating = threading.Event()
    failures: list[BaseException] = []
    results: list[Any] = []

    def rotate() -> None:
        try:
            with transaction.atomic():
                assert (
                    rotation_batch(target=target + 1, size=10, rotate_deks=True, exclude=others).replaced == 1
                )
                rotating.set()
                for _ in range(200):  # until the writer waits for the row, then a little longer
                    if _someone_waits_on_a_lock():
                        break
                    time.sleep(0.05)
                time.sleep(0.3)
        except BaseException as error:
            failures.append(error)
        finally:
            rotating.set()
            connections.close_all()

    def write() -> None:
        try:
            assert rotating.wait(timeout=20)
            results.append(act())
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    key_provider().add_kek()
    threads = [threading.Thread(target=rotate), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


def test_breaking_glass_while_the_childs_key_is_rotated_opens_the_record():
    world = build_world()
    jasmine = make_child(
        world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True
    )
    key = Child.objects.get(pk=jasmine.pk).data_key_id
    opened = _while_rotating(
        key,
        lambda: shield_override(
            child=jasmine,
            by=world.olivia,
            reason="Child reported missing tonight",
            shown=lambda record: (record.pk, record.data_key_id),
        ),
    )
    assert opened == [(jasmine.pk, Child.objects.get(pk=jasmine.pk).data_key_id)]
    assert Child.objects.get(pk=jasmine.pk).data_key_id != key


def test_shielding_while_the_childs_key_is_rotated_shields_it():
    world = build_world()
    amelia = make_child(world)
    team = make_user("nell", world.north, Role.LA_TEAM)
    key = Child.objects.get(pk=amelia.pk).data_key_id
    shielded = _while_rotating(
        key,
        lambda: shield_set(
            child=Child.objects.get(pk=amelia.pk), by=team, shielded=True, reason="Risk of harm"
        ),
    )
    assert shielded == [True]
    stored = Child.objects.get(pk=amelia.pk)
    assert stored.shielded and stored.data_key_id != key


def test_undoing_a_merge_while_the_survivors_key_is_rotated_undoes_it():
    world = build_world()
    survivor, duplicate = _pair(world)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    merge = ChildMerge.objects.select_related("survivor").get(pk=merge.pk)
    key = Child.objects.get(pk=survivor.pk).data_key_id
    [restored] = _while_rotating(key, lambda: child_unmerge(merge=merge, by=world.lena))
    assert ChildMerge.objects.get(pk=merge.pk).unmerged_at is not None
    assert Child.objects.filter(pk=restored.pk).exists()


def test_a_review_rotated_as_its_child_is_shielded_is_held_for_the_childs_team():
    world = build_world()
    child = make_child(world)
    team = make_user("nell", world.north, Role.LA_TEAM)
    review, _twin = _too_close(world, child)
    key = ClericalReview.objects.get(pk=review.pk).data_key_id
    _while_rotating(
        key,
        lambda: shield_set(
            child=Child.objects.get(pk=child.pk), by=team, shielded=True, reason="Risk of harm"
        ),
    )
    stored = ClericalReview.objects.get(pk=review.pk)
    assert stored.data_key_id != key
    assert stored.shielded_hold, "a review naming the newly shielded child was left unheld in the queue"
