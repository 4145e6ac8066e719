"""Decisions: letters of intent shortlisted or declined, full proposals selected,
conditionally selected or not, and all of a call's decisions released at once."""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Window
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue import workflow as catalogue_workflow
from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from proposals import services as proposal_services
from proposals import workflow as proposal_workflow
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import ProposalEvent
from reviews import emails, workflow
from reviews.enums import (
    DEFAULT_LETTERS,
    AssignmentStatus,
    DecisionOutcome,
    ReviewStatus,
)
from reviews.models import Decision, DecisionLetterTemplate, ReviewAssignment
from reviews.permissions import can_decide, can_manage_reviews
from reviews.selectors import proposer_comments
from reviews.services.common import DecisionRefused, lock_proposal
from reviews.signals import decision_released

PLACEHOLDER = re.compile(r"\{(reference|title|call|pi_name|conditions)\}")


def render_letter(body: str, *, proposal, conditions: str = "") -> str:
    """Replace {reference}, {title}, {call}, {pi_name} and {conditions}; any other
    brace is left as written. The call's title is in the PI's language."""
    pi = proposal.principal_investigator
    opportunity = proposal.opportunity
    call = opportunity.title_en
    if pi.preferred_language.startswith("zh") and opportunity.title_zh_hans:
        call = opportunity.title_zh_hans
    values = {
        "reference": proposal.reference,
        "title": proposal.title,
        "call": call,
        "pi_name": pi.get_full_name(),
        "conditions": conditions.strip(),
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], body)


def default_letter_body(outcome: str, *, language: str) -> str:
    with translation.override(language):
        return str(DEFAULT_LETTERS[DecisionOutcome(outcome)])


@transaction.atomic
def set_letter_template(
    *, opportunity: Opportunity, outcome: str, body: str, actor
) -> DecisionLetterTemplate | None:
    """The call's own letter for `outcome`; an empty body restores the default
    (returns None)."""
    if not can_manage_reviews(actor):
        raise PermissionDenied(_("Only administrators edit decision letters."))
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if not body.strip():
        for restored in DecisionLetterTemplate.objects.filter(
            opportunity=opportunity, outcome=outcome
        ):
            restored._history_user = actor  # the audit's "who" (config.history)
            restored.delete()
        return None
    template = DecisionLetterTemplate.objects.select_for_update().filter(
        opportunity=opportunity, outcome=outcome
    ).first() or DecisionLetterTemplate(opportunity=opportunity, outcome=outcome)
    template.body = body.strip()
    template.updated_by = actor
    template._history_user = actor  # the audit's "who" (config.history)
    template.save()
    return template


def _letter_body(opportunity, outcome: str, *, language: str) -> str:
    template = DecisionLetterTemplate.objects.filter(
        opportunity=opportunity, outcome=outcome
    ).first()
    if template is not None:
        return template.body
    return default_letter_body(outcome, language=language)


@transaction.atomic
def record_decision(
    *,
    proposal,
    outcome: str,
    actor,
    letter: str | None = None,
    conditions: str = "",
    now=None,
) -> Decision:
    """Record (or change, until released) the decision on a full proposal in
    review. Without a `letter`, the call's template for the outcome (else the
    default, in the investigator's language) is filled in. A conditional
    selection states its conditions. Nothing is sent until release_decisions.
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only administrators record decisions."))
    now = now or timezone.now()
    locked = lock_proposal(proposal)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if locked.stage == ProposalStage.LETTER_OF_INTENT:
        raise DecisionRefused(
            _("Letters of intent are shortlisted or declined, not selected.")
        )
    if locked.status not in ProposalStatus.in_review():
        raise DecisionRefused(
            _("This proposal is %(status)s and cannot be decided.")
            % {"status": locked.get_status_display().lower()}
        )
    if outcome == DecisionOutcome.CONDITIONALLY_SELECTED and not conditions.strip():
        raise ValidationError(
            {"conditions": _("A conditional selection states its conditions.")}
        )
    existing = Decision.objects.select_for_update().filter(proposal=locked).first()
    if existing is not None and existing.is_released:
        raise DecisionRefused(_("This decision has been released already."))
    if not (letter or "").strip():
        body = _letter_body(
            locked.opportunity,
            outcome,
            language=locked.principal_investigator.preferred_language,
        )
        letter = render_letter(body, proposal=locked, conditions=conditions)
    decision = existing or Decision(proposal=locked)
    decision.outcome = outcome
    decision.conditions = conditions.strip()
    decision.letter = letter.strip()
    decision.decided_by = actor
    decision.decided_at = now
    decision._history_user = actor  # the audit's "who" (config.history)
    decision.save()
    return decision


def release_problems(opportunity: Opportunity) -> list[str]:
    """Why the call's decisions cannot be released; empty when they can."""
    problems = _call_problems(opportunity)
    if problems:
        return problems
    return [
        _proposal_problem(reference, stage)
        for reference, stage in _holding_release(opportunity).values_list(
            "reference", "stage"
        )
    ]


