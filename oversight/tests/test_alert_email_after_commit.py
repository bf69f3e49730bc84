"""The LA team's alert email goes out once the alert is stored, never from inside the request's
transaction. Before, it was sent in the middle of it: a request that then failed (here the automatic
suspension after a bulk-viewing alert, the key provider unavailable) rolled the alert back, and the team
had already been emailed about an alert its queue never held; and the mail server's round trip ran while
the person's screening lock was held."""

from unittest import mock

import pytest
from django.core import mail

from children.viewing import PurposeGrant, record_view_audit
from oversight.models import Alert, AlertKind
from tests.personas import make_child

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)
NAMES = ["Thornton", "Begum", "Okafor", "Nowak", "Patel", "Hughes", "Murray", "Quinn"]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.MISUSE_VIEWS_PER_HOUR = 3
    settings.MISUSE_SUSPEND_FACTOR = 2  # suspend above 6
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 100


def _team_emails() -> list[object]:
    return [m.subject for m in mail.outbox if m.subject.startswith("ContactPoint alert")]


def test_an_alert_rolled_back_with_its_request_is_never_emailed(
    world, settings, django_capture_on_commit_callbacks
):
    settings.MISUSE_SUSPEND_FACTOR = 1  # the view that alerts (above 3) suspends too
    children = [make_child(world, family_name=name) for name in NAMES[:4]]
    with django_capture_on_commit_callbacks(execute=True):
        for child in children[:3]:
            record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)
    # The 4th view raises the alert, then the suspension fails (the key provider cannot seal its reason).
    provider_down = mock.patch("accounts.services.note_seal", side_effect=RuntimeError("provider down"))
    with django_capture_on_commit_callbacks(execute=True), provider_down, pytest.raises(RuntimeError):
        record_view_audit(child=children[3], by=world.alice, grant=GRANT, restricted=False)

    assert not Alert.objects.exists()
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert _team_emails() == []


def test_a_stored_alert_is_emailed_to_the_team_once_the_request_commits(
    world, django_capture_on_commit_callbacks
):
    children = [make_child(world, family_name=name) for name in NAMES[:4]]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for child in children:
            record_view_audit(child=child, by=world.alice, grant=GRANT, restricted=False)
        assert Alert.objects.get().kind == AlertKind.BULK_VIEWING
        assert _team_emails() == []  # not while the transaction is open
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox if m.subject.startswith("ContactPoint alert")] == [[world.lena.email]]
