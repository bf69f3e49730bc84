"""The export's state machine, with a frozen clock: pending -> approved | refused; approved -> used | expired."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from access.policy import export_approval_stands
from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import ExportStatus
from disclosure.services import (
    AlreadyDecided,
    Availability,
    NotDownloadable,
    export_availability,
    export_decide,
    export_release,
    export_request,
)
from disclosure.tests.downloads import file_built
from tests.personas import make_child, make_user


@pytest.fixture
def leo(world):
    return make_user("leo", world.north, Role.LA_TEAM)


def _request(world, children, fields=("name",)):
    return export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="crime",
        reference="POL-77",
        children=children,
        fields=list(fields),
    )


def test_an_approval_lasts_exactly_the_configured_time(world, leo, child, settings):
    settings.DISCLOSURE_EXPORT_VALID_FOR = timedelta(days=7)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        export = export_decide(export=_request(world, [child]), by=leo, approve=True, reason="Checked")
        assert export.expires_at == start + timedelta(days=7)
        clock.move_to(start + timedelta(days=7) - timedelta(seconds=1))
        assert export_availability(export, approval_stands=export_approval_stands) == Availability.READY
        clock.move_to(start + timedelta(days=7))
        assert export_availability(export, approval_stands=export_approval_stands) == Availability.EXPIRED
        with pytest.raises(NotDownloadable):
            export_release(export=export, by=world.lena, approval_stands=export_approval_stands)
    (attempt,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportExpiredAttempt)
    assert attempt.additional["availability"] == "expired"


def test_the_download_limit_is_a_setting(world, leo, child, settings):
    settings.DISCLOSURE_EXPORT_MAX_DOWNLOADS = 2
    export = export_decide(export=_request(world, [child]), by=leo, approve=True, reason="Checked")
    build = file_built(world.lena)
    export_release(export=export, by=world.lena, approval_stands=export_approval_stands, build=build)
    released = export_release(
        export=export, by=world.lena, approval_stands=export_approval_stands, build=build
    )
    assert released.export.downloads == 2
    with pytest.raises(NotDownloadable) as used:
        export_release(export=export, by=world.lena, approval_stands=export_approval_stands)
    assert used.value.availability == Availability.USED
    assert AuditEvent.objects.filter(tag=AuditTag.DisclosureExportDownloaded).count() == 2


def test_a_request_is_decided_once(world, leo, child):
    export = export_decide(export=_request(world, [child]), by=leo, approve=False, reason="No order")
    assert export.status == ExportStatus.REFUSED and export.expires_at is None
    with pytest.raises(AlreadyDecided):
        export_decide(export=export, by=leo, approve=True, reason="Changed my mind")
    with pytest.raises(NotDownloadable) as refused:
        export_release(export=export, by=world.lena, approval_stands=export_approval_stands)
    assert refused.value.availability == Availability.REFUSED
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportExpiredAttempt).exists()


def test_a_pending_request_releases_nothing(world, child):
    with pytest.raises(NotDownloadable) as pending:
        export_release(export=_request(world, [child]), by=world.lena, approval_stands=export_approval_stands)
    assert pending.value.availability == Availability.PENDING


def test_the_service_refuses_what_the_form_would_never_send(world, child, settings):
    with pytest.raises(ValueError, match="allow-list"):
        _request(world, [child], fields=("source_identifiers",))
    with pytest.raises(ValueError, match="allow-list"):
        _request(world, [child], fields=())
    with pytest.raises(ValueError, match="own LA"):
        _request(world, [make_child(world, la=world.south)])
    settings.DISCLOSURE_EXPORT_MAX_CHILDREN = 1
    with pytest.raises(ValueError, match="cap"):
        _request(world, [child, make_child(world, given_names="Kai")])
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportRequested).exists()
