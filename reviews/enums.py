"""The vocabulary of review: assignment and review states, the scoring scale,
recommendations, decision outcomes and the default decision letters."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.enums import ProposalStatus


class AssignmentStatus(models.TextChoices):
    """invited → accepted (no conflict declared) / declined / conflict;
    invited or accepted → cancelled by an administrator. See reviews.workflow."""

    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CONFLICT = "conflict", _("Conflict of interest")
    CANCELLED = "cancelled", _("Cancelled")


# An assignment that still asks the reviewer for work.
ACTIVE_ASSIGNMENT_STATUSES = frozenset(
    {AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED}
)


class ReviewStatus(models.TextChoices):
    """draft → submitted → reopened (by an administrator) → submitted."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened")


EDITABLE_REVIEW_STATUSES = frozenset({ReviewStatus.DRAFT, ReviewStatus.REOPENED})


class Score(models.IntegerChoices):
    """The scale of every criterion; SCORE_DESCRIPTIONS says what each step means."""

    POOR = 1, _("1 — Poor")
    FAIR = 2, _("2 — Fair")
    GOOD = 3, _("3 — Good")
    VERY_GOOD = 4, _("4 — Very good")
    EXCELLENT = 5, _("5 — Excellent")


SCORE_DESCRIPTIONS = {
    Score.POOR: _("Serious weaknesses; the criterion is not met."),
    Score.FAIR: _("Meets the criterion in part, with significant weaknesses."),
    Score.GOOD: _("Meets the criterion well, with some weaknesses."),
    Score.VERY_GOOD: _("Meets the criterion very well, with minor weaknesses."),
    Score.EXCELLENT: _("Meets every aspect of the criterion; no real weakness."),
}


class Recommendation(models.TextChoices):
    SELECT = "select", _("Select")
    SELECT_WITH_CONDITIONS = "select_with_conditions", _("Select with conditions")
    DO_NOT_SELECT = "do_not_select", _("Do not select")


class DecisionOutcome(models.TextChoices):
    """A final decision; each value is the proposal status it leads to."""

    SELECTED = ProposalStatus.SELECTED.value, _("Selected")
    CONDITIONALLY_SELECTED = (
        ProposalStatus.CONDITIONALLY_SELECTED.value,
        _("Conditionally selected"),
    )
    NOT_SELECTED = ProposalStatus.NOT_SELECTED.value, _("Not selected")


# The outcomes counted as selected in the statistics.
SELECTED_OUTCOMES = frozenset(
    {DecisionOutcome.SELECTED, DecisionOutcome.CONDITIONALLY_SELECTED}
)

# The letter an outcome gets when the opportunity has no template of its own.
# Placeholders: {reference}, {title}, {call}, {pi_name}, {conditions} (see
# reviews.services.deciding.render_letter).
DEFAULT_LETTERS = {
    DecisionOutcome.SELECTED: _(
        "Dear {pi_name},\n\n"
        "We are pleased to inform you that your proposal “{title}” ({reference}) "
        "submitted to “{call}” has been selected.\n\n"
        "The Department of International Cooperation of CNSA will contact you about "
        "the agreement and the next steps of the payload's development.\n\n"
        "With our congratulations,\n"
        "Department of International Cooperation, CNSA"
    ),
    DecisionOutcome.CONDITIONALLY_SELECTED: _(
        "Dear {pi_name},\n\n"
        "We are pleased to inform you that your proposal “{title}” ({reference}) "
        "submitted to “{call}” has been conditionally selected.\n\n"
        "The selection becomes final once the conditions below are met. The "
        "Department of International Cooperation of CNSA will work them out with "
        "you.\n\n"
        "Conditions:\n{conditions}\n\n"
        "With our congratulations,\n"
        "Department of International Cooperation, CNSA"
    ),
    DecisionOutcome.NOT_SELECTED: _(
        "Dear {pi_name},\n\n"
        "Thank you for your proposal “{title}” ({reference}) submitted to "
        "“{call}”. We regret to inform you that it has not been selected.\n\n"
        "The reviewers' comments below may help you with a future call. We hope "
        "to receive your proposals again.\n\n"
        "With our thanks,\n"
        "Department of International Cooperation, CNSA"
    ),
}


class PhaseStatus(models.TextChoices):
    """A panel phase of a call (bidding, discussion): not yet opened → open →
    closed; an administrator may open a closed phase again. See
    reviews.workflow.PHASE_TRANSITIONS."""

    NOT_OPENED = "not_opened", _("Not opened")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class BidPreference(models.TextChoices):
    """How much a reviewer wants to review a proposal, said before assignment.

    "Conflict" is a declared conflict of interest with the proposal's team: the
    proposal is never assigned to that reviewer.
    """

    EAGER = "eager", _("Eager")
    WILLING = "willing", _("Willing")
    NOT_WILLING = "not_willing", _("Not willing")
    CONFLICT = "conflict", _("Conflict of interest")


# How a bid moves the automatic assignment's cost, above keyword fit (0–1):
# an eager bid outweighs any keyword fit, "not willing" is placed only when
# nothing else fills the slot. Conflict bids are never placed.
BID_WEIGHTS = {
    BidPreference.EAGER: 2,
    BidPreference.WILLING: 1,
    BidPreference.NOT_WILLING: -2,
}
