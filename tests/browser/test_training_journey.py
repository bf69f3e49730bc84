"""A practitioner whose training has lapsed is sent to the course, takes it, passes and reaches search."""

import pytest

from tests.browser.conftest import Pages
from tests.browser.signed_in import browser_signed_in, check_on_a_phone
from tests.personas import World
from training.course import PAGES, QUESTIONS

pytestmark = pytest.mark.browser


def test_a_lapsed_practitioner_takes_the_course_passes_and_reaches_search(pages: Pages, world: World) -> None:
    client = browser_signed_in(pages, world.tom)
    page = pages.page
    pages.goto("/children/search/")
    page.get_by_role("heading", level=1, name="ContactPoint training").wait_for()
    assert "Your ContactPoint training has expired" in page.locator("main").inner_text()
    check_on_a_phone(pages, "training-course")

    page.get_by_role("link", name=PAGES[0].title).click()
    for following in PAGES[1:]:
        page.get_by_role("heading", level=1).wait_for()
        assert "Example Child One" in page.locator("main").inner_text()
        page.get_by_role("link", name=f"Next: {following.title}").click()
    page.get_by_role("heading", level=1, name=PAGES[-1].title).wait_for()
    pages.check("training-page")
    page.get_by_role("link", name="Start the assessment").click()
    page.get_by_role("heading", level=1, name="Training assessment").wait_for()
    check_on_a_phone(pages, "training-assessment")

    orders = client.session["training_option_orders"]  # the options are shown in a shuffled order
    for key in client.session["training_questions"]:
        page.locator(f"#{key}-{orders[key].index(QUESTIONS[key].answer)}").check()
    page.get_by_role("button", name="Submit your answers").click()
    page.get_by_role("heading", level=1, name="You have passed the training").wait_for()
    pages.check("training-passed")

    page.get_by_role("link", name="Continue to ContactPoint").click()
    page.get_by_role("heading", level=1, name="Find a child").wait_for()
    pages.check("search-after-training")
