"""The training course pages: open to any signed-in person past the second factor, including one whose
training has lapsed (the account guard sends them here instead of refusing: accounts.middleware)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import signed_in_user
from training.course import PAGES, PRACTICE_CHILDREN, QUESTIONS, assessment_mark, questions_draw
from training.services import assessment_record

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
def assessment(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
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
    wrong = [QUESTIONS[key] for key in marked.wrong]
    context = {"marked": marked, "passed": passed, "wrong": wrong, "pass_mark": settings.TRAINING_PASS_MARK}
    return render(request, "training/result.html", context)
