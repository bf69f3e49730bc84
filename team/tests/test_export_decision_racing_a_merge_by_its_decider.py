"""An export decision never deadlocks with a merge its own decider is making (PostgreSQL, two sessions).

Session 27 made the decision page lock the export's row and then the decider's account (to judge them
again). A merge locks its decider's account first (`actor_able_locked`) and names the survivor on every
export naming the duplicate: the new row's foreign key takes FOR KEY SHARE on the export at commit. With
the export locked FOR UPDATE by a decision waiting for that same account (Leo deciding in one tab while
his merge commits in another), each waited for the other: PostgreSQL's deadlock detector killed one, a
500. The decision holds the export FOR NO KEY UPDATE (as the download does) until it writes: a row
naming the export goes in meanwhile, and decisions are still served one at a time.
"""

import threading
import time
from typing import Any

from django.db import connection
from django.urls import reverse

import linkage.merging
from accounts.models import Role, User
from children.models import Child
from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from linkage.merging import child_merge
from tests.concurrency import postgresql_race
from tests.journeys import signed_in
from tests.personas import build_world, make_child, make_user

pytestmark = postgresql_race(
    "SQLite serialises every writer on one database lock, so requests cannot race there"
)


def test_a_decision_sent_while_its_decider_merges_a_child_it_names_waits_and_both_go_through(monkeypatch):
    world = build_world()
    leo = make_user("leo", world.north, Role.LA_TEAM)
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia Jane")
    asked = signed_in(world.lena).post(
        reverse("team:export_new"),
        {
            "lawful_basis": LawfulBasis.COURT_ORDER,
            "reference": "CO-2026-405",
            "index_numbers": duplicate.index_number,
            "details": ["name"],
        },
    )
    assert asked.status_code == 302, asked.content.decode()[:500]
    export = DisclosureExport.objects.get()
    deciding = signed_in(leo)

    merged_so_far, go_on = threading.Event(), threading.Event()
    real = linkage.merging.carer_keys_refresh

    def then_pause(*args: Any, **kwargs: Any) -> Any:  # the survivor named on the export, not committed
        result = real(*args, **kwargs)
        merged_so_far.set()
        go_on.wait(timeout=10)
        return result

    monkeypatch.setattr(linkage.merging, "carer_keys_refresh", then_pause)
    outcome: dict[str, Any] = {}

    def merge() -> None:
        try:
            child_merge(
                survivor=Child.objects.get(pk=survivor.pk),
                duplicate=Child.objects.get(pk=duplicate.pk),
                by=User.objects.get(pk=leo.pk),
                reason="The same child",
            )
            outcome["merge"] = "merged"
        except Exception as failed:  # the deadlock victim, told below
            outcome["merge"] = repr(failed)
        finally:
            connection.close()

    def decide() -> None:
        try:
            response = deciding.post(
                reverse("team:export_decision", args=[export.pk]),
                {"decision": "approve", "reason": "Court order checked"},
            )
            outcome["decision"] = response.status_code
        except Exception as failed:
            outcome["decision"] = repr(failed)
        finally:
            connection.close()

    merging = threading.Thread(target=merge)
    merging.start()
    assert merged_so_far.wait(timeout=10)
    deciding_thread = threading.Thread(target=decide)
    deciding_thread.start()
    time.sleep(0.5)  # the decision has locked the export and waits for Leo's account
    go_on.set()
    merging.join(timeout=30)
    deciding_thread.join(timeout=30)

    assert outcome == {"merge": "merged", "decision": 302}, outcome
    stored = DisclosureExport.objects.get(pk=export.pk)
    assert stored.status == ExportStatus.APPROVED and stored.decided_by_id == leo.pk
    assert set(stored.children.values_list("pk", flat=True)) >= {survivor.pk}
