"""The review's form asks two questions, each in its own fieldset with its own legend: what the decision
is, and (for a link) which child. Found in the browser: the children to link were radios under the
"Your decision" legend beside the decisions, so a screen reader announced "Child 123 456 7890" as one of
the decisions, and nothing said the child mattered only for a link."""

import re

from django.urls import reverse

from linkage.tests.test_review_pages import _possible_match
from tests.journeys import signed_in


def _fieldsets(page: str) -> list[tuple[str, list[str]]]:
    """(legend, the names of its radios) for each fieldset of the page's form."""
    found = []
    for fieldset in re.findall(r"<fieldset.*?</fieldset>", page, flags=re.S):
        legend = re.search(r"<legend[^>]*>(.*?)</legend>", fieldset, flags=re.S)
        names = sorted(
            set(re.findall(r'type="radio"[^>]*name="([^"]+)"|name="([^"]+)"[^>]*type="radio"', fieldset))
        )
        found.append(
            (
                re.sub(r"<[^>]+>|\s+", " ", legend.group(1)).strip() if legend else "",
                sorted({a or b for a, b in names}),
            )
        )
    return found


def test_the_decision_and_the_child_to_link_are_asked_in_fieldsets_of_their_own(world, child):
    review = _possible_match(world, child)
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()

    assert _fieldsets(page) == [
        ("Your decision", ["decision"]),
        ("If you link it: which child is it?", ["child"]),
    ]
