"""The researcher's question pages: ask on a call, "My questions", one question.

The call's page shows the published questions and the form through
questions.templatetags.questions_public; the form posts here. A refused
question comes back on this app's own page with what was typed: 429 past the
limit (config.limits "question", per person), 403 once questions have closed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from catalogue.models import Opportunity
from config import limits
from questions import permissions, selectors, services
from questions.forms import QuestionForm
from questions.models import Question


def _call_or_404(slug: str) -> Opportunity:
    try:
        return selectors.opportunity_for_questions(slug)
    except Opportunity.DoesNotExist as missing:
        raise Http404(_("No such opportunity.")) from missing


def _ask_page(request, opportunity, form, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "questions/ask.html",
        {
            "opportunity": opportunity,
            "form": form,
            "is_open": permissions.questions_open(opportunity, now=timezone.now()),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = _call_or_404(slug)
    if request.method != "POST":
        return _ask_page(request, opportunity, QuestionForm())
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _ask_page(request, opportunity, form, status=400)
    if not permissions.questions_open(opportunity, now=timezone.now()):
        form.add_error(None, str(services.QuestionsClosed(opportunity)))
        return _ask_page(request, opportunity, form, status=403)
    exceeded = limits.hit(request, "question", key=f"user:{request.user.pk}")
    if exceeded:
        form.add_error(None, exceeded.message)
        response = _ask_page(request, opportunity, form, status=429)
        response["Retry-After"] = str(exceeded.retry_after)
        return response
    try:
        services.ask_question(
            opportunity=opportunity,
            asker=request.user,
            text=form.cleaned_data["text"],
            language=get_language() or "en",
        )
    except (services.QuestionsClosed, services.QuestionRefused) as refusal:
        form.add_error(None, str(refusal))
        closed = isinstance(refusal, services.QuestionsClosed)
        return _ask_page(request, opportunity, form, status=403 if closed else 400)
    messages.success(
        request,
        _(
            "Your question has been sent to the call's contacts. You will be "
            "told by email when it is answered; follow it under “My questions”."
        ),
    )
    return redirect(opportunity.get_absolute_url() + "#questions")


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "questions/mine.html",
        {
            "questions": list(selectors.asked_by(request.user)),
            "contact_questions": list(selectors.on_calls_of_contact(request.user)),
        },
    )


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        question = selectors.question_for(request.user, pk)
    except Question.DoesNotExist as missing:
        raise Http404(_("No such question.")) from missing
    return render(
        request,
        "questions/detail.html",
        {
            "question": question,
            "opportunity": question.opportunity,
            "is_asker": question.asker_id == request.user.pk,
        },
    )
