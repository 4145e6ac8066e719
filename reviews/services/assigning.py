"""Assigning reviewers, and the reviewers' answers to their assignments."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from notifications.templatetags.ao_email import beijing_time
from proposals import workflow as proposal_workflow
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import ProposalEvent
from proposals.selectors import version_for_review
from reviews import emails, workflow
from reviews.assignment import plan_assignments
from reviews.conflicts import conflict_reasons
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from reviews.models import (
    AssignmentPlanRun,
    PlanLoad,
    PlannedPair,
    PlanShortfall,
    ReviewAssignment,
    ReviewerProfile,
)
from reviews.models.plans import PlanStatus
from reviews.permissions import (
    can_declare_conflict,
    can_manage_reviews,
    can_respond_to_assignment,
    is_reviewer,
)
from reviews.selectors.panel import (
    call_assignments,
    eligible_reviewers,
    plan_fingerprint,
    planned_pairs,
    proposals_awaiting_review,
)
from reviews.services.common import (
    AssignmentRefused,
    PlanOutdated,
    lock_assignment,
    lock_proposal,
    reason_required,
)

logger = logging.getLogger(__name__)

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
            message=ProposalEvent.Message.REVIEW_STARTED,
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


def plan_outdated_message() -> str:
    """Why a stored plan is not saved: its inputs changed since it was made."""
    return _(
        "This plan is out of date: an assignment, a bid, a reviewer or a proposal "
        "changed since it was computed. Compute it again, check it and save it."
    )


@transaction.atomic
def apply_plan(
    *, plan, due, actor, fingerprint: str | None = None, now=None
) -> list[ReviewAssignment]:
    """Save an automatic plan as shown: all of it, or, if any pair is refused
    now (assignment_problems: a conflict, already assigned…), none of it, with
    PlanOutdated naming each refusal. Administrators only.

    `plan`: a stored plan (AssignmentPlanRun, computed by
    compute_assignment_plan) or one made in memory by
    reviews.assignment.plan_assignments. A stored plan must be ready (not
    saved already, nor failed) and its fingerprint must still be that of the
    call's inputs (reviews.selectors.panel.plan_fingerprint) and, when given,
    `fingerprint` (what the administrator was shown): PlanOutdated otherwise.
    Saved, it is marked applied. Each assignment emails its reviewer once the
    transaction commits.
    """
    _require_manager(actor)
    if not isinstance(plan, AssignmentPlanRun):
        rows = [(row.proposal, row.reviewer, row.fit) for row in plan.assignments]
        return _assign_all(rows, due=due, actor=actor, now=now)
    stored = AssignmentPlanRun.objects.select_for_update().get(pk=plan.pk)
    if stored.status == PlanStatus.APPLIED:
        raise PlanOutdated(_("This plan is saved already."))
    if stored.status != PlanStatus.READY:
        raise PlanOutdated(_("This plan is not ready: compute it again."))
    current = plan_fingerprint(opportunity=stored.opportunity, now=now)
    if stored.fingerprint != current or (
        fingerprint is not None and fingerprint != stored.fingerprint
    ):
        raise PlanOutdated(plan_outdated_message())
    rows = [
        (pair.proposal, pair.reviewer, pair.fit) for pair in planned_pairs(plan=stored)
    ]
    made = _assign_all(rows, due=due, actor=actor, now=now)
    AssignmentPlanRun.objects.filter(pk=stored.pk).update(
        status=PlanStatus.APPLIED, applied_at=now or timezone.now(), applied_by=actor
    )
    plan.refresh_from_db()
    return made


def _assign_all(rows, *, due, actor, now) -> list[ReviewAssignment]:
    """assign_reviewer for each (proposal, reviewer, fit); PlanOutdated with
    every refusal when any is refused (the caller's transaction rolls back)."""
    made, problems = [], []
    for proposal, reviewer, fit in rows:
        try:
            with transaction.atomic():
                made.append(
                    assign_reviewer(
                        proposal=proposal,
                        reviewer=reviewer,
                        due=due,
                        actor=actor,
                        fit=fit,
                        now=now,
                    )
                )
        except AssignmentRefused as refusal:
            problems += [
                _("%(reference)s, %(reviewer)s: %(reason)s")
                % {
                    "reference": proposal.reference,
                    "reviewer": reviewer.get_full_name(),
                    "reason": message,
                }
                for message in refusal.messages
            ]
    if problems:
        raise PlanOutdated(problems)
    return made


# --- automatic plans, computed by a task and kept ----------------------------------

# A computation still "computing" after this long is taken for dead (its worker
# stopped): the next request marks it failed and starts another.
PLAN_COMPUTATION_TIMEOUT = timedelta(minutes=30)


@transaction.atomic
def request_assignment_plan(
    *, opportunity, actor, language: str = "", now=None
) -> tuple[AssignmentPlanRun, bool]:
    """Ask for the call's automatic plan to be computed (reviews.tasks.
    compute_assignment_plan_task, queued once the transaction commits).
    Administrators only. Returns the plan and whether a computation was
    started: while one is computing for the call, no other starts (the call's
    row is locked, and a database constraint backs it) and that one is
    returned. `language`: the requester's, in which the reasons are written.
    """
    _require_manager(actor)
    now = now or timezone.now()
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).first()
    running = AssignmentPlanRun.objects.filter(
        opportunity=opportunity, status=PlanStatus.COMPUTING
    ).first()
    if running is not None:
        if now - running.requested_at < PLAN_COMPUTATION_TIMEOUT:
            return running, False
        AssignmentPlanRun.objects.filter(pk=running.pk).update(
            status=PlanStatus.FAILED,
            error=_("The computation did not finish; it was started again."),
        )
    plan = AssignmentPlanRun.objects.create(
        opportunity=opportunity,
        requested_by=actor,
        requested_at=now,
        language=language,
        status=PlanStatus.COMPUTING,
    )
    transaction.on_commit(partial(_enqueue_plan, plan.pk), robust=True)
    return plan, True


