"""The LA team's comparison pages in a real browser, showing only what the policy lets the team see:
the brokering page (another LA's sensitive service named only as that LA's to broker), the merge
comparison and the clerical review (an NHS number the team did not issue: held, never its value).
Every page is checked at 1280, 375 and 390 px with axe (serious, critical and landmark findings)."""

import pytest

from children.records import SensitiveCategory
from coordination.tests.support import record
from linkage.tests.test_review_pages import _possible_match
from tests.browser.conftest import Pages
from tests.browser.landmarks import check_page
from tests.browser.signed_in import browser_signed_in
from tests.personas import World, make_child

pytestmark = pytest.mark.browser


def test_the_la_team_compares_records_seeing_only_what_the_policy_allows(
    pages: Pages, world: World, child, shielded_child
) -> None:
    page = pages.page
    sibling = make_child(
        world, given_names="Noah", family_name="Thornton", postcode="SO14 2DF", la=world.south
    )
    record(shielded_child, world.alice, role="Allocated social worker")
    record(
        sibling,
        world.bob,
        role="Sexual health outreach nurse",
        sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
    )
    browser_signed_in(pages, world.lena)

    pages.goto("/coordination/brokering/")
    page.get_by_role("heading", level=1, name="Matches about shielded children").wait_for()
    body = page.locator("main").inner_text()
    assert "Allocated social worker" in body and "Noah Thornton" in body
    assert "Sexual health outreach nurse" not in body
    assert "Southborough Council's LA team brokers contact with this service" in body
    check_page(pages, "brokering")

    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    pages.goto(f"/reviews/merge/{child.pk}/{duplicate.pk}/")
    page.get_by_role("heading", level=1, name="Are these the same child?").wait_for()
    body = page.locator("#merge-side-by-side").inner_text()
    assert "NHS number held, issued by another body" in body and "943 476 5919" not in body
    check_page(pages, "merge-compare")

    review = _possible_match(world, child)  # the incoming row carries no NHS number
    pages.goto(f"/reviews/{review.pk}/")
    page.get_by_role("heading", level=1, name="Is this incoming record one of these children?").wait_for()
    body = page.locator("#side-by-side").inner_text()
    assert "Held, issued by another body" in body and "943 476 5919" not in body
    check_page(pages, "review")
