"""What the review services raise, and the row locks they start with.

Every refusal derives from config.refusals.Refused (re-exported here as
`Refused`), so a caller catches them all with one class and shows `.messages`.
"""

from django.utils.translation import gettext as _

from config.refusals import Refused
from proposals.models import Proposal
from reviews.models import Review, ReviewAssignment


class AssignmentRefused(Refused):
    """A reviewer cannot be assigned (a conflict of interest, the proposal's
    state, the deadline, the due date…)."""


class PlanOutdated(AssignmentRefused):
    """A saved plan no longer holds: something changed since it was made."""


class ReviewLocked(Refused):
    """The review cannot be changed: submitted, or its proposal left review."""


class ReviewIncomplete(Refused):
    """A submission lacks scores, the recommendation or the comments."""


class DecisionRefused(Refused):
    """A decision cannot be recorded or the decisions cannot be released."""


def lock_proposal(proposal: Proposal) -> Proposal:
    """The proposal's row, locked, with what the conflict checks read."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("opportunity", "principal_investigator")
        .prefetch_related("team_members")
        .get(pk=proposal.pk)
    )


def lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    return (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("proposal__opportunity", "reviewer", "version")
        .get(pk=assignment.pk)
    )


def lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__proposal__opportunity", "assignment__reviewer")
        .get(pk=review.pk)
    )


def reason_required() -> str:
    return _("Give a reason.")
