"""Reads of decisions: the letters, what is still undecided, and what the
proposer reads once the decisions are released."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower

from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, TeamMember
from proposals.permissions import can_view_proposal
from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    DEFAULT_LETTERS,
    AssignmentStatus,
    DecisionOutcome,
    ReviewStatus,
)
from reviews.models import Decision, DecisionLetterTemplate
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
        Proposal.objects.filter(
            opportunity=opportunity, status__in=ProposalStatus.in_review()
        )
        .filter(decision__isnull=True)
        .order_by("reference", "pk")
    )


def _ranked(
    opportunity, stage: str, figure_set: int | None = None
) -> QuerySet[Proposal]:
    """The ranking's rows of proposals at `stage`, best weighted mean first
    (at the kept figures' set `figure_set` when the caller has looked it up)."""
    from reviews.selectors.standings import (  # noqa: PLC0415 — it imports panel.py
        RANKING_SORTS,
        ranking_rows,
    )

    return (
        ranking_rows(opportunity=opportunity, stage=stage, figure_set=figure_set)
        .filter(stage=stage)
        .order_by(*RANKING_SORTS["rank_mean"])
    )


def letters_to_decide(*, opportunity) -> QuerySet[Proposal]:
    """The call's letters of intent in review, ranked (reviews.selectors.standings's
    figures), best first: the letters page, a page at a time."""
    return _ranked(opportunity, ProposalStage.LETTER_OF_INTENT).filter(
        status__in=ProposalStatus.in_review()
    )


def letters_decided(*, opportunity) -> QuerySet[Proposal]:
    """The call's letters already shortlisted (now full proposals) or declined,
    by reference (without the ranking's figures, which the list does not show)."""
    from reviews.selectors.standings import ranked_proposals  # noqa: PLC0415

    return (
        ranked_proposals(opportunity=opportunity, stage=ProposalStage.LETTER_OF_INTENT)
        .exclude(
            stage=ProposalStage.LETTER_OF_INTENT,
            status__in=ProposalStatus.in_review(),
        )
        .order_by("reference", "pk")
    )


# The full proposals of the decisions page, among those ranked at the full stage.
_TO_DECIDE = Q(status__in=ProposalStatus.in_review()) | Q(decision__isnull=False)


def proposals_to_decide(
    *, opportunity, figure_set: int | None = None
) -> QuerySet[Proposal]:
    """Every full proposal in review or decided, ranked, best first, with its
    decision: the decisions page, a page at a time."""
    return _ranked(opportunity, ProposalStage.FULL, figure_set).filter(_TO_DECIDE)


def decision_counts(*, opportunity) -> dict[str, int]:
    """The decisions recorded on the decisions page's proposals, by outcome,
    and "" for those still undecided (one query, without the ranking's
    figures)."""
    from reviews.selectors.standings import ranked_proposals  # noqa: PLC0415

    return dict(
        ranked_proposals(opportunity=opportunity, stage=ProposalStage.FULL)
        .filter(_TO_DECIDE, stage=ProposalStage.FULL)
        .order_by()
        .values_list(Coalesce("decision__outcome", Value("")))
        .annotate(count=Count("pk"))
    )


def decision_on(*, proposal) -> Decision | None:
    return Decision.objects.filter(proposal=proposal).first()


def letter_templates(*, opportunity) -> dict[str, str]:
    """The call's own letter body for each outcome that has one."""
    return dict(
        DecisionLetterTemplate.objects.filter(opportunity=opportunity).values_list(
            "outcome", "body"
        )
    )


def _review_counts(prefix: str = "") -> dict:
    """`reviews_in` (accepted, review submitted) and `reviews_assigned` (invited
    or accepted) of the proposal at its stage, counted in SQL; `prefix` leads
    from the queried model to the proposal."""
    assignments = f"{prefix}review_assignments"
    at_stage = Q(**{f"{assignments}__stage": F(f"{prefix}stage")})
    return {
        "reviews_in": Count(
            assignments,
            filter=at_stage
            & Q(
                **{
                    f"{assignments}__status": AssignmentStatus.ACCEPTED,
                    f"{assignments}__review__status": ReviewStatus.SUBMITTED,
                }
            ),
            distinct=True,
        ),
        "reviews_assigned": Count(
            assignments,
            filter=at_stage
            & Q(**{f"{assignments}__status__in": ACTIVE_ASSIGNMENT_STATUSES}),
            distinct=True,
        ),
    }


def decisions_to_release(*, opportunity) -> QuerySet[Decision]:
    """The call's decisions not yet released on proposals still in review, by
    reference, each with the proposal's `reviews_in` / `reviews_assigned`."""
    return (
        Decision.objects.filter(
            proposal__opportunity=opportunity,
            proposal__status__in=ProposalStatus.in_review(),
            released_at__isnull=True,
        )
        .select_related("proposal__principal_investigator")
        .annotate(**_review_counts("proposal__"))
        .order_by("proposal__reference", "pk")
    )


@dataclass(frozen=True)
class ReleaseSummary:
    outcomes: tuple[tuple[str, int], ...]  # (label, count) for each outcome
    decisions: int
    recipients: int  # emails sent: each investigator and team member once


def release_summary(*, opportunity) -> ReleaseSummary:
    """What "Release all decisions" will do, counted in SQL (two queries). The
    reviews still outstanding are reviews.services.outstanding_reviews's: the
    number release_decisions asks to confirm."""
    waiting = Decision.objects.filter(
        proposal__opportunity=opportunity,
        proposal__status__in=ProposalStatus.in_review(),
        released_at__isnull=True,
    )
    counts = dict(waiting.values_list("outcome").annotate(count=Count("pk")).order_by())
    members = (
        TeamMember.objects.filter(proposal__decision__in=waiting)
        .annotate(address=Lower("email"))
        .exclude(address=Lower(F("proposal__principal_investigator__email")))
        .values("proposal_id", "address")
        .distinct()
        .count()
    )
    decisions = sum(counts.values())
    return ReleaseSummary(
        outcomes=tuple(
            (str(outcome.label), counts.get(outcome.value, 0))
            for outcome in DecisionOutcome
        ),
        decisions=decisions,
        recipients=decisions + members,
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
    consensus: str = ""


def decision_for_proposer(*, user, proposal) -> ProposerDecision | None:
    """The released decision for the proposal's PI, team or an administrator,
    with the panel's consensus report (empty when none was written); None
    before release or for anyone else."""
    if not can_view_proposal(user, proposal):
        return None
    decision = (
        Decision.objects.filter(proposal=proposal, released_at__isnull=False)
        .select_related("proposal__consensus_report")
        .first()
    )
    if decision is None:
        return None
    return ProposerDecision(
        outcome=decision.outcome,
        outcome_label=str(DecisionOutcome(decision.outcome).label),
        letter=decision.letter,
        comments=tuple(proposer_comments(proposal=proposal)),
        released_at=decision.released_at,
        consensus=_consensus_body(decision.proposal),
    )


def _consensus_body(proposal) -> str:
    report = getattr(proposal, "consensus_report", None)
    return report.body.strip() if report is not None else ""
