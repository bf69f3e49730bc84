"""The export pages unseal the reference and the decision reason for the LA team, and say when they are gone."""

from django.urls import reverse

from accounts.models import Role
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport
from lifecycle.services import closed_record_purge
from team.tests.test_disclosure_exports import _decide, _request
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user

REFERENCE = "CO-2026-4471"
REASON = "Order seen and checked"


def _approved_export(world, leo, child) -> DisclosureExport:
    assert _request(signed_in(world.lena), [child], reference=REFERENCE).status_code == 302
    export = DisclosureExport.objects.get()
    assert _decide(signed_in(leo), export, reason=REASON).status_code == 302
    return export


def test_the_export_list_and_page_show_the_reference_and_reason_to_the_la_team(world, child):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved_export(world, leo, child)
    for viewer in (world.lena, leo):
        listing = rendered(signed_in(viewer).get(reverse("team:exports")), heading="Disclosure exports")
        assert f'<div class="cp-cell">{REFERENCE}</div>' in listing
        page = rendered(
            signed_in(viewer).get(reverse("team:export", args=[export.pk])), heading="Disclosure export"
        )
        assert f'id="export-reference">Reference {REFERENCE}</span>' in page
        assert f'id="export-decision-reason">{REASON}</span>' in page
        assert 'id="export-notes-destroyed"' not in page


def test_another_las_team_sees_neither_the_reference_nor_the_reason(world, child):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved_export(world, leo, child)
    stella = signed_in(make_user("stella", world.south, Role.LA_TEAM))
    response = stella.get(reverse("team:export", args=[export.pk]))
    assert response.status_code == 403
    assert REFERENCE not in response.content.decode()
    assert REFERENCE not in stella.get(reverse("team:exports")).content.decode()


def test_an_export_whose_child_was_purged_says_its_reference_and_reason_were_destroyed(world, child):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    assert _request(signed_in(world.lena), [child, other], reference=REFERENCE).status_code == 302
    export = DisclosureExport.objects.get()
    assert _decide(signed_in(leo), export, reason=REASON).status_code == 302
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)
    client = signed_in(world.lena)
    listing = rendered(client.get(reverse("team:exports")), heading="Disclosure exports")
    assert "Destroyed: a child it named was purged" in listing and REFERENCE not in listing
    page = rendered(client.get(reverse("team:export", args=[export.pk])), heading="Disclosure export")
    assert 'id="export-reference">Reference destroyed</span>' in page
    assert 'id="export-decision-reason">reason destroyed</span>' in page
    assert 'id="export-notes-destroyed"' in page and "when a child this export named was purged" in page
    assert REFERENCE not in page and REASON not in page
    assert "A court order or another requirement of law" in page  # the lawful basis stays
