"""The record's pages after a shred whose transaction then failed (a merge or purge failing after it).

Both tell the key provider first (fail closed): the rows stay, under a key that no longer opens, until
the next night's purge. The record, purpose, involvement, lead professional and CAF pages then failed with
a server error for everyone who could open them; now they say "This record has been removed" (410) and
the look is audited, as the pages audited it before.
"""

from django.urls import reverse

from audit.tags import AuditTag
from coordination.tests.support import record
from corrections.tests.support import events
from tests.journeys import signed_in, state_purpose
from tests.shredding import shred_rolled_back

REMOVED = "This record has been removed"


def test_every_page_of_the_record_says_it_was_removed(world, child):
    involvement = record(child, world.alice)
    clients = {user: signed_in(user) for user in (world.alice, world.lena)}
    for client in clients.values():
        state_purpose(client, child)
    shred_rolled_back(child)

    pages = [
        reverse("children:purpose", args=[child.pk]),
        reverse("children:record", args=[child.pk]),
        reverse("children:involvement_end", args=[child.pk, involvement.pk]),
        reverse("children:lead_professional", args=[child.pk]),
        reverse("children:caf", args=[child.pk]),
    ]
    for user, client in clients.items():
        for url in pages:
            response = client.get(url)
            assert response.status_code == 410, (user.username, url, response.status_code)
            page = response.content.decode()
            assert REMOVED in page and "Thornton" not in page, (user.username, url)
    shown = events(AuditTag.RecordRemovedShown)
    assert len(shown) == len(pages) * len(clients)
    assert {e.child_id for e in shown} == {child.pk}
    assert {e.additional["page"] for e in shown} == {
        "children:purpose",
        "children:record",
        "children:involvement_end",
        "children:lead_professional",
        "children:caf",
    }


def test_emergency_access_to_it_says_it_was_removed(world, shielded_child):
    shred_rolled_back(shielded_child)
    url = reverse("children:override", args=[shielded_child.pk])
    form = {"reason": "Reported missing overnight", "understood": "on"}
    response = signed_in(world.olivia).post(url, form)
    assert response.status_code == 410, response.status_code
    assert REMOVED in response.content.decode() and "LS6 2QT" not in response.content.decode()
    [shown] = events(AuditTag.RecordRemovedShown)
    assert (shown.actor_id, shown.additional["page"]) == (world.olivia.pk, "children:override")


def test_the_page_on_informing_the_family_says_it_was_removed(world, child):
    record(child, world.alice)
    shred_rolled_back(child)
    response = signed_in(world.alice).get(reverse("coordination:inform_family", args=[child.pk]))
    assert response.status_code == 410, response.status_code
    assert REMOVED in response.content.decode()
    [shown] = events(AuditTag.RecordRemovedShown)
    assert shown.additional["page"] == "coordination:inform_family"


def test_someone_who_may_not_open_it_is_refused_as_for_any_record(world, child):
    """The key is opened only after the policy's check: "removed" tells nobody else the id exists."""
    shred_rolled_back(child)
    client = signed_in(world.nadia)  # a national auditor never browses children
    for url in (reverse("children:record", args=[child.pk]), reverse("corrections:choose", args=[child.pk])):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert REMOVED not in response.content.decode()
    assert events(AuditTag.RecordRemovedShown) == []
