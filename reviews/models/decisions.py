"""Decisions on full proposals and the calls' decision letter templates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from config.history import AuditRecords
from proposals.models import Proposal
from reviews.enums import (
    DecisionOutcome,
)


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
        verbose_name=_("updated by"),
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = AuditRecords(excluded_fields=["updated_at"])

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
    history = AuditRecords()

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
