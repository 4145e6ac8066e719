"""The lives of a review assignment and of a review, as data.

Assignment (one reviewer, one proposal, one stage):

    invited → accepted (the reviewer declares no conflict of interest)
    invited → declined (the reviewer cannot review it)
    invited or accepted → conflict (the reviewer declares one; it ends here)
    invited or accepted → cancelled (an administrator withdraws it)

Review (opened when its assignment is accepted):

    draft → submitted → reopened (an administrator, with a reason) → submitted

Declined, conflict and cancelled are final. The services check who acts; this
module checks only that the move is in the table.

A call's panel phases (Panel.bidding, Panel.discussion), each:

    not opened → open → closed → open (an administrator opens it again)

`transition()` is the only code that assigns `ReviewAssignment.status` or
`Review.status`, and `transition_phase()` the only one that assigns
`Panel.bidding` and `Panel.discussion` (a test greps for it). Side effects of
each move of an assignment or a review, all inside the caller's transaction:

- the row is locked (`select_for_update`) and the move checked against its
  table; an illegal move raises TransitionNotAllowed and changes nothing;
- accepted, declined, conflict: the time of the answer is kept (`responded_at`),
  and the note is kept as the reason for declining or the conflict;
- accepted: the assignment's Review is opened as a draft;
- submitted: `submitted_at` is set;
- an AssignmentEvent or ReviewEvent records who moved it, when, from what, to
  what, and the note;
- emails are queued in the notifications outbox, sent by Celery once the
  transaction commits: conflict → the administrators; reopened → the reviewer,
  with the reason; submitted, when it completes every active assignment of the
  proposal at that stage → the call's CNSA contacts. (The "review assigned"
  email belongs to the assignment's creation: reviews.services sends it.)
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from reviews import emails
from reviews.enums import AssignmentStatus, PhaseStatus, ReviewStatus
from reviews.models import (
    AssignmentEvent,
    Panel,
    PanelEvent,
    Review,
    ReviewAssignment,
    ReviewEvent,
)

A = AssignmentStatus
R = ReviewStatus

ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.INVITED: frozenset({A.ACCEPTED, A.DECLINED, A.CONFLICT, A.CANCELLED}),
    A.ACCEPTED: frozenset({A.CONFLICT, A.CANCELLED}),
    A.DECLINED: frozenset(),
    A.CONFLICT: frozenset(),
    A.CANCELLED: frozenset(),
}

REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.REOPENED}),
    R.REOPENED: frozenset({R.SUBMITTED}),
}

P = PhaseStatus

PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    P.NOT_OPENED: frozenset({P.OPEN}),
    P.OPEN: frozenset({P.CLOSED}),
    P.CLOSED: frozenset({P.OPEN}),
}

# The panel's phases: the Panel field each one is kept in.
PHASES = ("bidding", "discussion")

# The reviewer's own answers to an invitation.
ANSWERS = frozenset({A.ACCEPTED, A.DECLINED, A.CONFLICT})


class TransitionNotAllowed(Refused):
    def __init__(self, *, obj, current: str, to: str):
        self.current = current
        self.to = to
        if isinstance(obj, Review):
            message = _("A review cannot move from “%(current)s” to “%(to)s”.") % {
                "current": R(current).label,
                "to": R(to).label,
            }
        else:
            message = _(
                "A review assignment cannot move from “%(current)s” to “%(to)s”."
            ) % {"current": A(current).label, "to": A(to).label}
        super().__init__(message)


class PhaseNotAllowed(TransitionNotAllowed):
    def __init__(self, *, phase: str, current: str, to: str):
        self.current = current
        self.to = to
        self.phase = phase
        Refused.__init__(
            self,
            _("This phase cannot move from “%(current)s” to “%(to)s”.")
            % {"current": P(current).label, "to": P(to).label},
        )


@transaction.atomic
def transition_phase(panel: Panel, *, phase: str, to: str, actor, note: str = ""):
    """Move the panel's `phase` ("bidding" or "discussion") to `to`.

    Locks the panel's row, refuses a move its table does not hold
    (PhaseNotAllowed), saves, and records a PanelEvent. No email: the services
    that open and close phases say who is told. Returns the locked, saved row
    and updates `panel` in place.
    """
    if phase not in PHASES:
        msg = f"No panel phase {phase!r}."
        raise ValueError(msg)
    locked = Panel.objects.select_for_update().get(pk=panel.pk)
    before = getattr(locked, phase)
    if to not in PHASE_TRANSITIONS.get(before, frozenset()):
        raise PhaseNotAllowed(phase=phase, current=before, to=to)
    setattr(locked, phase, to)
    locked.save(update_fields=[phase, "updated_at"])
    PanelEvent.objects.create(
        panel=locked,
        actor=actor,
        at=timezone.now(),
        phase=phase,
        from_status=before,
        to_status=to,
        note=note,
    )
    setattr(panel, phase, to)
    return locked


def allowed_targets(obj: ReviewAssignment | Review) -> frozenset[str]:
    table = REVIEW_TRANSITIONS if isinstance(obj, Review) else ASSIGNMENT_TRANSITIONS
    return table.get(obj.status, frozenset())


def record_assignment_event(
    assignment: ReviewAssignment, *, actor, before: str, after: str, note: str = ""
) -> AssignmentEvent:
    """One line of an assignment's history (also used for its creation)."""
    return AssignmentEvent.objects.create(
        assignment=assignment,
        actor=actor,
        at=timezone.now(),
        from_status=before,
        to_status=after,
        note=note,
    )


