"""Reading a disclosure export is audited: the list shows each request's reference (decrypted), and a
request's page names the children by index number, so each read leaves an event an auditor can find
(ids only, never the reference or a name). They carry no child id: a look at a colleague's request is not
a look at the child's record, and the child's reports list the disclosure when it is downloaded."""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children import index_number as index_numbers
from team.tests.test_disclosure_exports import _approved
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user


def test_opening_an_export_request_is_audited_with_the_children_it_names(world):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    children = [make_child(world), make_child(world, given_names="Kai", family_name="Lindqvist")]
    export = _approved(world, leo, children)
    page = rendered(signed_in(leo).get(reverse("team:export", args=[export.pk])), heading="Disclosure export")
    assert index_numbers.formatted(children[0].index_number) in page
    (event,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportViewed)
    assert event.actor_id == leo.pk and event.child_id is None
    assert event.additional["export_id"] == str(export.pk)
    assert event.additional["child_ids"] == sorted(str(child.pk) for child in children)
    assert "CO-2026-118" not in str(event.additional)


def test_the_list_of_export_requests_is_audited_with_the_requests_it_shows(world):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = _approved(world, leo, [make_child(world)])
    page = rendered(signed_in(leo).get(reverse("team:exports")), heading="Disclosure exports")
    assert "CO-2026-118" in page
    (event,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportsListed)
    assert event.actor_id == leo.pk and event.additional["export_ids"] == [str(export.pk)]


def test_an_empty_list_is_read_without_an_event(world):
    page = rendered(signed_in(world.lena).get(reverse("team:exports")), heading="Disclosure exports")
    assert "There are no disclosure export requests" in page
    assert not AuditEvent.objects.filter(tag=AuditTag.DisclosureExportsListed).exists()


def test_a_request_shown_again_with_a_decision_error_is_audited_with_the_children_it_names(world):
    from team.tests.test_disclosure_exports import _requested

    leo = make_user("leo", world.north, Role.LA_TEAM)
    children = [make_child(world), make_child(world, given_names="Kai", family_name="Lindqvist")]
    export = _requested(world, children)
    # No decision chosen: the page is shown again, with the children's index numbers and the reference.
    response = signed_in(leo).post(reverse("team:export_decision", args=[export.pk]), {"reason": "Checked"})
    page = rendered(response, heading="Disclosure export")
    assert index_numbers.formatted(children[0].index_number) in page
    (event,) = AuditEvent.objects.filter(tag=AuditTag.DisclosureExportViewed)
    assert event.actor_id == leo.pk and event.child_id is None
    assert event.additional["export_id"] == str(export.pk)
    assert event.additional["child_ids"] == sorted(str(child.pk) for child in children)
