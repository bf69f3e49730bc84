"""A local authority cannot be closed while children's records are allocated to it, or while organisations
in it are open.

Closing an LA refuses its team and its data manager from that day (`organisation_closed`). Its children
stayed in the index, found and opened by practitioners nationally, but with nobody left to do what only the
child's LA team does (domain.md): a break-glass on a shielded child alerted a team that can no longer sign
in, nobody could lift or apply a shield, agree a transfer, broker a sensitive service, answer a subject
access request or a complaint; the data manager lost the archive. Its schools and services stayed open with
nobody to suspend or close their practitioners, and their misuse alerts went to that team's closed queue:
the state session 26 refused when an organisation was moved into a closed LA. The confirmation page only
said the organisations "stay open: close them first if they should close too".
"""

import html
from datetime import date

from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

STILL_HOLDS = "cannot be closed while it holds children"


def _la(name: str, code: str) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY, name=name, code=code, accredited_on=date(2025, 1, 1)
    )


def _close(client, organisation: Organisation):
    return client.post(
        reverse("administration:organisation_close", args=[organisation.pk]),
        {"confirmed": "yes"},
        follow=True,
    )


def test_an_la_holding_childrens_records_is_not_closed_and_the_page_says_why(world):
    eastmere = _la("Eastmere Council", "LA-E")
    make_child(world, la=eastmere, given_names="Isla", family_name="Brennock")
    client = signed_in(administrator(world))
    page = html.unescape(
        rendered(
            client.get(reverse("administration:organisation", args=[eastmere.pk]) + "?confirm=close"),
            heading="Eastmere Council cannot be closed yet",
        )
    )
    assert "Yes, close this organisation" not in page
    assert "1 child's record is allocated to it" in page
    assert "Isla" not in page and "Brennock" not in page

    shown = _close(client, eastmere).content.decode()
    eastmere.refresh_from_db()
    assert eastmere.closed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).exists()
    assert "Important" in shown and STILL_HOLDS in shown


def test_an_la_with_open_organisations_is_not_closed(world):
    westholm = _la("Westholm Council", "LA-W")
    Organisation.objects.create(
        kind=OrganisationKind.SCHOOL,
        name="Westholm Academy",
        code="URN-W1",
        local_authority=westholm,
        accredited_on=date(2025, 1, 1),
    )
    client = signed_in(administrator(world))
    page = rendered(
        client.get(reverse("administration:organisation", args=[westholm.pk]) + "?confirm=close"),
        heading="Westholm Council cannot be closed yet",
    )
    assert "1 organisation in this local authority is open" in page
    assert "Yes, close this organisation" not in page
    shown = _close(client, westholm).content.decode()
    westholm.refresh_from_db()
    assert westholm.closed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).exists()
    assert STILL_HOLDS in shown


def test_an_la_with_no_children_and_only_closed_organisations_closes(world):
    westholm = _la("Westholm Council", "LA-W")
    Organisation.objects.create(
        kind=OrganisationKind.SCHOOL,
        name="Westholm Academy",
        code="URN-W1",
        local_authority=westholm,
        accredited_on=date(2025, 1, 1),
        closed_on=date(2025, 6, 1),
    )
    client = signed_in(administrator(world))
    rendered(
        client.get(reverse("administration:organisation", args=[westholm.pk]) + "?confirm=close"),
        heading="Are you sure you want to close Westholm Council?",
    )
    shown = _close(client, westholm).content.decode()
    westholm.refresh_from_db()
    assert westholm.closed_on == timezone.localdate()
    assert AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).count() == 1
    assert "Westholm Council is closed" in shown


def test_a_service_still_closes_whatever_its_la_holds(world, child):
    client = signed_in(administrator(world))
    shown = _close(client, world.north_gp).content.decode()
    world.north_gp.refresh_from_db()
    assert world.north_gp.closed_on == timezone.localdate()
    assert "North Road Surgery is closed" in shown


def test_a_child_allocated_after_the_confirmation_page_was_read_keeps_the_la_open(world):
    eastmere = _la("Eastmere Council", "LA-E")
    client = signed_in(administrator(world))
    rendered(
        client.get(reverse("administration:organisation", args=[eastmere.pk]) + "?confirm=close"),
        heading="Are you sure you want to close Eastmere Council?",
    )
    make_child(world, la=eastmere)  # a feed's first child of the LA, while the page was open
    shown = _close(client, eastmere).content.decode()
    eastmere.refresh_from_db()
    assert eastmere.closed_on is None
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).exists()
    assert STILL_HOLDS in shown