def record_review_event(
    review: Review, *, actor, before: str, after: str, note: str = ""
) -> ReviewEvent:
    """One line of a review's history without a move of its own: a submitted
    review revised during the discussion stays submitted (before == after)."""
    return ReviewEvent.objects.create(
        review=review,
        actor=actor,
        at=timezone.now(),
        from_status=before,
        to_status=after,
        note=note,
    )


@transaction.atomic
def transition(obj, *, to: str, actor, note: str = ""):
    """Move a ReviewAssignment or a Review to status `to`.

    Raises TransitionNotAllowed for a move its table does not hold. Returns the
    locked, saved row and updates `obj` in place.
    """
    if isinstance(obj, Review):
        return _move_review(obj, to=to, actor=actor, note=note)
    if isinstance(obj, ReviewAssignment):
        return _move_assignment(obj, to=to, actor=actor, note=note)
    msg = f"No review workflow for {type(obj).__name__}."
    raise TypeError(msg)


def _move_assignment(
    assignment: ReviewAssignment, *, to: str, actor, note: str
) -> ReviewAssignment:
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("proposal__opportunity", "reviewer")
        .get(pk=assignment.pk)
    )
    before = locked.status
    if to not in ASSIGNMENT_TRANSITIONS.get(before, frozenset()):
        raise TransitionNotAllowed(obj=locked, current=before, to=to)
    locked.status = to
    fields = ["status"]
    if to in ANSWERS:
        locked.responded_at = timezone.now()
        fields.append("responded_at")
    if to == A.CONFLICT:
        locked.conflict_reason = note
        fields.append("conflict_reason")
    elif to == A.DECLINED:
        locked.decline_reason = note
        fields.append("decline_reason")
    locked.save(update_fields=fields)
    record_assignment_event(locked, actor=actor, before=before, after=to, note=note)
    if to == A.ACCEPTED:
        Review.objects.get_or_create(assignment=locked)
    elif to == A.CONFLICT:
        emails.conflict_declared(assignment=locked)
    assignment.status = locked.status
    assignment.responded_at = locked.responded_at
    assignment.conflict_reason = locked.conflict_reason
    assignment.decline_reason = locked.decline_reason
    return locked


def _move_review(review: Review, *, to: str, actor, note: str) -> Review:
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__proposal__opportunity", "assignment__reviewer")
        .get(pk=review.pk)
    )
    before = locked.status
    if to not in REVIEW_TRANSITIONS.get(before, frozenset()):
        raise TransitionNotAllowed(obj=locked, current=before, to=to)
    locked.status = to
    fields = ["status", "updated_at"]
    if to == R.SUBMITTED:
        locked.submitted_at = timezone.now()
        fields.append("submitted_at")
    locked.save(update_fields=fields)
    ReviewEvent.objects.create(
        review=locked,
        actor=actor,
        at=timezone.now(),
        from_status=before,
        to_status=to,
        note=note,
    )
    if to == R.SUBMITTED:
        _announce_if_complete(locked.assignment)
    elif to == R.REOPENED:
        emails.review_reopened(review=locked, reason=note)
    review.status = locked.status
    review.submitted_at = locked.submitted_at
    review.updated_at = locked.updated_at
    return locked


def _announce_if_complete(assignment: ReviewAssignment) -> None:
    """Tell the CNSA contacts once every active assignment of the proposal at this
    stage has a submitted review."""
    active = ReviewAssignment.objects.filter(
        proposal_id=assignment.proposal_id,
        stage=assignment.stage,
        status__in=[A.INVITED, A.ACCEPTED],
    )
    pending = active.exclude(status=A.ACCEPTED, review__status=R.SUBMITTED).exists()
    if not pending:
        emails.reviews_complete(
            proposal=assignment.proposal,
            stage=assignment.stage,
            submitted=active.count(),
        )
