"""Reviewers, their assignments and reviews, and the decisions on proposals.

A ReviewAssignment asks one reviewer to review one proposal at one stage (letter
of intent or full proposal), on the frozen version that proposals'
`version_for_review` returns, fixed when the assignment is made (the stage's
deadline has passed by then, so no later version can replace it). The reviewer
accepts it by declaring no conflict of interest, which opens a Review: one score
per evaluation criterion (ReviewScore), comments for the proposer, confidential
comments for the panel and a recommendation.

Only reviews.workflow assigns the `status` of an assignment or a review; each
move is recorded as an AssignmentEvent or a ReviewEvent (who, when, from, to, why).
A Decision records the outcome of a full proposal and the letter sent with it;
release_decisions sends them all at once.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import EvaluationCriterion, Opportunity
from proposals.enums import ProposalStage
from proposals.models import Proposal, ProposalVersion
from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    BidPreference,
    DecisionOutcome,
    PhaseStatus,
    Recommendation,
    ReviewStatus,
    Score,
)


def split_keywords(text: str) -> list[str]:
    """Keywords separated by commas or semicolons (Chinese ones too), normalised.

    "Radon, lunar dust; regolith" gives ["radon", "lunar dust", "regolith"].
    """
    for separator in (";", "，", "、", "；", "\n"):
        text = text.replace(separator, ",")
    seen: dict[str, None] = {}
    for part in text.split(","):
        keyword = " ".join(part.split()).casefold()
        if keyword:
            seen.setdefault(keyword, None)
    return list(seen)


class ReviewerProfile(models.Model):
    """What the automatic assignment and the conflict checks know of a reviewer.

    The reviewer's main institution and country are on their account
    (accounts.User); `other_institutions` lists further affiliations, one a line,
    which count for conflicts of interest too.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewer_profile",
        verbose_name=_("reviewer"),
    )
    expertise = models.CharField(
        _("expertise keywords"),
        max_length=500,
        blank=True,
        help_text=_(
            "Separated by commas, e.g. lunar regolith, radon, mass spectrometry."
        ),
    )
    other_institutions = models.TextField(
        _("other affiliations"),
        blank=True,
        help_text=_(
            "Further institutions the reviewer works for or with, one a line; "
            "they count for conflicts of interest."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def expertise_keywords(self) -> list[str]:
        return split_keywords(self.expertise)

    @property
    def other_institution_names(self) -> list[str]:
        return [line.strip() for line in self.other_institutions.splitlines() if line]


class ReviewAssignment(models.Model):
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("proposal"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    stage = models.CharField(
        _("stage"), max_length=8, choices=ProposalStage.choices, editable=False
    )
    version = models.ForeignKey(
        ProposalVersion,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("version reviewed"),
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.INVITED,
        editable=False,
    )
    due_at = models.DateTimeField(_("review due"))
    fit = models.DecimalField(
        _("fit"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "How well the reviewer's expertise matches the proposal's keywords, "
            "from 0 to 1, when the automatic assignment chose the reviewer."
        ),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    responded_at = models.DateTimeField(
        _("answered"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the reviewer accepted, declined or declared a conflict."),
    )
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["due_at", "pk"]
        permissions = [
            (
                "manage_reviews",
                _(
                    "Can assign reviewers, reopen reviews, rank proposals and "
                    "release decisions"
                ),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer", "stage"],
                condition=Q(
                    status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
                ),
                name="review_assignment_active_once",
                violation_error_message=_(
                    "This reviewer is already assigned to this proposal."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values),
                name="review_assignment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=ProposalStage.values),
                name="review_assignment_stage_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.CONFLICT) | ~Q(conflict_reason=""),
                name="review_assignment_conflict_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(fit__isnull=True) | Q(fit__gte=0, fit__lte=1),
                name="review_assignment_fit_0_to_1",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference} → {self.reviewer}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ASSIGNMENT_STATUSES


class HistoryLine(models.Model):
    """Who moved something, when, and why: the shape of every history line here."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class AssignmentEvent(HistoryLine):
    """One line of an assignment's history (from_status is empty at creation)."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(
        _("from status"), max_length=12, choices=AssignmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=AssignmentStatus.choices
    )

    class Meta(HistoryLine.Meta):
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment history")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.from_status} → {self.to_status}"


class Review(models.Model):
    assignment = models.OneToOneField(
        ReviewAssignment,
        on_delete=models.PROTECT,
        related_name="review",
        verbose_name=_("assignment"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        editable=False,
    )
    comments_for_proposer = models.TextField(
        _("comments for the proposer"),
        blank=True,
        help_text=_(
            "Sent to the proposal's team with the decision, without your name."
        ),
    )
    confidential_comments = models.TextField(
        _("confidential comments for the panel"),
        blank=True,
        help_text=_("Read by the administrators and the other reviewers only."),
    )
    recommendation = models.CharField(
        _("recommendation"),
        max_length=24,
        choices=Recommendation.choices,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(
        _("submitted"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment__due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(recommendation="")
                | Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.SUBMITTED)
                | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return str(self.assignment)

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        EvaluationCriterion,
        on_delete=models.PROTECT,
        related_name="review_scores",
        verbose_name=_("criterion"),
    )
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="review_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=Score.POOR, score__lte=Score.EXCELLENT),
                name="review_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"


class ReviewEvent(HistoryLine):
    """One line of a review's history: submitted, reopened (with the reason)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from status"), max_length=12, choices=ReviewStatus.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=ReviewStatus.choices
    )

    class Meta(HistoryLine.Meta):
        verbose_name = _("review event")
        verbose_name_plural = _("review history")

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_status} → {self.to_status}"


class DecisionLetterTemplate(models.Model):
    """An opportunity's own letter for one outcome, replacing the default text."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="decision_letter_templates",
        verbose_name=_("opportunity"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=DecisionOutcome.choices
    )
    body = models.TextField(
        _("letter"),
        help_text=_(
            "Placeholders: {reference}, {title}, {call}, {pi_name} and {conditions} "
            "are replaced for each proposal."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("decision letter template")
        verbose_name_plural = _("decision letter templates")
        ordering = ["opportunity", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "outcome"],
                name="decision_letter_once_per_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values),
                name="decision_letter_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.get_outcome_display()}"


class Decision(models.Model):
    """The outcome of a full proposal and its letter; sent when released."""

    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("proposal"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=DecisionOutcome.choices
    )
    conditions = models.TextField(
        _("conditions"),
        blank=True,
        help_text=_("What a conditional selection requires; the letter quotes it."),
    )
    letter = models.TextField(_("decision letter"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["proposal__reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values),
                name="decision_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.CONDITIONALLY_SELECTED)
                | ~Q(conditions=""),
                name="decision_conditional_has_conditions",
                violation_error_message=_(
                    "A conditional selection states its conditions."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference}: {self.get_outcome_display()}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class Panel(models.Model):
    """How one call's review runs beyond the scores: its bidding and discussion
    phases, the spread of weighted scores that flags a disagreement, and the
    triage line. One per call, made when an administrator first changes one of
    these (reviews.services.panel_for); until then the defaults hold.

    Only reviews.workflow assigns `bidding` and `discussion`.
    """

    opportunity = models.OneToOneField(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="panel",
        verbose_name=_("opportunity"),
    )
    bidding = models.CharField(
        _("bidding"),
        max_length=12,
        choices=PhaseStatus.choices,
        default=PhaseStatus.NOT_OPENED,
        editable=False,
    )
    discussion = models.CharField(
        _("discussion phase"),
        max_length=12,
        choices=PhaseStatus.choices,
        default=PhaseStatus.NOT_OPENED,
        editable=False,
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.50"),
        help_text=_(
            "A proposal is flagged when its reviewers' weighted scores differ "
            "by at least this much (on the 1–5 scale)."
        ),
    )
    triage_percent = models.PositiveSmallIntegerField(
        _("triage line (%)"),
        null=True,
        blank=True,
        help_text=_(
            "The bottom share of proposals by normalised score, marked as not "
            "discussed. Their teams still receive the reviewers' comments. "
            "Empty: no triage."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review panel")
        verbose_name_plural = _("review panels")
        constraints = [
            models.CheckConstraint(
                condition=Q(bidding__in=PhaseStatus.values),
                name="panel_bidding_valid",
            ),
            models.CheckConstraint(
                condition=Q(discussion__in=PhaseStatus.values),
                name="panel_discussion_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    disagreement_threshold__gt=0, disagreement_threshold__lte=4
                ),
                name="panel_disagreement_threshold_range",
                violation_error_message=_(
                    "The disagreement threshold lies between 0 and 4."
                ),
            ),
            models.CheckConstraint(
                condition=Q(triage_percent__isnull=True)
                | Q(triage_percent__gte=1, triage_percent__lte=90),
                name="panel_triage_percent_range",
                violation_error_message=_("The triage line lies between 1 and 90 %."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.opportunity)


class PanelEvent(HistoryLine):
    """One line of a panel's history: a phase opened or closed, a setting
    changed."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="events")
    phase = models.CharField(_("phase"), max_length=12)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=PhaseStatus.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=PhaseStatus.choices
    )

    class Meta(HistoryLine.Meta):
        verbose_name = _("panel event")
        verbose_name_plural = _("panel history")

    def __str__(self) -> str:
        return f"{self.panel_id} {self.phase}: {self.from_status} → {self.to_status}"


class Bid(models.Model):
    """A reviewer's wish to review (or not) one proposal, said while bidding is
    open on its call. A "conflict" bid is a declared conflict of interest."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="bids",
        verbose_name=_("proposal"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bids",
        verbose_name=_("reviewer"),
    )
    preference = models.CharField(
        _("preference"), max_length=12, choices=BidPreference.choices
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["proposal", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="bid_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(preference__in=BidPreference.values),
                name="bid_preference_valid",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "preference"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} ← {self.reviewer_id}: {self.preference}"


class DiscussionPost(models.Model):
    """One message in the discussion of a proposal at one stage, shared by its
    non-conflicted reviewers who have submitted and the administrators; never
    shown to proposers."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        related_name="discussion_posts",
        verbose_name=_("proposal"),
    )
    stage = models.CharField(
        _("stage"), max_length=8, choices=ProposalStage.choices, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="discussion_posts",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        verbose_name = _("discussion message")
        verbose_name_plural = _("discussion messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "stage", "created_at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.pk}"


class DiscussionReader(models.Model):
    """How far one participant has read a proposal's discussion, and up to
    when they have been emailed about it (the hourly digest)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="discussion_readers"
    )
    stage = models.CharField(_("stage"), max_length=8, choices=ProposalStage.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="discussion_reads",
    )
    seen_until = models.DateTimeField(_("read until"), null=True, blank=True)
    notified_until = models.DateTimeField(_("emailed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("discussion reader")
        verbose_name_plural = _("discussion readers")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "stage", "user"],
                name="discussion_reader_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.stage}: {self.user_id}"


class ReviewRevision(models.Model):
    """What a submitted review said before its author revised it during the
    discussion phase: every revision is kept and shown in its history."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    scores = models.JSONField(
        _("scores"), default=dict, help_text=_("Criterion id → score, as it was.")
    )
    comments_for_proposer = models.TextField(_("comments for the proposer"))
    confidential_comments = models.TextField(_("confidential comments for the panel"))
    recommendation = models.CharField(
        _("recommendation"), max_length=24, choices=Recommendation.choices
    )
    submitted_at = models.DateTimeField(_("submitted"))
    revised_at = models.DateTimeField(_("revised"))
    reason = models.TextField(_("why it was revised"), blank=True)

    class Meta:
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="review_revision_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review_id} r{self.number}"


class ConsensusReport(models.Model):
    """The panel's one text on a full proposal, written by an administrator or
    the primary reviewer they designate; released to the team with the
    decision, beside each reviewer's comments for the proposer."""

    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.CASCADE,
        related_name="consensus_report",
        verbose_name=_("proposal"),
    )
    primary_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consensus_reports",
        verbose_name=_("primary reviewer"),
        help_text=_(
            "A reviewer of the proposal who writes the report; empty: the "
            "administrators write it."
        ),
    )
    body = models.TextField(_("consensus report"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last written by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("consensus report")
        verbose_name_plural = _("consensus reports")

    def __str__(self) -> str:
        return str(self.proposal_id)
