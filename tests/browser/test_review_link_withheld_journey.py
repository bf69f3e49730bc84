"""The LA team reviewing a row from a source not entitled to their LA is told, before and after deciding,
that a link records the identity and writes nothing the source sent."""

import pytest
from django.urls import reverse

from accounts.models import Role
from feeds.review import ReviewDecision
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage.models import ClericalReview
from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World, make_child, make_user

pytestmark = pytest.mark.browser

WITHHELD = "The source that sent this record is not entitled to supply records for your local authority"


def test_the_la_team_reads_that_a_link_will_write_nothing_then_that_it_wrote_nothing(
    pages: Pages, world: World
) -> None:
    shielded = make_child(world, la=world.south, shielded=True)
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-04",
        address_line="8 Fernbank Way",
        town="Leeds",
        postcode="LS2 9JT",
    )
    ingest(health_source(world), [row], "b1")
    review = ClericalReview.objects.get()
    browser_signed_in(pages, make_user("sian", world.south, Role.LA_TEAM))
    page = pages.page

    pages.goto(reverse("linkage:review", args=[review.pk]))
    assert WITHHELD in page.locator("#link-withheld").inner_text()
    pages.check("review-link-withheld")
    check_on_a_phone(pages, "review-link-withheld")

    page.locator(f"input[name='child'][value='{shielded.pk}']").check()
    page.locator(f"input[name='decision'][value='{ReviewDecision.LINK}']").check()
    page.get_by_role("button", name="Record decision").click()
    banner = page.locator(".govuk-notification-banner")
    banner.wait_for()
    assert "Decision recorded." in banner.inner_text() and WITHHELD in banner.inner_text()
    pages.check("review-linked-nothing-written")
