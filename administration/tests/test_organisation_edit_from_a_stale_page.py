"""Two administrators changing one organisation: a save from a page read before a colleague's save
never silently puts back what the colleague changed.

The edit page sends every field, and the save wrote each field that differed from the row as stored:
Sally's page, opened before Simon changed the surgery's phone number, wrote the old number back when
she saved its working hours, and the audit event credited her with a change of `phone` she never made.
The page now carries the version it showed (`version`); a save from a page older than the entry is
refused, nothing is written, and the form shows the entry as it is now with what changed named.
"""

import re
from datetime import time

from django.urls import reverse

from accounts.models import Organisation
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.pages import rendered


def _version(page: str) -> str:
    """What the page's form sends as `version` ("" if it sends none)."""
    found = re.search(r'name="version" value="([0-9a-f]+)"', page)
    return found.group(1) if found else ""


def _gp_form(world, gp: Organisation, **changes: str) -> dict[str, str]:
    """The edit page's answers for North Road Surgery as the page showed them, with `changes`."""
    shown = {
        "kind": "gp",
        "name": gp.name,
        "code": gp.code,
        "address": "",
        "phone": "0300 000 0000",
        "email": gp.email,
        "accredited_day": "1",
        "accredited_month": "1",
        "accredited_year": "2020",
    }
    return organisation_form(world, **{**shown, **changes})


def test_a_save_from_a_page_read_before_a_colleagues_save_does_not_put_back_what_they_changed(world):
    gp = world.north_gp
    path = reverse("administration:organisation_edit", args=[gp.pk])
    simon, sally = signed_in(administrator(world, "simon")), signed_in(administrator(world, "sally"))
    sallys_version = _version(sally.get(path).content.decode())
    simons_version = _version(simon.get(path).content.decode())
    assert sallys_version == simons_version  # both read the same entry

    saved = simon.post(path, {**_gp_form(world, gp, phone="0113 496 0999"), "version": simons_version})
    assert saved.status_code == 302

    stale = sally.post(
        path,
        {
            **_gp_form(world, gp, working_hours_start="08:00", working_hours_end="18:30"),
            "version": sallys_version,
        },
    )
    gp.refresh_from_db()
    assert gp.phone == "0113 496 0999", "Simon's new phone number was put back by Sally's page"
    assert (gp.working_hours_start, gp.working_hours_end) == (None, None)
    updates = AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated)
    assert [e.additional["changed"] for e in updates] == [["phone"]]

    page = rendered(stale, heading="Change North Road Surgery")
    assert "changed this organisation since you opened this page" in page and "Phone number" in page
    assert 'value="0113 496 0999"' in page  # the form now shows the entry as stored

    again = sally.post(
        path,
        {
            **_gp_form(
                world, gp, phone="0113 496 0999", working_hours_start="08:00", working_hours_end="18:30"
            ),
            "version": _version(page),
        },
    )
    assert again.status_code == 302
    gp.refresh_from_db()
    assert (gp.phone, gp.working_hours_start) == ("0113 496 0999", time(8, 0))
