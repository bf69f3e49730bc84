"""The subject access report discloses the previous postcodes the index keeps, never a shielded child's."""

from dataclasses import replace

from django.urls import reverse

from children.models import Child
from children.records import Address
from children.selectors import child_details
from children.services import child_details_update
from reports.subject_access import WITHHELD_SHIELDED
from tests.journeys import signed_in
from tests.pages import rendered

REQUEST = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}


def _moved(child: Child) -> Child:
    details = child_details(child)
    moved = replace(details, address=Address(lines=["3 New Row", "Harrogate"], postcode="HG1 2AB"))
    child_details_update(child=child, details=moved, columns=["address"], by=None)
    return Child.objects.get(pk=child.pk)


def _report_page(world, child):
    response = signed_in(world.lena).post(reverse("audit:subject_access", args=[child.pk]), REQUEST)
    return rendered(response, heading="Subject access report")


def test_the_report_lists_the_previous_postcodes_held(world, child):
    body = _report_page(world, _moved(child))
    row = body[body.index("Previous postcodes") :][:200]
    assert "LS1 4AB" in row


def test_a_shielded_childs_previous_postcodes_are_withheld(world, shielded_child):
    body = _report_page(world, _moved(shielded_child))
    assert "LS6 2QT" not in body and "HG1 2AB" not in body
    row = body[body.index("Previous postcodes") :][:200]
    assert WITHHELD_SHIELDED in row
