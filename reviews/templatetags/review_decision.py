"""The released decision on a proposal, for its proposers' pages.

`{% proposal_decision proposal %}` renders templates/proposals/_decision.html:
the outcome, the letter and the reviewers' comments meant for the proposer
(reviews.selectors.decision_for_proposer) — never a reviewer's name, score or
confidential comment — and nothing before the decisions are released or for
anyone who may not read the proposal.
"""

from django import template

from reviews.selectors import decision_for_proposer

register = template.Library()


@register.inclusion_tag("proposals/_decision.html", takes_context=True)
def proposal_decision(context, proposal) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"decision": decision_for_proposer(user=user, proposal=proposal)}
