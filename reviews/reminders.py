"""Review reminders: due in 3 days, and overdue. To the reviewer only.

Registered with the notifications reminder registry (found at run time by
notifications.reminders.sources), which beat runs every quarter of an hour.
An assignment still open — invited, or accepted with a review not submitted
(a draft or a reopened one) — on a proposal still in review is reminded once
when its due date is at most 3 days away ("due soon") and once when it has
passed ("overdue"). The key names the window, the assignment, the due date and
the recipient, so a run repeated — or two runs at once — queue nothing new,
and a due date moved by an administrator reminds again.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Q

from notifications import reminders
from notifications.services import Recipient
from proposals.enums import ProposalStatus
from reviews.emails import reply_address, reviewer_context
from reviews.enums import AssignmentStatus, ReviewStatus
from reviews.models import ReviewAssignment

DUE_SOON_DAYS = 3


def open_assignments_due(now: datetime, *, days: int):
    """Open assignments due within `days` of `now`, overdue ones included."""
    return (
        ReviewAssignment.objects.filter(
            due_at__lte=now + timedelta(days=days),
            proposal__status=ProposalStatus.UNDER_REVIEW,
            reviewer__is_active=True,
        )
        .filter(
            Q(status=AssignmentStatus.INVITED)
            | Q(
                status=AssignmentStatus.ACCEPTED,
                review__status__in=[ReviewStatus.DRAFT, ReviewStatus.REOPENED],
            )
        )
        .select_related("proposal__opportunity", "reviewer")
        .prefetch_related("proposal__opportunity__contacts")
        .order_by("due_at", "pk")
    )


@reminders.register("review-due")
def due_review_reminders(now: datetime) -> Iterator[reminders.DueReminder]:
    for assignment in open_assignments_due(now, days=DUE_SOON_DAYS):
        overdue = assignment.due_at <= now
        recipient = Recipient.for_user(assignment.reviewer)
        window = "overdue" if overdue else f"{DUE_SOON_DAYS}d"
        yield reminders.DueReminder(
            key=(
                f"{window}:{assignment.pk}:{int(assignment.due_at.timestamp())}:"
                f"{recipient.email.lower()}"
            ),
            recipient=recipient,
            template="review_overdue" if overdue else "review_due_soon",
            context={**reviewer_context(assignment), "days": DUE_SOON_DAYS},
            reply_to=reply_address(assignment.proposal.opportunity),
        )
