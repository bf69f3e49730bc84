"""The alert queue, a page at a time: break-glass and suspension alerts waiting first, then the newest; 100
on a page under the shared pager; the read audited with the ids of the alerts on the page shown only.

Review (oversight, helper 1): 5,000 waiting alerts rendered on one page (4.5 s, 7.4 MB) and the queue's
audit event listed every id.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from oversight.services import ALERTS_PER_PAGE
from tests.journeys import signed_in


def _many(world, n, kind=AlertKind.OWN_SURNAME_SEARCH, **extra):
    return Alert.objects.bulk_create(
        [Alert(local_authority=world.north, kind=kind, raised_by=world.alice, **extra) for _ in range(n)]
    )


def _rows(page: str, kind: str) -> int:
    return page.count(f'data-kind="{kind}"')


def _page(world, number=None) -> str:
    url = reverse("oversight:alerts") + (f"?page={number}" if number else "")
    response = signed_in(world.lena).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_shows_a_hundred_alerts_and_the_pager(world):
    assert ALERTS_PER_PAGE == 100
    _many(world, 250)
    page = _page(world)
    assert _rows(page, "own_surname_search") == 100
    assert "Page 1 of 3" in page
    assert 'href="?page=2"' in page
    assert _rows(_page(world, 3), "own_surname_search") == 50


def test_break_glass_and_suspension_alerts_waiting_come_first_however_old(world):
    old = timezone.now() - timedelta(days=30)
    _many(world, 150)
    override = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.SHIELD_OVERRIDE, raised_by=world.olivia
    )
    suspended = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.ACCOUNT_AUTO_SUSPENDED, raised_by=world.alice
    )
    Alert.objects.filter(pk__in=[override.pk, suspended.pk]).update(raised_at=old)
    page = _page(world)
    first_rows = page.split('data-kind="own_surname_search"')[0]
    assert 'data-kind="shield_override"' in first_rows
    assert 'data-kind="account_auto_suspended"' in first_rows
    assert _rows(page, "own_surname_search") == 98


def test_waiting_alerts_come_before_acknowledged_ones_newest_first(world):
    newest_acknowledged = Alert.objects.create(
        local_authority=world.north,
        kind=AlertKind.BULK_VIEWING,
        raised_by=world.alice,
        acknowledged_by=world.lena,
        acknowledged_at=timezone.now(),
    )
    waiting = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.OUT_OF_HOURS, raised_by=world.alice
    )
    Alert.objects.filter(pk=waiting.pk).update(raised_at=timezone.now() - timedelta(days=3))
    page = _page(world)
    assert page.index('data-kind="out_of_hours"') < page.index('data-kind="bulk_viewing"')
    assert newest_acknowledged.pk


def test_the_read_is_audited_with_the_ids_on_the_page_only(world):
    _many(world, 130)
    _page(world, 2)
    event = AuditEvent.objects.filter(tag=AuditTag.AlertsViewed).latest("pk")
    shown = event.additional["alert_ids"]
    assert len(shown) == 30
    oldest = sorted(Alert.objects.values_list("pk", flat=True))[:30]
    assert sorted(shown) == oldest
    assert event.additional["page"] == 2


def test_five_thousand_waiting_alerts_answer_one_page(world):
    _many(world, 5000)
    page = _page(world)
    assert _rows(page, "own_surname_search") == 100
    assert "Page 1 of 50" in page
    event = AuditEvent.objects.filter(tag=AuditTag.AlertsViewed).latest("pk")
    assert len(event.additional["alert_ids"]) == 100
