"""A sibling's involvement recorded while `rotate_keys --rotate-deks` gives the sibling a fresh key.

The family match check locks the family's child rows; a rotation batch holding the sibling's row (it
re-seals the sibling's rows and points the record at its new key) makes the check wait. The check once
read each row's key in the same locking statement: PostgreSQL re-checks a row it waited for against its
new version but joins it to the key row as first read, so the sibling, now pointing at another key,
dropped out of the family and the match with its practitioner was silently never made.
"""

import threading
import time

from django.db import connection, connections, transaction

from children.models import Child
from coordination.models import Match, MatchKind
from coordination.tests.support import record
from tests.concurrency import postgresql_race
from tests.personas import build_world, make_child
from vault.models import DataKey
from vault.providers import key_provider
from vault.rotation import rotation_batch

pytestmark = postgresql_race()


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_siblings_family_match_is_made_while_its_key_is_rotated():
    world = build_world()
    amelia = make_child(world)  # mother Grace Thornton, 07700 900123
    oliver = make_child(world, given_names="Oliver")  # the same mother
    record(oliver, world.bob, role="GP")
    oliver_key = Child.objects.get(pk=oliver.pk).data_key_id
    others = frozenset(DataKey.objects.exclude(pk=oliver_key).values_list("pk", flat=True))
    target = key_provider().current_kek_version()
    rotating = threading.Event()
    failures: list[BaseException] = []

    def rotating_oliver():
        try:
            with transaction.atomic():
                result = rotation_batch(target=target + 1, size=10, rotate_deks=True, exclude=others)
                assert result.replaced == 1, result
                rotating.set()
                for _ in range(100):  # hold the sibling's row until the recording waits for it
                    if _waiting_on_a_lock():
                        break
                    time.sleep(0.05)
                time.sleep(0.2)
        except BaseException as error:
            failures.append(error)
        finally:
            rotating.set()
            connections.close_all()

    def recording_amelia():
        try:
            assert rotating.wait(timeout=20)
            record(Child.objects.get(pk=amelia.pk), world.alice, role="Allocated social worker")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    provider = key_provider()
    provider.add_kek()
    threads = [threading.Thread(target=rotating_oliver), threading.Thread(target=recording_amelia)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert Child.objects.get(pk=oliver.pk).data_key_id != oliver_key  # the rotation gave Oliver a new key
    [match] = Match.objects.all()
    assert match.kind == MatchKind.FAMILY
