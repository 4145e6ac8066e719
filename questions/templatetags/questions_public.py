"""Questions and answers on the catalogue's call page.

{% load questions_public %}
{% call_questions opportunity as qa %}

The catalogue does not import questions (the apps import one way): its call
page includes templates/questions/_call_questions.html, which asks here. One
query for the published questions, one more for a signed-in reader's own
questions on the call, whatever their number.
"""

from django import template
from django.utils import timezone

from catalogue.enums import OpportunityStatus
from questions import permissions, selectors
from questions.forms import QuestionForm

register = template.Library()


@register.simple_tag(takes_context=True)
def call_questions(context, opportunity) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    published = list(selectors.published_for_call(opportunity.pk))
    is_open = permissions.questions_open(opportunity, now=timezone.now())
    return {
        "published": published,
        "shown": bool(published) or opportunity.status == OpportunityStatus.PUBLISHED,
        "is_open": is_open,
        "closes_at": opportunity.questions_close_at,
        "has_closed": timezone.now() >= opportunity.questions_close_at,
        "signed_in": signed_in,
        "form": QuestionForm() if is_open and signed_in else None,
        "mine": list(selectors.asked_on_call(user, opportunity.pk))
        if signed_in
        else [],
    }
