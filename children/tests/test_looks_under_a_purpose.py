"""Every page that shows a record's details under a stated purpose is a view of that record.

A purpose is stated by a POST that opens a ten-minute grant; the record page audits its view and runs
the viewing rules. The pages reached from the record (lead professional, CAF, recording or ending an
proposing a correction) show its details too, so each is audited the same way: a purpose
POSTed and those pages read directly must not reveal a child with nothing in the log, nor escape the
bulk-viewing rules.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose

PAGES = [
    ("children:lead_professional", "lena", "Amelia"),
    ("children:caf", "lena", "Amelia"),
    ("corrections:choose", "alice", "Amelia"),
    ("corrections:propose", "alice", "12 Quarry Lane"),
]


def _url(name, child):
    if name == "corrections:propose":
        return reverse(name, args=[child.pk, "address"])
    return reverse(name, args=[child.pk])


@pytest.mark.parametrize(("name", "who", "shown"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_showing_the_record_under_a_purpose_is_audited_as_a_view(world, child, name, who, shown):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            "Alice Example", "Social worker", world.north_social_care.pk, started_on=date(2024, 1, 1)
        ),
    )
    client = signed_in(getattr(world, who))
    state_purpose(client, child, purpose="safeguarding")  # no record page in between
    assert not AuditEvent.objects.filter(tag=AuditTag.RecordViewed).exists()
    page = client.get(_url(name, child))
    assert page.status_code == 200 and shown in page.content.decode()
    viewed = AuditEvent.objects.get(tag=AuditTag.RecordViewed, child_id=child.pk)
    assert viewed.actor_id == getattr(world, who).pk
    assert viewed.additional["purpose"] == "safeguarding" and viewed.additional["page"] == name


def test_pages_read_this_way_count_toward_the_bulk_viewing_rule(world, settings):
    """Read through the correction page alone, children are counted as viewed: over the hour's limit
    the LA team is alerted, as if the record pages had been opened."""
    from oversight.models import Alert
    from tests.personas import make_child

    settings.MISUSE_VIEWS_PER_HOUR = 2
    client = signed_in(world.alice)
    for n in range(3):
        child = make_child(world, family_name=f"Thornton{'x' * n}")
        state_purpose(client, child)
        assert client.get(reverse("corrections:choose", args=[child.pk])).status_code == 200
    assert Alert.objects.filter(raised_by=world.alice, kind="bulk_viewing").exists()


def test_a_form_shown_again_with_its_errors_is_audited_as_a_view_too(world, child):
    """An invalid POST re-shows the details: without its own view event, a purpose POSTed and an empty
    form posted would read the record with nothing in the log."""
    involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails("Bob Example", "GP", world.south_gp.pk, started_on=date(2024, 1, 1)),
    )
    alice = signed_in(world.alice)
    state_purpose(alice, child)
    page = alice.post(reverse("corrections:propose", args=[child.pk, "address"]), {})
    assert page.status_code == 200 and "12 Quarry Lane" in page.content.decode()
    lena = signed_in(world.lena)
    state_purpose(lena, child)
    page = lena.post(reverse("children:lead_professional", args=[child.pk]), {"involvement": "x"})
    assert "Bob Example" in page.content.decode()
    viewers = AuditEvent.objects.filter(tag=AuditTag.RecordViewed, child_id=child.pk)
    assert sorted(viewers.values_list("additional__page", flat=True)) == [
        "children:lead_professional",
        "corrections:propose",
    ]
