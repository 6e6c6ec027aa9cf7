"""Ask us anonymously, under /youth/ask/: the form, the reference shown once, reading the answer with it, and the
answers published on the youth site.

Nothing here asks for or keeps who the young person is. The reference is put in the session only between the
form and the page that shows it, and taken out as it is shown (so a reload does not show it again).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.ratelimit import ratelimit
from openbeat.youth import selectors, services
from openbeat.youth.forms import AskForm, ReferenceForm

T = "youth"
SESSION_KEY = "youth-reference"


def _ask_page(request: HttpRequest, form: AskForm, status: int = 200) -> HttpResponse:
    return render(request, f"{T}/ask.html", {"form": form}, status=status)


@ratelimit(key="youth-ask", limit=settings.YOUTH_ASK_LIMIT, period=3600)
def _ask_submit(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST)
    if form.is_valid():
        try:
            submitted = services.question_submit(text=form.cleaned_data["text"])
        except services.YouthInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            request.session[SESSION_KEY] = submitted.reference
            return redirect("youth:sent")
    return _ask_page(request, form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _ask_submit(request)
    return _ask_page(request, AskForm())


@never_cache
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop(SESSION_KEY, None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
    if reference is None:
        return redirect("youth:answer")
    return render(request, f"{T}/sent.html", {"reference": reference})


@ratelimit(key="youth-answer", limit=settings.YOUTH_ANSWER_LIMIT, period=3600)
def _answer_submit(request: HttpRequest) -> HttpResponse:
    form = ReferenceForm(request.POST)
    if form.is_valid():
        question = selectors.question_by_reference(form.cleaned_data["reference"])
        if question is not None:
            return render(request, f"{T}/answer.html", {"question": question})
        # The same words for a mistyped reference and a made-up one: nothing about any question is given away.
        form.add_error("reference", "We could not find a question with that reference. Check it and try again")
    return render(request, f"{T}/answer_form.html", {"form": form}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest) -> HttpResponse:
    """Reading an answer: the reference goes in a POST, so it is in no address, history or server log."""
    if request.method == "POST":
        return _answer_submit(request)
    return render(request, f"{T}/answer_form.html", {"form": ReferenceForm()})


@require_GET
def answered(request: HttpRequest) -> HttpResponse:
    return render(request, f"{T}/answered.html", {"questions": selectors.published_questions()[:100]})
