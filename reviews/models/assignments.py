"""Review assignments, their reviews and scores, and the history of both."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import EvaluationCriterion
from proposals.enums import ProposalStage
from proposals.models import Proposal, ProposalVersion
from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    Recommendation,
    ReviewStatus,
    Score,
)


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
            # The administrators' changelist, in its order (due first).
            models.Index(fields=["due_at", "id"], name="assignment_due"),
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
        # The administrators' changelist, in its order (latest change first).
        indexes = [models.Index(fields=["-updated_at", "id"], name="review_recent")]

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
