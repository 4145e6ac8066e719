"""A call's panel beyond the scores: its phases, the reviewers' bids, the
discussion of each proposal, revisions of submitted reviews and consensus reports."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from proposals.enums import ProposalStage
from proposals.models import Proposal
from reviews.enums import (
    BidPreference,
    PhaseStatus,
    Recommendation,
)
from reviews.models.assignments import HistoryLine, Review


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
