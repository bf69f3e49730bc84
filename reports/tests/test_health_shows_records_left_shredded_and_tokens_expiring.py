"""The service health page shows what nobody saw until it hurt: records a shred left behind (a merge or
purge that failed after it), above all shielded ones, which hold feed rows for their LA team until they
are removed; and feed tokens about to expire (or expired and never replaced), before the feeds stop.

Counts, dates, sources and token ids only: never a child's name, index number or record id."""

import html
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from children.models import Child, RecordStatus
from feeds.models import FeedToken
from feeds.sources import feed_source_create, feed_token_issue, feed_token_revoke
from lifecycle.services import lifecycle_run
from reports.health import records_left_shredded, tokens_expiring
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user
from vault.models import DataKey
from vault.providers import key_provider


def _page(world):
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    return rendered(signed_in(simon).get(reverse("service_health")), heading="Service health")


def _section(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}"')[1].split("</section>")[0]


def _destroyed_in_the_database(child: Child, when) -> None:
    DataKey.objects.filter(pk=child.data_key_id).update(wrapped=b"", shredded_at=when)


def test_it_counts_records_whose_key_was_destroyed_while_the_row_is_still_there(world, child, shielded_child):
    """Two rows still there with their key destroyed: one shielded, one archived; the oldest shred is dated.
    A record whose key opens is not counted."""
    make_child(world, given_names="Oliver", family_name="Keyopens", postcode="LS2 7EY")
    long_ago = timezone.now() - timedelta(days=40)
    _destroyed_in_the_database(shielded_child, long_ago)
    _destroyed_in_the_database(child, timezone.now() - timedelta(days=2))
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    page = _page(world)
    section = _section(page, "left-shredded")
    assert 'id="left-shredded-count">2<' in section
    assert 'id="left-shredded-shielded">1<' in section
    assert 'id="left-shredded-archived">1<' in section
    assert f"{timezone.localtime(long_ago):%-d %b %Y}" in section
    assert "manage.py repair_shredded --apply --shielded-checked ID" in section
    assert "held for its LA team" in section
    for secret in ("Amelia", "Thornton", "Jasmine", "Okafor", "Oliver", "Keyopens"):
        assert secret not in page
    for someone in (child, shielded_child):
        assert someone.index_number not in page and str(someone.pk) not in page


def test_it_shows_the_shielded_ones_the_nightly_run_found_refused_at_the_provider(world, shielded_child):
    """A merge that failed after its shred leaves the key refused at the provider and nothing in the
    database: only opening the key tells, which the nightly run does. The page says what it found."""
    key_provider().revoke([str(shielded_child.data_key_id)])
    lifecycle_run()
    page = _page(world)
    section = _section(page, "left-shredded")
    assert 'id="last-run-shielded">1<' in section
    assert "manage.py repair_shredded --apply --shielded-checked ID" in section
    assert "Jasmine" not in page and shielded_child.index_number not in page
    assert str(shielded_child.pk) not in page


def test_it_says_when_no_record_is_left_shredded(world, child):
    section = _section(_page(world), "left-shredded")
    assert "No record is left with its data key destroyed." in section
    assert "The nightly lifecycle run has not run yet." in section


def test_it_reads_records_left_shredded_in_one_query_and_opens_no_key(
    world, child, shielded_child, monkeypatch, django_assert_num_queries
):
    _destroyed_in_the_database(shielded_child, timezone.now())

    def never(*args, **kwargs):
        raise AssertionError("the health page opened a data key")

    monkeypatch.setattr(type(key_provider()), "unwrap", never)
    with django_assert_num_queries(2):  # the rows still there; the last nightly run's counts
        found = records_left_shredded()
    assert (found.total, found.shielded) == (1, 1)


def test_it_lists_live_tokens_expiring_within_30_days_and_expired_ones_not_revoked(world):
    census = feed_source_create(
        code="pupil-census", organisation=world.north, fields=[], local_authorities=[]
    )
    benefit = feed_source_create(
        code="child-benefit", organisation=world.north, fields=[], local_authorities=[]
    )
    feed_token_issue(source=census, days=10)
    feed_token_issue(source=census, days=60)
    feed_token_issue(source=benefit, days=5)
    feed_token_issue(source=benefit, days=20)
    soon, later, revoked, expired = FeedToken.objects.order_by("pk")
    feed_token_revoke(token=revoked)
    FeedToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=3))
    section = _section(_page(world), "tokens-expiring")
    rows = section.split("<tbody")[1]
    assert rows.index(f">{expired.pk}<") < rows.index(f">{soon.pk}<")  # soonest (or longest gone) first
    assert "child-benefit" in rows and "pupil-census" in rows
    assert expired.prefix in rows and soon.prefix in rows
    assert f">{later.pk}<" not in rows and later.prefix not in rows
    assert f">{revoked.pk}<" not in rows and revoked.prefix not in rows
    assert "Expired" in rows and "manage.py feed_source token" in section


def test_it_says_when_no_token_expires_soon(world):
    census = feed_source_create(
        code="pupil-census", organisation=world.north, fields=[], local_authorities=[]
    )
    feed_token_issue(source=census, days=365)
    section = _section(_page(world), "tokens-expiring")
    assert "No live feed token expires within 30 days." in section
    assert tokens_expiring() == []


def test_a_shielded_record_found_by_the_nightly_run_and_removed_since_is_said_to_be_of_that_run(
    world, shielded_child
):
    """The nightly run's counts stay until the next run; the warning said, in the present, that a shielded
    record is left, after `repair_shredded` removed it (found by the review of the page)."""
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    key_provider().revoke([str(shielded_child.data_key_id)])
    lifecycle_run()
    call_command(
        "repair_shredded", "--apply", "--shielded-checked", str(shielded_child.pk), stdout=StringIO()
    )
    page = html.unescape(rendered(signed_in(simon).get(reverse("service_health")), heading="Service health"))
    assert "as the nightly run of" in page and "removed since, this goes at the next run" in page
