"""Homes for the data manager (data quality) and the system administrator (service health)."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.checkpoints import checkpoint_create
from audit.models import AuditEvent
from audit.signing import signing_key_create
from audit.tags import AuditTag
from children.records import Address, AddressStatus, ChildDetails, ReturnIntention
from children.services import child_create
from corrections.fields import field_for
from corrections.services import correction_raise
from feeds.models import BatchStatus, FeedBatch, FeedRow, RowOutcome
from feeds.sources import feed_source_create
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user


def _child(world, given, address, la=None, **extra):
    details = ChildDetails(
        given_names=given,
        family_name="Quality",
        gender="F",
        date_of_birth=date(2015, 1, 1),
        address=address,
        **extra,
    )
    return child_create(local_authority=la or world.north, details=details)


def test_the_data_manager_lands_on_counts_of_records_needing_correction(world):
    make_child(world)
    _child(world, "Nova", Address(status=AddressStatus.NO_KNOWN_ADDRESS))
    _child(
        world,
        "Lyra",
        Address(status=AddressStatus.LEFT_ENGLAND, return_intention=ReturnIntention.INTENDS_TO_RETURN),
    )
    _child(
        world, "Vega", Address(status=AddressStatus.LEFT_ENGLAND, return_intention=ReturnIntention.UNKNOWN)
    )
    _child(world, "Orla", Address(), date_of_death=date(2025, 6, 1))
    _child(world, "Sola", Address(status=AddressStatus.NO_KNOWN_ADDRESS), la=world.south)  # not North's
    client = signed_in(world.dara)
    assert client.get("/")["Location"] == reverse("data_quality")
    page = rendered(client.get(reverse("data_quality")), heading="Records needing correction")
    assert '<dd class="govuk-summary-list__value" id="count-active">5</dd>' in page
    assert '<dd class="govuk-summary-list__value" id="count-no-address">1</dd>' in page
    assert 'id="count-left-england">2<' in page
    assert "Intends to return within 3 years: 1" in page
    assert 'id="count-death">1<' in page
    for name in ("Nova", "Lyra", "Vega", "Orla", "Amelia", "Quality", "Thornton", "Quarry Lane"):
        assert name not in page
    assert AuditEvent.objects.filter(tag=AuditTag.DataQualityViewed, actor=world.dara).count() == 1


def test_the_data_quality_page_is_for_data_managers_only(world):
    assert signed_in(world.lena).get(reverse("data_quality")).status_code == 403
    assert signed_in(world.alice).get(reverse("data_quality")).status_code == 403


def test_the_data_manager_sees_only_their_own_las_corrections_never_another_las_small_count(world):
    """Another LA's count of waiting corrections is a small figure about its children; the data manager
    works their own queue only (and national figures are insight's, suppressed there)."""
    south_child = make_child(world, given_names="Kai", family_name="Lindqvist", la=world.south, shielded=True)
    correction_raise(
        child=south_child, field=field_for("given_names"), value="Kay", reason="Checked", by=world.bob
    )
    north_child = make_child(world)
    correction_raise(
        child=north_child, field=field_for("family_name"), value="Thorne", reason="Checked", by=world.alice
    )
    page = rendered(signed_in(world.dara).get(reverse("data_quality")), heading="Records needing correction")
    assert "Southborough" not in page
    assert 'id="pending-corrections"' in page and "Family name" in page  # North's own queue is there
    assert 'id="pending-count">1 correction is waiting' in page


def test_the_system_administrator_reaches_service_health_from_their_home(world, child, settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    checkpoint_create()
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    client = signed_in(simon)
    assert client.get("/")["Location"] == reverse("administration:home")
    assert (
        f'href="{reverse("service_health")}"' in client.get(reverse("administration:home")).content.decode()
    )
    page = rendered(client.get(reverse("service_health")), heading="Service health")
    assert "Last signed checkpoint" in page and " ago)" in page
    assert "Version 1" in page
    assert "Complete</strong> every data key is wrapped by the current version" in page
    assert "Amelia" not in page and "Thornton" not in page and child.index_number not in page
    assert AuditEvent.objects.filter(tag=AuditTag.ServiceHealthViewed, actor=simon).count() == 1


def test_service_health_says_when_the_signing_key_is_missing(world, settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    page = rendered(signed_in(simon).get(reverse("service_health")), heading="Service health")
    assert "Problem</strong>" in page and "None yet" in page


def test_service_health_lists_feed_batches_with_row_counts_and_no_child(world, child):
    """The administrator sees each recent batch's source, state and row outcomes: a stuck (resumable)
    batch or a run of rejected rows is theirs to chase; no row, value or child is shown."""
    source = feed_source_create(
        code="pupil-census", organisation=world.north, fields=[], local_authorities=[]
    )
    done = FeedBatch.objects.create(source=source, batch_id="census-2026-11", fingerprint="a" * 64)
    FeedBatch.objects.filter(pk=done.pk).update(status=BatchStatus.COMPLETED, completed_at=timezone.now())
    FeedRow.objects.create(batch=done, row_number=1, outcome=RowOutcome.UPDATED, child=child)
    FeedRow.objects.create(batch=done, row_number=2, outcome=RowOutcome.REJECTED, reason="postcode not valid")
    FeedRow.objects.create(batch=done, row_number=3, outcome=RowOutcome.REJECTED, reason="date not real")
    FeedBatch.objects.create(source=source, batch_id="census-2026-12", fingerprint="b" * 64)
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    page = rendered(signed_in(simon).get(reverse("service_health")), heading="Service health")
    batches = page.split('id="feed-batches"')[1].split("</table>")[0]
    assert batches.index("census-2026-12") < batches.index("census-2026-11")  # newest first
    assert "pupil-census" in batches and "In progress (resumable)" in batches and "Completed" in batches
    assert "Existing child updated: 1" in batches and "Rejected: not valid: 2" in batches
    assert child.index_number not in page and "Thornton" not in page and "postcode not valid" not in page


def test_service_health_says_when_no_feed_batch_has_arrived(world):
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    page = rendered(signed_in(simon).get(reverse("service_health")), heading="Service health")
    assert 'id="no-feed-batches"' in page and "No feed batches have been received." in page


def test_the_system_administrator_meets_403_on_child_and_audit_pages(world, child):
    client = signed_in(make_user("simon", world.north, Role.SYSTEM_ADMIN))
    assert client.get(reverse("children:search")).status_code == 403
    assert client.get(reverse("audit:index")).status_code == 403
    assert client.get(reverse("data_quality")).status_code == 403


def test_service_health_says_no_checkpoint_was_ever_signed_rather_than_an_old_one(
    world, child, settings, tmp_path
):
    """Events written and no checkpoint signed at all (the job never ran): the warning said "the last signed
    checkpoint is more than 15 minutes old" beside "Last signed checkpoint: None yet" (seen in the browser
    on a fresh demo). It now says none was signed."""
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    simon = make_user("simon", world.north, Role.SYSTEM_ADMIN)
    page = rendered(signed_in(simon).get(reverse("service_health")), heading="Service health")
    warning = page.split('class="govuk-warning-text__text"')[1].split("</strong>")[0]
    assert "No checkpoint has been signed yet and events have been written" in warning
    assert "more than" not in warning
    assert "Check that the checkpoint job is running." in warning
