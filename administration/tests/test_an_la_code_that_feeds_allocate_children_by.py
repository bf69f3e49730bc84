"""The code of a local authority that holds children's records cannot be changed on its edit page.

Feeds name each child's LA by its code (`feeds.ingest._local_authority`), so the code is what allocates
every child a feed sends next. Two saves of the edit page (North's code to something else, then South's
to North's old one) sent every new child of North to South's team, which sees a shielded child in full;
the directory's audit says only that `code` changed, never from what to what, so the swap could not even
be read back from the log.
"""

import html

from django.urls import reverse

from accounts.models import Role
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.tests.factories import feed_row, feed_rows_ingest, health_source
from tests.journeys import signed_in
from tests.personas import make_user

CODE_FIXED = "cannot change once children's records are allocated to it"


def _edit(client, organisation, **changes):
    data = {
        "kind": organisation.kind,
        "name": organisation.name,
        "code": organisation.code,
        "address": organisation.address,
        "phone": organisation.phone,
        "email": organisation.email,
        "accredited_day": str(organisation.accredited_on.day),
        "accredited_month": str(organisation.accredited_on.month),
        "accredited_year": str(organisation.accredited_on.year),
        **changes,
    }
    return client.post(reverse("administration:organisation_edit", args=[organisation.pk]), data)


def test_swapping_la_codes_cannot_send_one_las_new_children_to_another(world, child):
    national = world.nadia.organisation
    client = signed_in(make_user("simon", national, Role.SYSTEM_ADMIN))
    page = html.unescape(_edit(client, world.north, code="LA-N-OLD").content.decode())
    _edit(client, world.south, code="LA-N")
    source = health_source(world, las=[world.north, world.south])
    report = feed_rows_ingest(source, [feed_row(record_id="H-9", local_authority="LA-N", nhs_number=None)])
    assert report.counts.get("created") == 1, report
    new = Child.objects.exclude(pk=child.pk).get()
    assert new.local_authority_id == world.north.pk, "a child the feed sent for North was allocated to South"
    world.north.refresh_from_db()
    world.south.refresh_from_db()
    assert (world.north.code, world.south.code) == ("LA-N", "LA-S")
    assert CODE_FIXED in page
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()


def test_an_la_holding_no_childrens_records_may_have_its_code_corrected(world):
    client = signed_in(administrator(world))
    response = _edit(client, world.south, code="LA-S2")
    assert response.status_code == 302
    world.south.refresh_from_db()
    assert world.south.code == "LA-S2"
    event = AuditEvent.objects.get(tag=AuditTag.OrganisationUpdated)
    assert event.additional["changed"] == ["code"]


def test_an_la_holding_children_may_still_change_its_other_details(world, child):
    client = signed_in(administrator(world))
    response = _edit(client, world.north, phone="0113 496 0000")
    assert response.status_code == 302
    world.north.refresh_from_db()
    assert (world.north.code, world.north.phone) == ("LA-N", "0113 496 0000")
