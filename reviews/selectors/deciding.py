"""Reads of decisions: the letters, what is still undecided, and what the
proposer reads once the decisions are released."""

from dataclasses import dataclass

from django.db.models import QuerySet

from proposals.enums import ProposalStage
from proposals.models import Proposal
from proposals.permissions import can_view_proposal
from reviews.enums import DEFAULT_LETTERS, DecisionOutcome
from reviews.models import Decision, DecisionLetterTemplate
from reviews.selectors.panel import AWAITING_REVIEW
from reviews.selectors.reviewing import counted_reviews


def decisions_for_opportunity(*, opportunity) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(proposal__opportunity=opportunity)
        .select_related("proposal__principal_investigator", "decided_by")
        .order_by("proposal__reference")
    )


def proposals_without_decision(*, opportunity) -> QuerySet[Proposal]:
    """Proposals still in review (submitted or under review, either stage) that
    have no decision: what release_decisions refuses to leave behind."""
    return (
        Proposal.objects.filter(opportunity=opportunity, status__in=AWAITING_REVIEW)
        .filter(decision__isnull=True)
        .order_by("reference", "pk")
    )


def letter_template_body(*, opportunity, outcome: str) -> str:
    """The opportunity's own letter for `outcome`, else the default (in the
    active language)."""
    template = DecisionLetterTemplate.objects.filter(
        opportunity=opportunity, outcome=outcome
    ).first()
    if template is not None:
        return template.body
    return str(DEFAULT_LETTERS[DecisionOutcome(outcome)])


def proposer_comments(*, proposal, stage: str = ProposalStage.FULL) -> list[str]:
    """The counted reviews' comments meant for the proposer, in assignment order,
    without names; empty comments left out."""
    return [
        review.comments_for_proposer.strip()
        for review in counted_reviews(proposal, stage)
        if review.comments_for_proposer.strip()
    ]


@dataclass(frozen=True)
class ProposerDecision:
    outcome: str
    outcome_label: str
    letter: str
    comments: tuple[str, ...]
    released_at: object


def decision_for_proposer(*, user, proposal) -> ProposerDecision | None:
    """The released decision for the proposal's PI, team or an administrator;
    None before release or for anyone else."""
    if not can_view_proposal(user, proposal):
        return None
    decision = Decision.objects.filter(
        proposal=proposal, released_at__isnull=False
    ).first()
    if decision is None:
        return None
    return ProposerDecision(
        outcome=decision.outcome,
        outcome_label=str(DecisionOutcome(decision.outcome).label),
        letter=decision.letter,
        comments=tuple(proposer_comments(proposal=proposal)),
        released_at=decision.released_at,
    )