def first_release_problems(
    opportunity: Opportunity, *, shown: int
) -> tuple[list[str], int]:
    """The first `shown` of release_problems and how many more there are, in
    one query at most: what a page lists, whatever the size of the call."""
    problems = _call_problems(opportunity)
    if problems:
        return problems[:shown], max(0, len(problems) - shown)
    first = list(
        _holding_release(opportunity)
        .annotate(holding=Window(Count("pk")))
        .values_list("reference", "stage", "holding")[:shown]
    )
    total = first[0][2] if first else 0
    return [
        _proposal_problem(reference, stage) for reference, stage, _total in first
    ], total - len(first)


def _call_problems(opportunity: Opportunity) -> list[str]:
    if opportunity.status == OpportunityStatus.DECIDED:
        return [_("The decisions of this call have been released already.")]
    if opportunity.status != OpportunityStatus.CLOSED:
        return [
            _("Close the call before releasing its decisions (it is %(status)s).")
            % {"status": opportunity.get_status_display().lower()}
        ]
    return []


def _holding_release(opportunity: Opportunity):
    """The call's proposals in review that hold the release back, by reference:
    letters of intent still to shortlist or decline, full proposals without a
    decision."""
    return (
        opportunity.proposals.filter(status__in=ProposalStatus.in_review())
        .filter(Q(stage=ProposalStage.LETTER_OF_INTENT) | Q(decision__isnull=True))
        .order_by("reference", "pk")
    )


def _proposal_problem(reference: str, stage: str) -> str:
    if stage == ProposalStage.LETTER_OF_INTENT:
        return _(
            "%(reference)s is a letter of intent still to shortlist or decline."
        ) % {"reference": reference}
    return _("%(reference)s has no decision.") % {"reference": reference}


@dataclass(frozen=True)
class OutstandingReviews:
    """The call's full-stage reviews still awaited at release: `assigned`
    active assignments (invited or accepted) on proposals in review, of which
    `outstanding` have no submitted review."""

    outstanding: int
    assigned: int


def outstanding_reviews(opportunity: Opportunity) -> OutstandingReviews:
    """How many assigned reviews of the call are outstanding (one query): what
    release_decisions asks the administrator to confirm, and the release page
    shows ("3 of 10 assigned reviews are outstanding")."""
    counts = ReviewAssignment.objects.filter(
        proposal__opportunity=opportunity,
        proposal__status__in=ProposalStatus.in_review(),
        stage=ProposalStage.FULL,
        status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED],
    ).aggregate(
        assigned=Count("pk"),
        submitted=Count(
            "pk",
            filter=Q(
                status=AssignmentStatus.ACCEPTED, review__status=ReviewStatus.SUBMITTED
            ),
        ),
    )
    return OutstandingReviews(
        outstanding=counts["assigned"] - counts["submitted"],
        assigned=counts["assigned"],
    )


def _unconfirmed(count: int) -> str:
    return ngettext(
        "%(count)s assigned review is still outstanding. Confirm that you "
        "release the decisions without it by giving this number.",
        "%(count)s assigned reviews are still outstanding. Confirm that you "
        "release the decisions without them by giving this number.",
        count,
    ) % {"count": count}


