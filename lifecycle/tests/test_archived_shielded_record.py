"""An archived record that was shielded keeps its location from the data manager.

Shielding protects where the child lives from everyone but the owning LA team, and the data manager is
not that team: it never decides a shielded child's location correction, nor sees a shielded candidate in
a clerical review. The archive page showed such a record's last known address and its carers' names and
phone numbers all the same. It now shows who the child is, who worked with them and that the location is
withheld; the opening is still audited. A record that was not shielded is shown as before.
"""

from datetime import date

import pytest
from django.urls import reverse

from audit.tags import AuditTag
from children.models import Child
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

LOCATION = ("LS6 2QT", "12 Quarry Lane", "Grace Thornton", "07700 900123")


def _archived(world, clock, *, shielded: bool) -> Child:
    child = make_child(
        world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=shielded
    )
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    return Child.objects.get(pk=child.pk)


@pytest.mark.parametrize("purpose", [{"purpose": "subject_access"}, {"purpose": "data_quality"}])
def test_the_data_manager_never_sees_where_an_archived_shielded_child_lived(world, clock, purpose):
    archived = _archived(world, clock, shielded=True)
    response = signed_in(world.dara).post(reverse("lifecycle:archived_record", args=[archived.pk]), purpose)
    page = rendered(response, heading="Jasmine Okafor")
    for hidden in LOCATION:
        assert hidden not in page
    assert 'id="shielded-notice"' in page
    assert len(events(AuditTag.ArchivedRecordViewed, archived)) == 1
    # Left out of what the template is given, not merely hidden by it.
    given = response.context["details"]
    assert given.address.postcode is None and not given.address.lines and not given.former_postcodes
    assert given.educational_setting is None and given.gp_practice_id is None
    assert response.context["carers"] == [] and response.context["involvements"] == []


def test_an_archived_record_that_was_not_shielded_still_shows_its_last_known_address(world, clock):
    archived = _archived(world, clock, shielded=False)
    response = signed_in(world.dara).post(
        reverse("lifecycle:archived_record", args=[archived.pk]), {"purpose": "subject_access"}
    )
    page = rendered(response, heading="Jasmine Okafor")
    assert all(shown in page for shown in LOCATION)
    assert 'id="shielded-notice"' not in page


def test_an_archive_opening_detail_with_invisible_characters_is_refused_and_nothing_is_shown(world, clock):
    archived = _archived(world, clock, shielded=False)
    response = signed_in(world.dara).post(
        reverse("lifecycle:archived_record", args=[archived.pk]),
        {"purpose": "other", "detail": "Case \u202e1-4202-RAS"},
    )
    page = rendered(response, heading="Why are you opening this archived record?")
    assert "control or invisible characters" in page and "Okafor" not in page
    assert events(AuditTag.ArchivedRecordViewed) == []
