"""The training course pages: open to any signed-in person past the second factor, including one whose
training has lapsed (the account guard sends them here instead of refusing: accounts.middleware)."""

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
from training.course import PAGES, PRACTICE_CHILDREN, QUESTIONS, assessment_mark, questions_draw
from training.services import Refusal, assessment_record, attempt_refusal, refusal_record

_DRAWN = "training_questions"
_PAGES = {page.slug: page for page in PAGES}


@login_required
@require_http_methods(["GET"])
def course(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "pages": PAGES,
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
    stored = request.session.get(_DRAWN)
    drawn: list[str] = stored if isinstance(stored, list) else []
    valid = bool(drawn) and all(key in QUESTIONS for key in drawn)
    if request.method == "GET" or not valid:
        if not valid:
            request.session[_DRAWN] = questions_draw(settings.TRAINING_QUESTIONS_PER_ATTEMPT)
        if request.method == "POST":
            return redirect("training:assessment")
        questions = [QUESTIONS[key] for key in request.session[_DRAWN]]
        return render(request, "training/assessment.html", {"questions": questions})
    answers = {key: request.POST.get(key, "") for key in drawn}
    marked = assessment_mark(drawn, answers)
    del request.session[_DRAWN]  # a new attempt draws new questions
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


def _next_minute(moment: datetime) -> datetime:
    """The moment in local time, rounded up to the minute: "after 14:05" is never before it."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local


def _refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    context = {"refusal": refusal, "next_attempt_after": _next_minute(refusal.next_attempt_after)}
    return render(request, "training/refused.html", context)
