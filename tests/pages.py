"""What a page shows, for tests that check something is absent from it.

"X is not on the page" proves nothing if the page was a redirect, an error or the wrong page: those
show no X either. `rendered` first insists on the page expected (status 200 and its main heading).
"""

import html
import re

from django.http import HttpResponse

_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def headings(page: str) -> list[str]:
    """The text of every h1, tags stripped, entities decoded, whitespace collapsed."""
    return [" ".join(html.unescape(_TAG.sub("", found)).split()) for found in _H1.findall(page)]


def rendered(response: HttpResponse, *, heading: str) -> str:
    """The page's HTML, once it is shown to be the page expected: 200 with this h1."""
    assert response.status_code == 200, f"expected the page, got {response.status_code}"
    page = response.content.decode()
    assert heading in headings(page), f"expected h1 {heading!r}, the page has {headings(page)}"
    return page