@transaction.atomic
def release_decisions(
    *,
    opportunity: Opportunity,
    actor,
    outstanding_confirmed: int | None = None,
    now=None,
) -> list[Decision]:
    """Release every decision of a closed call at once, and close its review.

    Refused with DecisionRefused (every reason) unless the call is closed and
    every proposal still in review has a decision; refused too while assigned
    reviews are outstanding (`outstanding_reviews`) and `outstanding_confirmed`
    is not their number, with a message naming it. Each proposal moves through
    proposals.workflow to its outcome (through "under review" if no reviewer was
    ever assigned); its principal investigator and team get one email with the
    letter, the panel's consensus report and the reviewers' comments meant for
    them (no names, scores or confidential comments). Every open assignment of
    the call, either stage (invited, or accepted with a draft or reopened
    review), is cancelled through reviews.workflow with the note "Decisions
    released.", and each reviewer concerned gets one email listing theirs.
    The call moves to "decided" (catalogue.workflow) and its CNSA contacts
    get one summary (counts by outcome, links to the ranking and decisions).
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only administrators release decisions."))
    now = now or timezone.now()
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    problems = release_problems(locked)
    if problems:
        raise DecisionRefused(problems)
    outstanding = outstanding_reviews(locked).outstanding
    if outstanding and outstanding_confirmed != outstanding:
        raise DecisionRefused(_unconfirmed(outstanding))
    decisions = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(
            proposal__opportunity=locked,
            proposal__status__in=ProposalStatus.in_review(),
            released_at__isnull=True,
        )
        .select_related("proposal__consensus_report")
        .order_by("proposal__reference", "pk")
    )
    for decision in decisions:
        proposal = decision.proposal
        report = getattr(proposal, "consensus_report", None)
        if proposal.status == ProposalStatus.SUBMITTED:
            proposal_workflow.transition(
                proposal,
                to=ProposalStatus.UNDER_REVIEW,
                actor=actor,
                message=ProposalEvent.Message.REVIEW_STARTED,
            )
        moved = proposal_workflow.transition(
            proposal,
            to=decision.outcome,
            actor=actor,
            message=ProposalEvent.Message.DECISION_RELEASED,
            params={"outcome": decision.outcome},
        )
        decision.released_at = now
        decision.released_by = actor
        decision._history_user = actor  # the audit's "who" (config.history)
        decision.save(update_fields=["released_at", "released_by"])
        decision.proposal = _with_team(moved)
        decision_released.send(sender=Decision, decision=decision, actor=actor)
        emails.decision_released(
            decision=decision,
            comments=proposer_comments(proposal=moved),
            consensus=report.body.strip() if report is not None else "",
        )
    _end_open_assignments(locked, actor=actor)
    catalogue_workflow.transition(
        opportunity,
        to=OpportunityStatus.DECIDED,
        actor=actor,
        note=_("Decisions released."),
    )
    emails.decisions_released(opportunity=locked, decisions=decisions)
    return decisions


def _end_open_assignments(opportunity: Opportunity, *, actor) -> None:
    """Cancel the call's open assignments (invited, or accepted without a
    submitted review) and tell each reviewer once, listing theirs."""
    still_open = (
        ReviewAssignment.objects.filter(proposal__opportunity=opportunity)
        .filter(
            Q(status=AssignmentStatus.INVITED)
            | Q(
                status=AssignmentStatus.ACCEPTED,
                review__status__in=[ReviewStatus.DRAFT, ReviewStatus.REOPENED],
            )
            | Q(status=AssignmentStatus.ACCEPTED, review__isnull=True)
        )
        .select_related("proposal", "reviewer")
        .order_by("reviewer_id", "proposal__reference", "pk")
    )
    ended: dict[int, list[ReviewAssignment]] = {}
    for assignment in still_open:
        workflow.transition(
            assignment,
            to=AssignmentStatus.CANCELLED,
            actor=actor,
            note=_("Decisions released."),
        )
        ended.setdefault(assignment.reviewer_id, []).append(assignment)
    for assignments in ended.values():
        emails.review_assignments_ended(
            opportunity=opportunity,
            reviewer=assignments[0].reviewer,
            assignments=assignments,
        )


def _with_team(proposal):
    """The proposal with its team and their accounts, for the decision email."""
    return (
        type(proposal)
        .objects.select_related("opportunity", "principal_investigator")
        .prefetch_related("team_members__user", "opportunity__contacts")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def decide_letter(*, proposal, shortlist: bool, actor, note: str = "", now=None):
    """Shortlist or decline a letter of intent (proposals.services), and cancel
    its letter-stage assignments whose reviews are not submitted, so their
    reviewers are not reminded any more; each of them is emailed why.

    The one door for a letter's decision, whichever button starts it (the
    panel's letters page, the proposals admin's actions): reviews.permissions
    .can_decide is checked here.
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only administrators decide on letters of intent."))
    if shortlist:
        decided = proposal_services.shortlist_letter(
            proposal=proposal, actor=actor, now=now
        )
        reason = _("The letter of intent was shortlisted.")
    else:
        decided = proposal_services.decline_letter(
            proposal=proposal, actor=actor, note=note, now=now
        )
        reason = _("The letter of intent was declined.")
    unfinished = (
        ReviewAssignment.objects.filter(
            proposal_id=proposal.pk,
            stage=ProposalStage.LETTER_OF_INTENT,
            status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED],
        )
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .order_by("pk")
    )
    for assignment in unfinished:
        cancelled = workflow.transition(
            assignment, to=AssignmentStatus.CANCELLED, actor=actor, note=reason
        )
        emails.review_assignment_cancelled(assignment=cancelled, reason=reason)
    return decided
