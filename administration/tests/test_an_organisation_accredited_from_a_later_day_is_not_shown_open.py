"""An organisation whose accreditation starts on a later day is shown "Not accredited", not "Open".

Its staff are refused until that day (`organisation_not_accredited`), but the directory and the
organisation's page showed it with the green "Open" tag, as if they could use ContactPoint now.
"""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from administration.tests.support import administrator
from tests.journeys import signed_in
from tests.pages import rendered


def _status(page: str, name: str) -> str:
    row = re.search(rf"{re.escape(name)}</a>.*?</tr>", page, re.S)
    assert row is not None
    return row.group(0)


def test_an_organisation_accredited_from_a_later_day_is_shown_not_accredited(world):
    later = timezone.localdate() + timedelta(days=30)
    Organisation.objects.filter(pk=world.north_school.pk).update(accredited_on=later)
    client = signed_in(administrator(world))

    listed = rendered(client.get(reverse("administration:organisations")), heading="Organisations")
    assert "Not accredited" in _status(listed, world.north_school.name)
    assert "Open" not in _status(listed, world.north_school.name)
    assert "Open" in _status(listed, world.north_gp.name)  # accredited already: open

    page = rendered(
        client.get(reverse("administration:organisation", args=[world.north_school.pk])),
        heading=world.north_school.name,
    )
    status = re.search(r'id="organisation-status">(.*?)</dd>', page, re.S)
    assert status is not None and "Not accredited" in status.group(1)
