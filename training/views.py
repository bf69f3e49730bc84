"""The training course pages: open to any signed-in person past the second factor, including one whose
training has lapsed (the account guard sends them here instead of refusing: accounts.middleware).

The assessment is offered only once every course page has been opened in this session since the last
attempt was marked (pass or fail), so the course cannot be passed without opening it: the pages opened are
kept in the session (server-side, in the database), which ends at sign-out, time-out or suspension. A
person renewing a year later, or trying again after a fail, opens the pages again. Each drawn question's
options are shown in an order shuffled for that draw, kept in the session with the drawn set: the form
posts the place shown, turned back into the bank's place before marking."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from access.http import decider_ended_refused
from access.permissions import Permission
from accounts.http import signed_in_user
from training.course import (
    PAGES,
    PRACTICE_CHILDREN,
    QUESTIONS,
    Question,
    assessment_mark,
    options_shuffled,
    questions_draw,
)
from training.services import Refusal, assessment_record, attempt_refusal, refusal_record

_DRAWN = "training_questions"
_ORDERS = "training_option_orders"  # per drawn question: the bank's option places, in the order shown
_READ = "training_pages_read"  # slugs of the course pages opened since the last attempt was marked
_PAGES = {page.slug: page for page in PAGES}


@login_required
@require_http_methods(["GET"])
def course(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    read = _pages_read(request)
    context = {
        "pages": [(p, p.slug in read) for p in PAGES],
        "lapsed": not user.training_current(timezone.localdate()),
        "asked": settings.TRAINING_QUESTIONS_PER_ATTEMPT,
        "pass_mark": settings.TRAINING_PASS_MARK,
    }
    return render(request, "training/course.html", context)


@login_required
@require_http_methods(["GET"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in _PAGES:
        raise Http404
    read = _pages_read(request)
    if slug not in read:
        request.session[_READ] = [*read, slug]
    index = PAGES.index(_PAGES[slug])
    following = PAGES[index + 1] if index + 1 < len(PAGES) else None
    context = {"page": _PAGES[slug], "following": following, "practice_children": PRACTICE_CHILDREN}
    return render(request, "training/page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@decider_ended_refused(Permission.ServiceUse)  # suspended or closed as the answers were marked: nothing kept
def assessment(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "GET" and (refusal := attempt_refusal(user=user)) is not None:
        refusal_record(user=user, refusal=refusal)
        return _refused(request, refusal)
    left = [p for p in PAGES if p.slug not in _pages_read(request)]
    if left:  # nothing drawn, nothing marked: answers posted anyway are not looked at
        request.session.pop(_DRAWN, None)
        request.session.pop(_ORDERS, None)
        if request.method == "POST":
            return redirect("training:assessment")
        context = {"left": left, "read": len(PAGES) - len(left), "total": len(PAGES)}
        return render(request, "training/unread.html", context)
    drawn, orders = _drawn(request)
    if request.method == "GET" or not drawn:
        if not drawn:
            drawn = questions_draw(settings.TRAINING_QUESTIONS_PER_ATTEMPT)
            orders = {key: options_shuffled(key) for key in drawn}
            request.session[_DRAWN] = drawn
            request.session[_ORDERS] = orders
        if request.method == "POST":
            return redirect("training:assessment")
        shown = [_Shown(QUESTIONS[key], orders[key]) for key in drawn]
        return render(request, "training/assessment.html", {"questions": shown})
    answers = {key: _bank_place(request.POST.get(key, ""), orders[key]) for key in drawn}
    marked = assessment_mark(drawn, answers)
    for key in (_DRAWN, _ORDERS, _READ):  # a new attempt draws new questions, after reading again
        request.session.pop(key, None)
    passed = assessment_record(user=user, marked=marked, pass_mark=settings.TRAINING_PASS_MARK)
    if isinstance(passed, Refusal):  # nothing marked: the answers are not shown or told
        return _refused(request, passed)
    wrong = [QUESTIONS[key] for key in marked.wrong]
    following = attempt_refusal(user=user)
    context = {
        "marked": marked,
        "passed": passed,
        "wrong": wrong,
        "pass_mark": settings.TRAINING_PASS_MARK,
        "next_attempt_after": _next_minute(following.next_attempt_after) if following else None,
    }
    return render(request, "training/result.html", context)


class _Shown:
    """A drawn question as the page shows it: its options in the draw's order, each with its place shown."""

    def __init__(self, question: Question, order: list[int]) -> None:
        self.key = question.key
        self.text = question.text
        self.options = [question.options[place] for place in order]


def _pages_read(request: HttpRequest) -> list[str]:
    stored = request.session.get(_READ)
    return [slug for slug in stored if slug in _PAGES] if isinstance(stored, list) else []


def _drawn(request: HttpRequest) -> tuple[list[str], dict[str, list[int]]]:
    """The questions drawn for this attempt and their options' orders; nothing when either is missing or
    does not fit the bank (a draw kept from before a change): a new draw is made."""
    drawn, orders = request.session.get(_DRAWN), request.session.get(_ORDERS)
    if not (isinstance(drawn, list) and drawn and isinstance(orders, dict)):
        return [], {}
    for key in drawn:
        if key not in QUESTIONS or sorted(orders.get(key) or []) != list(range(len(QUESTIONS[key].options))):
            return [], {}
    return drawn, orders


def _bank_place(posted: str, order: list[int]) -> str:
    """The bank's place of the option at the place shown (as text, as marking reads it); "" if none."""
    if posted.isdigit() and int(posted) < len(order):
        return str(order[int(posted)])
    return ""


def _next_minute(moment: datetime) -> datetime:
    """The moment in local time, rounded up to the minute: "after 14:05" is never before it."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local


def _refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    context = {"refusal": refusal, "next_attempt_after": _next_minute(refusal.next_attempt_after)}
    return render(request, "training/refused.html", context)
