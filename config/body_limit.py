"""A bound on the body of every request but the feeds API's, checked before anything reads it.

Django parses a form up to `DATA_UPLOAD_MAX_MEMORY_SIZE`, raised site-wide to 8 MB for the feeds API's
batches; the CSRF check reads the form of every POST before any view runs, so any form page, the sign-in
page to anyone, parsed 8 MB per request (about a second of CPU). No page's form needs more than a few
kilobytes: a body declared over `FORM_BODY_LIMIT` is refused unread as Django refuses a body over its own
limit (`RequestDataTooBig`: the service's 400 page). The feeds API keeps the 8 MB limit and its own 413.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

FEEDS_API_PREFIX = "/api/feeds/"


class FormBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.path_info.startswith(FEEDS_API_PREFIX)
            and _declared_length(request) > settings.FORM_BODY_LIMIT
        ):
            raise RequestDataTooBig("a form body over FORM_BODY_LIMIT")
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
