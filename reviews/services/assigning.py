"""Assigning reviewers, and the reviewers' answers to their assignments."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus
from notifications.templatetags.ao_email import beijing_time
from proposals import workflow as proposal_workflow
from proposals.enums import ProposalStage, ProposalStatus
from proposals.selectors import version_for_review
from reviews import emails, workflow
from reviews.conflicts import conflict_reasons
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from reviews.models import ReviewAssignment, ReviewerProfile
from reviews.permissions import (
    can_declare_conflict,
    can_manage_reviews,
    can_respond_to_assignment,
    is_reviewer,
)
from reviews.services.common import (
    AssignmentRefused,
    PlanOutdated,
    lock_assignment,
    lock_proposal,
    reason_required,
)

CLOSED_CALLS = frozenset({OpportunityStatus.DECIDED, OpportunityStatus.CANCELLED})


def _require_manager(actor) -> None:
    if not can_manage_reviews(actor):
        raise PermissionDenied(_("Only administrators assign reviewers."))


def _stage_deadline(proposal):
    opportunity = proposal.opportunity
    if proposal.stage == ProposalStage.LETTER_OF_INTENT:
        return opportunity.loi_deadline
    return opportunity.proposal_deadline


def assignment_problems(*, proposal, reviewer, due, now) -> list[str]:
    """Why `reviewer` cannot be assigned `proposal` now; empty when they can.

    Read `proposal` with its opportunity, investigator and team.
    """
    opportunity = proposal.opportunity
    if proposal.status not in ProposalStatus.in_review():
        return [
            _("This proposal is %(status)s: only submitted proposals are reviewed.")
            % {"status": proposal.get_status_display().lower()}
        ]
    if opportunity.status in CLOSED_CALLS:
        return [
            _("The call is %(status)s.")
            % {"status": opportunity.get_status_display().lower()}
        ]
    deadline = _stage_deadline(proposal)
    if deadline is None or now < deadline:
        return [
            _(
                "Reviewers are assigned once the deadline has passed "
                "(%(deadline)s): until then the proposal may still change."
            )
            % {"deadline": beijing_time(deadline) if deadline else "—"}
        ]
    problems = []
    if version_for_review(proposal) is None:
        problems.append(
            _("This proposal has no version submitted before its deadline.")
        )
    name = reviewer.get_full_name()
    if not is_reviewer(reviewer):
        problems.append(
            _(
                "%(name)s is not a reviewer: reviewers are active staff accounts in "
                "the Reviewers group."
            )
            % {"name": name}
        )
    already = ReviewAssignment.objects.filter(
        proposal=proposal,
        reviewer=reviewer,
        stage=proposal.stage,
        status__in=ACTIVE_ASSIGNMENT_STATUSES,
    ).exists()
    if already:
        problems.append(
            _("%(name)s is already assigned to this proposal.") % {"name": name}
        )
    problems += conflict_reasons(reviewer=reviewer, proposal=proposal)
    if due is None or due <= now:
        problems.append(_("The due date must be in the future."))
    return problems


@transaction.atomic
def assign_reviewer(
    *, proposal, reviewer, due, actor, fit: Decimal | None = None, now=None
) -> ReviewAssignment:
    """Ask `reviewer` to review `proposal` by `due`. Administrators only.

    Refused with AssignmentRefused (every reason at once, nothing changed) for a
    proposal not in review, before its stage's deadline, for someone not a
    reviewer, already assigned, or in conflict (reviews.conflicts), or a due
    date past. The assignment fixes the version reviewed (proposals'
    `version_for_review`), moves a submitted proposal to under review, and
    emails the reviewer once the transaction commits.
    """
    _require_manager(actor)
    now = now or timezone.now()
    locked = lock_proposal(proposal)
    problems = assignment_problems(proposal=locked, reviewer=reviewer, due=due, now=now)
    if problems:
        raise AssignmentRefused(problems)
    assignment = ReviewAssignment.objects.create(
        proposal=locked,
        reviewer=reviewer,
        stage=locked.stage,
        version=version_for_review(locked),
        due_at=due,
        fit=fit,
        assigned_by=actor,
    )
    workflow.record_assignment_event(
        assignment,
        actor=actor,
        before="",
        after=AssignmentStatus.INVITED,
        note=_("Assigned, due %(due)s.") % {"due": beijing_time(due)},
    )
    if locked.status == ProposalStatus.SUBMITTED:
        proposal_workflow.transition(
            locked,
            to=ProposalStatus.UNDER_REVIEW,
            actor=actor,
            note=_("Review started."),
        )
    emails.review_assigned(assignment=assignment)
    return assignment


@dataclass
class BulkAssignment:
    """What assign_reviewers did: the assignments made, and the pairs refused
    with their reasons."""

    assigned: list[ReviewAssignment] = field(default_factory=list)
    refused: list[tuple[object, object, list[str]]] = field(default_factory=list)


@transaction.atomic
def assign_reviewers(
    *, pairs: Iterable[tuple[object, object]], due, actor, now=None
) -> BulkAssignment:
    """Assign each (proposal, reviewer) pair; a refused pair is reported and
    skipped, the others are made. Administrators only."""
    _require_manager(actor)
    result = BulkAssignment()
    for proposal, reviewer in pairs:
        try:
            with transaction.atomic():
                assignment = assign_reviewer(
                    proposal=proposal, reviewer=reviewer, due=due, actor=actor, now=now
                )
        except AssignmentRefused as refusal:
            result.refused.append((proposal, reviewer, refusal.messages))
        else:
            result.assigned.append(assignment)
    return result


@transaction.atomic
def apply_plan(*, plan, due, actor, now=None) -> list[ReviewAssignment]:
    """Save an automatic plan (reviews.assignment.plan_assignments) as shown: all
    of it, or, if any pair is refused now (something changed since the plan was
    made), none of it, with PlanOutdated naming each refusal."""
    _require_manager(actor)
    made, problems = [], []
    for row in plan.assignments:
        try:
            with transaction.atomic():
                made.append(
                    assign_reviewer(
                        proposal=row.proposal,
                        reviewer=row.reviewer,
                        due=due,
                        actor=actor,
                        fit=row.fit,
                        now=now,
                    )
                )
        except AssignmentRefused as refusal:
            problems += [
                _("%(reference)s, %(reviewer)s: %(reason)s")
                % {
                    "reference": row.proposal.reference,
                    "reviewer": row.reviewer.get_full_name(),
                    "reason": message,
                }
                for message in refusal.messages
            ]
    if problems:
        raise PlanOutdated(problems)
    return made


@transaction.atomic
def accept_assignment(*, assignment, actor) -> ReviewAssignment:
    """The reviewer declares no conflict of interest and accepts: the proposal
    opens to them and their review starts as a draft."""
    locked = lock_assignment(assignment)
    if not can_respond_to_assignment(actor, locked):
        raise PermissionDenied(_("Only the invited reviewer can accept."))
    return workflow.transition(
        assignment,
        to=AssignmentStatus.ACCEPTED,
        actor=actor,
        note=_("No conflict of interest declared."),
    )


@transaction.atomic
def decline_assignment(*, assignment, actor, reason: str = "") -> ReviewAssignment:
    """The reviewer cannot review it (no time, not their field)."""
    locked = lock_assignment(assignment)
    if not can_respond_to_assignment(actor, locked):
        raise PermissionDenied(_("Only the invited reviewer can decline."))
    return workflow.transition(
        assignment, to=AssignmentStatus.DECLINED, actor=actor, note=reason.strip()
    )


@transaction.atomic
def declare_conflict(*, assignment, actor, reason: str) -> ReviewAssignment:
    """The reviewer declares a conflict of interest, with its reason: the
    assignment ends, the administrators are told, and the portal will not
    assign this reviewer to the same investigator again."""
    locked = lock_assignment(assignment)
    if not can_declare_conflict(actor, locked):
        raise PermissionDenied(
            _("Only the assigned reviewer can declare a conflict of interest.")
        )
    if not reason.strip():
        raise ValidationError({"reason": reason_required()})
    return workflow.transition(
        assignment, to=AssignmentStatus.CONFLICT, actor=actor, note=reason.strip()
    )


@transaction.atomic
def cancel_assignment(*, assignment, actor, reason: str = "") -> ReviewAssignment:
    """An administrator withdraws an invited or accepted assignment; a review
    already submitted on it stops counting. The reviewer is emailed (the call,
    reference, title and reason; never who proposed) once the transaction
    commits."""
    _require_manager(actor)
    cancelled = workflow.transition(
        assignment, to=AssignmentStatus.CANCELLED, actor=actor, note=reason.strip()
    )
    emails.review_assignment_cancelled(assignment=cancelled, reason=reason.strip())
    return cancelled


@transaction.atomic
def change_due_date(*, assignment, due, actor, now=None) -> ReviewAssignment:
    """Move an active assignment's due date; the reminders follow the new date."""
    _require_manager(actor)
    now = now or timezone.now()
    locked = lock_assignment(assignment)
    if not locked.is_active:
        raise AssignmentRefused(
            _("This assignment is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if due is None or due <= now:
        raise AssignmentRefused(_("The due date must be in the future."))
    locked.due_at = due
    locked.save(update_fields=["due_at"])
    workflow.record_assignment_event(
        locked,
        actor=actor,
        before=locked.status,
        after=locked.status,
        note=_("Due date moved to %(due)s.") % {"due": beijing_time(due)},
    )
    assignment.due_at = due
    return locked


@transaction.atomic
def update_reviewer_profile(
    *, reviewer, actor, expertise: str, other_institutions: str = ""
) -> ReviewerProfile:
    """The reviewer's expertise keywords and further affiliations: the reviewer
    or an administrator."""
    if not (can_manage_reviews(actor) or (actor and actor.pk == reviewer.pk)):
        raise PermissionDenied(_("Only the reviewer or an administrator can do this."))
    profile, _created = ReviewerProfile.objects.select_for_update().get_or_create(
        user=reviewer
    )
    profile.expertise = expertise.strip()
    profile.other_institutions = other_institutions.strip()
    profile.full_clean()
    profile.save()
    return profile
