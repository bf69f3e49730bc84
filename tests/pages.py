"""What a page shows, for tests that check something is absent from it.

"X is not on the page" proves nothing if the page was a redirect, an error or the wrong page: those
show no X either. `rendered` first insists on the page expected (status 200 and its main heading).
"""

import html
import re

from django.http import HttpResponse

_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def headings(page: str) -> list[str]:
    """The text of every h1, tags stripped, entities decoded, whitespace collapsed."""
    return [" ".join(html.unescape(_TAG.sub("", found)).split()) for found in _H1.findall(page)]


def rendered(response: HttpResponse, *, heading: str) -> str:
    """The page's HTML (tokens blanked), once it is shown to be the page expected: 200 with this h1."""
    assert response.status_code == 200, f"expected the page, got {response.status_code}"
    page = response.content.decode()
    assert heading in headings(page), f"expected h1 {heading!r}, the page has {headings(page)}"
    return without_tokens(page)


def without_tokens(page: str) -> str:
    """The page with each form's CSRF token blanked.

    Every signed-in page carries one (the sign-out form): 64 random letters and digits, which hold a
    given three-letter name about once in 4,000 pages. "Amy is not on the page" must not fail on that.
    """
    return _CSRF_VALUE.sub(r"\1\2", page)


def handed_to_template(response: HttpResponse) -> str:
    """Everything a view handed its templates (each context value's repr, nested values and all): a value
    hidden from the viewer must not be here, or only the template keeps it off the page (session 39)."""
    context = getattr(response, "context", None)
    assert context, "no template context captured: the check would prove nothing"
    return "\n".join(repr(value) for layer in context for values in layer.dicts for value in values.values())
