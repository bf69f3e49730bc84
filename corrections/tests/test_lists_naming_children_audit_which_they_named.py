"""The corrections queue, the complaints list and the data manager's data-quality page audit which they named.

Each names children by index number (and, to the LA team, the organisation that asked) but audited a count
only, so nobody could tell from the log whose records a reader was shown; the other lists of the kind
(alerts, disclosure exports, one's own corrections, transfers) record what they showed. Now each records
the ids of the corrections or complaints it listed and of their children, a page at a time: the queue, the
complaints list and the data-quality page are shown `LIST_LIMIT` to a page (`?page=N`), as the exports list is.
"""

import pytest
from django.urls import reverse

import corrections.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from corrections.fields import field_for
from corrections.models import Complaint, Correction
from corrections.services import correction_raise
from corrections.tests.support import complaint_from_the_child
from tests.journeys import signed_in
from tests.personas import World, make_child


def _index_shown(child: Child) -> str:
    number = child.index_number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _raised(world: World, child: Child) -> Correction:
    named = field_for("family_name")
    assert named is not None
    return correction_raise(child=child, field=named, value="Thorneton", reason="Seen", by=world.alice)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page, tag, who",
    [
        ("corrections:queue", AuditTag.CorrectionQueueViewed, "lena"),
        ("corrections:complaints", AuditTag.ComplaintListViewed, "lena"),
        ("data_quality", AuditTag.DataQualityViewed, "dara"),
    ],
)
def test_a_list_naming_children_audits_the_ids_it_named(world, child, page, tag, who):
    correction = _raised(world, child)
    complaint = complaint_from_the_child(world, child)

    body = signed_in(getattr(world, who)).get(reverse(page)).content.decode()

    assert _index_shown(child) in body and "Thornton" not in body
    event = AuditEvent.objects.filter(tag=tag).latest("pk")
    assert event.additional["child_ids"] == [str(child.pk)]
    if page == "corrections:complaints":
        assert event.additional["complaint_ids"] == [str(complaint.pk)]
    else:
        assert event.additional["correction_ids"] == [str(correction.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page, tag, ids, who",
    [
        ("corrections:queue", AuditTag.CorrectionQueueViewed, "correction_ids", "lena"),
        ("corrections:complaints", AuditTag.ComplaintListViewed, "complaint_ids", "lena"),
        ("data_quality", AuditTag.DataQualityViewed, "correction_ids", "dara"),
    ],
)
def test_a_long_list_is_shown_and_audited_a_page_at_a_time(world, child, monkeypatch, page, tag, ids, who):
    monkeypatch.setattr(corrections.views, "LIST_LIMIT", 2)
    children = [
        child,
        make_child(world, given_names="Ava", family_name="Ashdown"),
        make_child(world, given_names="Ben", family_name="Birch"),
    ]
    for each in children:
        if page == "corrections:complaints":
            complaint_from_the_child(world, each)
        else:
            _raised(world, each)
    client = signed_in(getattr(world, who))
    model = Complaint if page == "corrections:complaints" else Correction

    seen: list[str] = []
    for number in (1, 2):
        body = client.get(reverse(page), {"page": number}).content.decode()
        assert f"Page {number} of 2" in body
        event = AuditEvent.objects.filter(tag=tag).latest("pk")
        shown = [each for each in children if _index_shown(each) in body]
        assert len(shown) == (2 if number == 1 else 1)
        assert sorted(event.additional["child_ids"]) == sorted(str(each.pk) for each in shown)
        assert len(event.additional[ids]) == len(shown)
        seen += event.additional[ids]
    assert sorted(seen) == sorted(str(pk) for pk in model.objects.values_list("pk", flat=True))
