"""Two people driven through the real pages with the default thresholds and working hours: an insider
who browses 200 records in an hour, and a practitioner's ordinary day. Frozen clock throughout."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import UserSession
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.journeys import INVOLVEMENT_FORM, signed_in, state_purpose
from tests.personas import make_child

# Wednesday 2 December 2026, mid-morning (GMT, so London time equals UTC).
MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _production_working_hours(settings):
    settings.MISUSE_WORKING_HOURS_START = "07:00"
    settings.MISUSE_WORKING_HOURS_END = "19:00"
    settings.MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4)


def _postcode(n: int) -> str:
    return f"LS{n // 10 + 1} {n % 10}AB"


def test_a_simulated_insider_browsing_200_records_in_an_hour_is_alerted_then_suspended(world):
    with time_machine.travel(MORNING, tick=False) as clock:
        children = [make_child(world, postcode=_postcode(n)) for n in range(200)]
        client = signed_in(world.alice)
        shown = 0
        for n, child in enumerate(children):
            clock.move_to(MORNING + timedelta(seconds=15 * n))  # 200 in 50 minutes
            search = client.post(
                reverse("children:search"), {"family_name": "Thornton", "postcode": _postcode(n)}, follow=True
            )
            if not _showed_results(search):
                break
            client.post(reverse("children:purpose", args=[child.pk]), {"purpose": "providing_service"})
            if client.get(reverse("children:record", args=[child.pk])).status_code != 200:
                break
            shown += 1
        after = client.get(reverse("children:search"))
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is not None
    kinds = list(Alert.objects.filter(raised_by=world.alice).order_by("id").values_list("kind", flat=True))
    assert kinds[0] in {AlertKind.BULK_VIEWING, AlertKind.BULK_CHILDREN_FOUND}  # alerted first
    assert AlertKind.ACCOUNT_AUTO_SUSPENDED in kinds
    assert set(Alert.objects.values_list("local_authority", flat=True)) == {world.north.pk}
    assert 30 < shown <= 60  # alerted after 30 children, suspended before the 61st was shown
    assert AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.alice).count() <= 61
    assert not UserSession.objects.filter(user=world.alice).exists()  # the session has ended
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))


def test_a_simulated_practitioners_ordinary_day_raises_no_alert(world):
    families = [
        make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS1 4AB"),
        make_child(world, given_names="Leo", family_name="Thornton", postcode="LS1 4AB"),
        make_child(world, given_names="Maya", family_name="Begum", postcode="LS2 7QT"),
        make_child(world, given_names="Noah", family_name="Okafor", postcode="LS6 2AD"),
    ]
    make_child(world, given_names="Ivy", family_name="Nowak", postcode="LS9 8HX")  # never looked at
    with time_machine.travel(MORNING.replace(hour=9), tick=False) as clock:
        visits = [("Thornton", "LS1 4AB", families[:2]), ("Begum", "LS2 7QT", families[2:3])]
        visits += [("Okafor", "LS6 2AD", families[3:]), ("Thornton", "LS1 4AB", families[:1])]
        for hour, (family_name, postcode, children) in enumerate(visits):
            clock.move_to(MORNING.replace(hour=9 + 2 * hour))
            client = signed_in(world.alice)  # signs in again between visits: sessions time out
            search = client.post(
                reverse("children:search"), {"family_name": family_name, "postcode": postcode}, follow=True
            )
            assert _showed_results(search)
            for child in children:
                state_purpose(client, child)
                assert client.get(reverse("children:record", args=[child.pk])).status_code == 200
                if child == families[2]:  # starts working with Maya: records the involvement
                    recorded = client.post(
                        reverse("children:involvement_new", args=[child.pk]), INVOLVEMENT_FORM
                    )
                    assert recorded.status_code == 302
    assert AuditEvent.objects.filter(tag=AuditTag.RecordViewed, actor=world.alice).count() == 5
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded, actor=world.alice).exists()
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).exists()
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def _showed_results(response) -> bool:
    """The search ran and its results page was shown (post/redirect/get), not a refusal or sign-in."""
    chain = [url for url, _ in response.redirect_chain]
    return response.status_code == 200 and bool(chain) and chain[-1].startswith("/children/search/results/")
