"""A report page shows the events it counted, not its own viewing in place of the oldest of them.

Found in the browser: a Leeds child viewed once by a Bristol health visitor; the Leeds team opened the
child's access report and read "1 event": its own "Viewed an audit report", not the view it came to
check. The page counted the events, recorded its own view (an event about the child), and only then
read the page's rows, newest first: the new event took the first place and pushed the oldest off the
page, on every opening. The rows are now read before the view is recorded (and show up next time).
"""

import re

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from children.viewing import PurposeGrant, record_view_audit
from tests.journeys import signed_in

GRANT = PurposeGrant(purpose="providing_service", detail_sealed=None)


def _event_labels(page: str) -> list[str]:
    return re.findall(r'data-label="Event"><div class="cp-cell">([^<]*)', page)


def _count(page: str) -> int:
    (count,) = re.findall(r"(\d+) events?\.", page)
    return int(count)


def test_the_childs_access_report_shows_every_event_it_counted_on_every_opening(world, child):
    record_view_audit(child=child, by=world.bob, grant=GRANT, restricted=False)
    lena = signed_in(world.lena)
    for _opening in range(3):
        before = [
            tag_label(tag)
            for tag in AuditEvent.objects.filter(child_id=child.pk)
            .order_by("-id")
            .values_list("tag", flat=True)
        ]
        page = lena.get(reverse("audit:child_access", args=[child.pk])).content.decode()
        assert _event_labels(page) == before
        assert _count(page) == len(before)
        assert "Bob Example" in page[page.index('id="events"') :]


def test_a_users_own_activity_report_shows_every_event_it_counted(world):
    """The national auditor reading its own activity: its view of the report is one of its events."""
    nadia = signed_in(world.nadia)
    nadia.get(reverse("audit:unexplained"))
    before = [
        tag_label(tag)
        for tag in AuditEvent.objects.filter(actor=world.nadia).order_by("-id").values_list("tag", flat=True)
    ]
    page = nadia.get(reverse("audit:user_activity", args=[world.nadia.pk])).content.decode()
    assert _event_labels(page) == before
    assert tag_label(AuditTag.ReportViewed) in before
