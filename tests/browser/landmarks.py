"""Every page of the newer journeys at 1280, 375 and 390 px, with axe's landmark rules on top.

`Pages.check` fails on serious or critical axe findings; issue 13 also asks for no "region" or
"landmark" findings at all (axe rates most of those moderate), so content outside a landmark, or a
second main or banner, fails here too.
"""

from tests.browser.conftest import Pages, page_has_no_axe
from tests.browser.signed_in import check_on_a_phone


def landmark_violations(pages: Pages) -> list[str]:
    """Any axe "region" or "landmark-*" finding on the page as it is now, whatever its impact."""
    if page_has_no_axe(pages.page):
        pages.accessibility_violations()  # loads axe the same way Pages.check does
    found: list[str] = pages.page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter(v => v.id === "region" || v.id.startsWith("landmark"))
                .map(v => `axe ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target)}`);
        }"""
    )
    return found


def check_page(pages: Pages, name: str) -> None:
    """Screenshots at every width, axe (serious, critical, landmarks), one h1, nothing sideways."""
    check_on_a_phone(pages, name)
    found = landmark_violations(pages)
    assert not found, f"{pages.prefix}{pages.steps:02d}-{name}: {found}"
