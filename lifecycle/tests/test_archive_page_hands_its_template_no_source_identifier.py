"""The archive page hands its template no source identifier: it shows none, to a data manager or anyone.

Review (session 39, helper 10), after d30bcbc: `access.policy.archive_visibility` shows a data manager no
source identifier (those stay with the body that issued them), and the page prints none, yet it handed the
template the whole decrypted record with every identifier's value (only a shielded record's location was
left out). What kept the NHS number off the page was the template alone. The view leaves them out.
"""

from datetime import date

import pytest
from django.urls import reverse

from children.models import Child
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import move_to
from tests.journeys import signed_in
from tests.pages import handed_to_template, rendered
from tests.personas import make_child


@pytest.mark.parametrize("shielded", [False, True], ids=["ordinary", "shielded"])
def test_the_archive_page_hands_its_template_the_record_without_its_source_identifiers(
    world, clock, shielded
):
    child = make_child(world, shielded=shielded)
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    archived = Child.objects.get(pk=child.pk)

    response = signed_in(world.dara).post(
        reverse("lifecycle:archived_record", args=[archived.pk]), {"purpose": "data_quality"}
    )

    page = rendered(response, heading="Amelia Thornton")
    assert "4 March 2015" in page
    assert ("Quarry Lane" in page) is not shielded
    handed = handed_to_template(response)
    assert "943 476 5919" not in handed and "9434765919" not in handed
    assert response.context["details"].source_identifiers == []
