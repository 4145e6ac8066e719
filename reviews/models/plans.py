"""Automatic assignment plans, computed once by a task and kept.

An AssignmentPlanRun is one computation of reviews.assignment.plan_assignments
for a call, asked for by an administrator: computing → ready (or failed, with
its message) → applied once saved through reviews.services.apply_plan. Its
`fingerprint` (reviews.selectors.panel.plan_fingerprint) sums up the inputs it
was computed from, so the page knows when it is out of date. Its rows: the
planned pairs (PlannedPair), the proposals left short with their reasons
(PlanShortfall) and each reviewer's load before and after (PlanLoad). At most
one computation per call runs at a time (a database constraint).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from proposals.models import Proposal
from reviews.enums import BidPreference


class PlanStatus(models.TextChoices):
    COMPUTING = "computing", _("Computing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    APPLIED = "applied", _("Saved")


class AssignmentPlanRun(models.Model):
    """One computed automatic plan of a call (see the module)."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="assignment_plans",
        verbose_name=_("opportunity"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"))
    # The requester's language: the reasons of the plan are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.COMPUTING,
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    reviewer_count = models.PositiveIntegerField(_("reviewers"), default=0)
    planned_count = models.PositiveIntegerField(_("assignments planned"), default=0)
    short_count = models.PositiveIntegerField(_("proposals left short"), default=0)
    applied_at = models.DateTimeField(_("saved"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("automatic assignment plan")
        verbose_name_plural = _("automatic assignment plans")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(status=PlanStatus.COMPUTING),
                name="assignment_plan_one_computing_per_call",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="assignment_plan_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity_id} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_computing(self) -> bool:
        return self.status == PlanStatus.COMPUTING

    @property
    def is_ready(self) -> bool:
        return self.status == PlanStatus.READY

    @property
    def has_failed(self) -> bool:
        return self.status == PlanStatus.FAILED

    @property
    def is_applied(self) -> bool:
        return self.status == PlanStatus.APPLIED


class PlannedPair(models.Model):
    """One placement of a plan: `bid` is the reviewer's bid on the proposal, ""
    when they did not bid."""

    plan = models.ForeignKey(
        AssignmentPlanRun, on_delete=models.CASCADE, related_name="pairs"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    fit = models.DecimalField(_("fit"), max_digits=4, decimal_places=3)
    bid = models.CharField(
        _("bid"), max_length=12, choices=BidPreference.choices, blank=True
    )

    class Meta:
        verbose_name = _("planned assignment")
        verbose_name_plural = _("planned assignments")
        ordering = ["proposal", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "proposal", "reviewer"], name="planned_pair_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} ← {self.reviewer_id}"


class PlanShortfall(models.Model):
    """A proposal the plan leaves short: how many reviewers it still lacks, why,
    and each excluded reviewer with their reasons
    (`excluded`: [{"reviewer": name, "reasons": [text, …]}, …])."""

    plan = models.ForeignKey(
        AssignmentPlanRun, on_delete=models.CASCADE, related_name="shortfalls"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    missing = models.PositiveSmallIntegerField(_("missing"))
    reasons = models.JSONField(_("reasons"), default=list)
    excluded = models.JSONField(_("excluded reviewers"), default=list)

    class Meta:
        verbose_name = _("proposal left short")
        verbose_name_plural = _("proposals left short")
        ordering = ["proposal"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "proposal"], name="plan_shortfall_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.missing}"


class PlanLoad(models.Model):
    """A reviewer's active assignments in the call, now and with the plan."""

    plan = models.ForeignKey(
        AssignmentPlanRun, on_delete=models.CASCADE, related_name="loads"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    before = models.PositiveIntegerField(_("now"))
    after = models.PositiveIntegerField(_("with this plan"))

    class Meta:
        verbose_name = _("reviewer load")
        verbose_name_plural = _("reviewer loads")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reviewer"], name="plan_load_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.before} → {self.after}"