def _enqueue_plan(plan_id: int) -> None:
    from reviews.tasks import compute_assignment_plan_task  # noqa: PLC0415

    compute_assignment_plan_task.delay(plan_id=plan_id)


def compute_assignment_plan(*, plan_id: int) -> AssignmentPlanRun | None:
    """Compute a requested plan (reviews.assignment.plan_assignments over the
    eligible reviewers, the call's assignments and the proposals awaiting
    review) and store it: its pairs, the proposals left short with their
    reasons, each reviewer's load and the fingerprint of its inputs, taken
    before they are read. Then the call's older plans that were never saved
    are deleted. A failure is stored with its message. None when the plan is
    not computing (already done, or given up)."""
    plan = (
        AssignmentPlanRun.objects.select_related("opportunity")
        .filter(pk=plan_id, status=PlanStatus.COMPUTING)
        .first()
    )
    if plan is None:
        return None
    opportunity = plan.opportunity
    with translation.override(plan.language or settings.LANGUAGE_CODE):
        try:
            fingerprint = plan_fingerprint(opportunity=opportunity)
            result = plan_assignments(
                opportunity=opportunity,
                reviewers=list(eligible_reviewers()),
                existing=list(call_assignments(opportunity=opportunity)),
                proposals=list(proposals_awaiting_review(opportunity=opportunity)),
            )
            return _store_plan(plan, result=result, fingerprint=fingerprint)
        except Exception as error:
            logger.exception("Automatic plan %s failed", plan_id)
            return _fail_plan(plan, message=str(error) or error.__class__.__name__)


@transaction.atomic
def _store_plan(plan, *, result, fingerprint: str) -> AssignmentPlanRun | None:
    locked = (
        AssignmentPlanRun.objects.select_for_update()
        .filter(pk=plan.pk, status=PlanStatus.COMPUTING)
        .first()
    )
    if locked is None:
        return None
    PlannedPair.objects.bulk_create(
        [
            PlannedPair(
                plan=locked,
                proposal_id=row.proposal.pk,
                reviewer_id=row.reviewer.pk,
                fit=row.fit,
                bid=row.bid,
            )
            for row in result.assignments
        ],
        batch_size=2000,
    )
    PlanShortfall.objects.bulk_create(
        [
            PlanShortfall(
                plan=locked,
                proposal_id=slot.proposal.pk,
                missing=slot.missing,
                reasons=[str(reason) for reason in slot.reasons],
                excluded=[
                    {
                        "reviewer": reviewer.get_full_name() or reviewer.email,
                        "reasons": [str(reason) for reason in reasons],
                    }
                    for reviewer, reasons in slot.excluded
                ],
            )
            for slot in result.unfilled
        ],
        batch_size=500,
    )
    PlanLoad.objects.bulk_create(
        [
            PlanLoad(
                plan=locked,
                reviewer_id=load.reviewer.pk,
                before=load.before,
                after=load.after,
            )
            for load in result.loads
        ]
    )
    AssignmentPlanRun.objects.filter(pk=locked.pk).update(
        status=PlanStatus.READY,
        computed_at=timezone.now(),
        fingerprint=fingerprint,
        reviewer_count=len(result.loads),
        planned_count=len(result.assignments),
        short_count=len(result.unfilled),
    )
    locked.refresh_from_db()
    AssignmentPlanRun.objects.filter(opportunity_id=locked.opportunity_id).exclude(
        pk=locked.pk
    ).exclude(status__in=[PlanStatus.APPLIED, PlanStatus.COMPUTING]).delete()
    return locked


@transaction.atomic
def _fail_plan(plan, *, message: str) -> AssignmentPlanRun | None:
    updated = AssignmentPlanRun.objects.filter(
        pk=plan.pk, status=PlanStatus.COMPUTING
    ).update(status=PlanStatus.FAILED, error=message, computed_at=timezone.now())
    if not updated:
        return None
    plan.refresh_from_db()
    return plan


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
