"""Contact details a practitioner can use from a phone: tap to call, tap to email, nothing cut off."""

from datetime import date
from itertools import pairwise

import pytest

from children.models import Child
from children.records import InvolvementDetails
from children.services import involvement_record
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.journeys import state_purpose
from tests.personas import World

pytestmark = pytest.mark.browser

LONG_EMAIL = "bartholomew.featherstonehaugh-smythe@northshire-childrens-services.example.org"


def test_involvement_contacts_are_links_that_fit_a_phone_screen(
    pages: Pages, world: World, child: Child
) -> None:
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Bartholomew Featherstonehaugh-Smythe",
            role="Family support worker",
            organisation_id=world.north_social_care.pk,
            phone="0113 496 0000",
            email=LONG_EMAIL,
            started_on=date(2024, 9, 1),
        ),
    )
    client = browser_signed_in(pages, world.bob)
    state_purpose(client, child)
    pages.goto(f"/children/{child.pk}/")
    page = pages.page
    row = page.locator("#involvements tbody tr", has_text="Family support worker")
    assert row.get_by_role("link", name="0113 496 0000").get_attribute("href") == "tel:01134960000"
    email = row.get_by_role("link", name=LONG_EMAIL)
    assert email.get_attribute("href") == f"mailto:{LONG_EMAIL}"
    assert "govuk-body-s" not in (email.get_attribute("class") or "")
    check_on_a_phone(pages, "record")

    page.set_viewport_size({"width": 390, "height": 844})
    # Each piece of the address cannot wrap inside itself; group the pieces by the line they are on.
    lines = email.evaluate(
        """(el) => {
            const lines = new Map();
            for (const piece of el.querySelectorAll("span")) {
                const top = Math.round(piece.getBoundingClientRect().top);
                lines.set(top, (lines.get(top) || "") + piece.textContent);
            }
            return [...lines.values()];
        }"""
    )
    assert "".join(lines) == LONG_EMAIL
    assert len(lines) > 1, "expected the address to wrap at 390px"
    for line, following in pairwise(lines):
        assert line.endswith("@") or following.startswith("."), lines
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert row.locator("td[data-label='Contact']").evaluate("el => getComputedStyle(el).display") == "block"
