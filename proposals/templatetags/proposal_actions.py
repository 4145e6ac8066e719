"""What the public page of a call offers about proposals, so the catalogue's view
need not know about them.

{% load proposal_actions %}
{% proposal_action opportunity as action %}   action.kind is one of "start",
    "letter", "continue", "sign_in", "letters_closed" or "" (nothing to offer:
    the call is not open); action.proposal is the visitor's proposal to continue.
"""

from dataclasses import dataclass

from django import template
from django.utils import timezone

from proposals import selectors

register = template.Library()


@dataclass(frozen=True)
class ProposalAction:
    kind: str
    proposal: object = None


@register.simple_tag(takes_context=True)
def proposal_action(context, opportunity) -> ProposalAction:
    now = timezone.now()
    if not opportunity.is_open_at(now):
        return ProposalAction("")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ProposalAction("sign_in")
    proposal = selectors.proposal_in_opportunity_for_user(
        user=user, opportunity=opportunity
    )
    if proposal is not None:
        return ProposalAction("continue", proposal)
    if opportunity.has_loi_stage:
        if now < opportunity.loi_deadline:
            return ProposalAction("letter")
        return ProposalAction("letters_closed")
    return ProposalAction("start")
