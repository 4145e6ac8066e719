"""Decisions: letters of intent shortlisted or declined, full proposals selected,
conditionally selected or not, and all of a call's decisions released at once."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue import workflow as catalogue_workflow
from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from proposals import services as proposal_services
from proposals import workflow as proposal_workflow
from proposals.enums import ProposalStage, ProposalStatus
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

IN_REVIEW = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW)
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
        DecisionLetterTemplate.objects.filter(
            opportunity=opportunity, outcome=outcome
        ).delete()
        return None
    template, _created = DecisionLetterTemplate.objects.update_or_create(
        opportunity=opportunity,
        outcome=outcome,
        defaults={"body": body.strip(), "updated_by": actor},
    )
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
    if locked.status not in IN_REVIEW:
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
    decision, _created = Decision.objects.update_or_create(
        proposal=locked,
        defaults={
            "outcome": outcome,
            "conditions": conditions.strip(),
            "letter": letter.strip(),
            "decided_by": actor,
            "decided_at": now,
        },
    )
    return decision


def release_problems(opportunity: Opportunity) -> list[str]:
    """Why the call's decisions cannot be released; empty when they can."""
    if opportunity.status == OpportunityStatus.DECIDED:
        return [_("The decisions of this call have been released already.")]
    if opportunity.status != OpportunityStatus.CLOSED:
        return [
            _("Close the call before releasing its decisions (it is %(status)s).")
            % {"status": opportunity.get_status_display().lower()}
        ]
    problems = []
    waiting = opportunity.proposals.filter(status__in=IN_REVIEW).select_related(
        "decision"
    )
    for proposal in waiting.order_by("reference", "pk"):
        if proposal.stage == ProposalStage.LETTER_OF_INTENT:
            problems.append(
                _("%(reference)s is a letter of intent still to shortlist or decline.")
                % {"reference": proposal.reference}
            )
        elif not hasattr(proposal, "decision"):
            problems.append(
                _("%(reference)s has no decision.") % {"reference": proposal.reference}
            )
    return problems


@transaction.atomic
def release_decisions(*, opportunity: Opportunity, actor, now=None) -> list[Decision]:
    """Release every decision of a closed call at once, and close its review.

    Refused with DecisionRefused (every reason) unless the call is closed and
    every proposal still in review has a decision. Each proposal moves through
    proposals.workflow to its outcome (through "under review" if no reviewer was
    ever assigned); its principal investigator and team get one email with the
    letter and the reviewers' comments meant for them (no names, scores or
    confidential comments); the call moves to "decided" (catalogue.workflow).
    """
    if not can_decide(actor):
        raise PermissionDenied(_("Only administrators release decisions."))
    now = now or timezone.now()
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    problems = release_problems(locked)
    if problems:
        raise DecisionRefused(problems)
    decisions = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(
            proposal__opportunity=locked,
            proposal__status__in=IN_REVIEW,
            released_at__isnull=True,
        )
        .select_related("proposal")
        .order_by("proposal__reference", "pk")
    )
    for decision in decisions:
        proposal = decision.proposal
        if proposal.status == ProposalStatus.SUBMITTED:
            proposal_workflow.transition(
                proposal,
                to=ProposalStatus.UNDER_REVIEW,
                actor=actor,
                note=_("Review started."),
            )
        moved = proposal_workflow.transition(
            proposal,
            to=decision.outcome,
            actor=actor,
            note=_("Decision released: %(outcome)s.")
            % {"outcome": decision.get_outcome_display()},
        )
        decision.released_at = now
        decision.released_by = actor
        decision.save(update_fields=["released_at", "released_by"])
        decision.proposal = _with_team(moved)
        emails.decision_released(
            decision=decision, comments=proposer_comments(proposal=moved)
        )
    catalogue_workflow.transition(
        opportunity,
        to=OpportunityStatus.DECIDED,
        actor=actor,
        note=_("Decisions released."),
    )
    return decisions


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
    reviewers are not reminded any more."""
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
        workflow.transition(
            assignment, to=AssignmentStatus.CANCELLED, actor=actor, note=reason
        )
    return decided
