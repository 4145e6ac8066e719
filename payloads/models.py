"""Selected payloads: what a released selection becomes, and its life to the data.

A payload is created once per selected proposal when its decision is released
(payloads.services.create_payload_for_decision). It carries the resources
allocated on its carrier, the conditions of a conditional selection, the
agreements and milestones its call requires, the hardware deliveries and the
data handed back to the team. Only payloads.workflow assigns the `status` of a
Payload, Condition, Agreement or Delivery.

A call's templates (CallAgreement, CallMilestone) are copied onto each payload
on creation. Its public list of selected payloads (SelectionList) is shown on
the call page only once published.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalogue.models import Carrier, Opportunity
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    DeliveryUnit,
    EventKind,
    MilestoneKind,
    PayloadStatus,
    Side,
)
from proposals.models import Proposal, ProposalVersion
from reviews.models import Decision

NON_NEGATIVE = [MinValueValidator(0)]

# An https address, or a DOI written bare ("10.5281/zenodo.123") or as a link.
LINK_PATTERN = r"^(https://\S+|10\.\d{4,9}/\S+)$"
link_validator = RegexValidator(
    LINK_PATTERN,
    _("Give an https:// address or a DOI such as 10.5281/zenodo.1234567."),
)


def condition_document_path(instance: "ConditionDocument", filename: str) -> str:
    """A random name: the uploader's file name never reaches the storage path."""
    return f"payload-documents/conditions/{uuid.uuid4().hex}.pdf"


def agreement_document_path(instance: "Agreement", filename: str) -> str:
    """A random name: the uploader's file name never reaches the storage path."""
    return f"payload-documents/agreements/{uuid.uuid4().hex}.pdf"


# The call's templates ------------------------------------------------------


class CallAgreement(models.Model):
    """An agreement a call requires of every selected payload."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="agreement_requirements",
        verbose_name=_("opportunity"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("e.g. Implementing agreement, Interface control document."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required agreement")
        verbose_name_plural = _("required agreements")
        ordering = ["opportunity", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class CallMilestone(models.Model):
    """A milestone of a call's template, with its planned date."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="milestone_template",
        verbose_name=_("opportunity"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MilestoneKind.choices)
    name = models.CharField(_("name"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    responsible = models.CharField(
        _("responsible side"), max_length=8, choices=Side.choices
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone of the call")
        verbose_name_plural = _("milestones of the call")
        ordering = ["opportunity", "order", "planned_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MilestoneKind.values),
                name="call_milestone_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(responsible__in=Side.values),
                name="call_milestone_side_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SelectionList(models.Model):
    """The public list of a call's selected payloads; shown once published."""

    opportunity = models.OneToOneField(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="selection_list",
        verbose_name=_("opportunity"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("selection list")
        verbose_name_plural = _("selection lists")
        ordering = ["opportunity"]

    def __str__(self) -> str:
        return str(self.opportunity)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SelectionEntry(models.Model):
    """One line of a public selection list; historical calls have no payload."""

    selection_list = models.ForeignKey(
        SelectionList,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("selection list"),
    )
    payload = models.ForeignKey(
        "Payload",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="selection_entries",
        verbose_name=_("payload"),
    )
    title = models.CharField(_("title"), max_length=200)
    lead_institution = models.CharField(_("lead institution"), max_length=255)
    country = CountryField(_("country"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("selected payload")
        verbose_name_plural = _("selected payloads")
        ordering = ["selection_list", "order", "pk"]

    def __str__(self) -> str:
        return self.title


# A payload and its history -------------------------------------------------


class Payload(models.Model):
    """A selected proposal on its way to flight."""

    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        related_name="payload",
        verbose_name=_("proposal"),
    )
    version = models.ForeignKey(
        ProposalVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("version reviewed"),
    )
    decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        related_name="payload",
        verbose_name=_("decision"),
    )
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        related_name="payloads",
        verbose_name=_("opportunity"),
    )
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payloads",
        verbose_name=_("carrier"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PayloadStatus.choices,
        default=PayloadStatus.CONDITIONAL,
        editable=False,
    )
    name = models.CharField(
        _("short name"),
        max_length=200,
        help_text=_("The payload's name; the proposal's title unless changed."),
    )
    allocated_mass_kg = models.DecimalField(
        _("allocated mass (kg)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    allocated_power_w = models.DecimalField(
        _("allocated power (W)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    allocated_data_mb_per_day = models.DecimalField(
        _("allocated data volume (MB per day)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    allocated_size_mm = models.CharField(
        _("allocated size (mm)"),
        max_length=40,
        blank=True,
        help_text=_("Length × width × height, e.g. 300 × 300 × 200."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    deselected_at = models.DateTimeField(
        _("de-selected"), null=True, blank=True, editable=False
    )
    deselection_letter = models.TextField(
        _("de-selection letter"), blank=True, editable=False
    )

    class Meta:
        verbose_name = _("payload")
        verbose_name_plural = _("payloads")
        ordering = ["opportunity", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayloadStatus.values),
                name="payload_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=PayloadStatus.DESELECTED)
                | Q(deselected_at__isnull=False),
                name="payload_deselected_has_date",
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("payloads:detail", kwargs={"pk": self.pk})

    @property
    def is_deselected(self) -> bool:
        return self.status == PayloadStatus.DESELECTED


class PayloadEvent(models.Model):
    """One line of a payload's history; `data` keeps the figures (e.g. the
    allocation before and after a change)."""

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("payload"),
    )
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("what"), max_length=24, choices=EventKind.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payload event")
        verbose_name_plural = _("payload events")
        ordering = ["payload", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="payload_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payload_id} {self.get_kind_display()}"


# Conditions ------------------------------------------------------------------


class Condition(models.Model):
    """One condition of a conditional selection, answered by the team."""

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="conditions",
        verbose_name=_("payload"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("condition"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ConditionStatus.choices,
        default=ConditionStatus.OPEN,
        editable=False,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("administrator's note"), blank=True)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["payload", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConditionStatus.values),
                name="condition_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        """Past its due date (Beijing day) and not accepted."""
        return (
            self.due_date is not None
            and self.status != ConditionStatus.ACCEPTED
            and self.due_date < timezone.localdate()
        )


class ConditionDocument(models.Model):
    """A PDF the team gives with its answer; private, streamed to the team and
    the administrators only."""

    condition = models.ForeignKey(
        Condition,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("condition"),
    )
    file = models.FileField(_("file"), upload_to=condition_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("condition document")
        verbose_name_plural = _("condition documents")
        ordering = ["condition", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


# Agreements ----------------------------------------------------------------


class Agreement(models.Model):
    """An agreement of one payload, from draft to signed."""

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("payload"),
    )
    requirement = models.ForeignKey(
        CallAgreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("required by the call as"),
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        editable=False,
    )
    signed_file = models.FileField(
        _("signed PDF"), upload_to=agreement_document_path, blank=True
    )
    signed_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    signed_by_name = models.CharField(
        _("signed by"),
        max_length=300,
        blank=True,
        help_text=_("The names of the signatories on both sides."),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["payload", "requirement__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payload", "requirement"],
                name="agreement_once_per_requirement",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values),
                name="agreement_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.SIGNED)
                | (Q(signed_on__isnull=False) & ~Q(signed_file="")),
                name="agreement_signed_has_file_and_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_signed(self) -> bool:
        return self.status == AgreementStatus.SIGNED


# Milestones ----------------------------------------------------------------


class Milestone(models.Model):
    """A milestone of one payload: planned, maybe slipped, then done."""

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("payload"),
    )
    template = models.ForeignKey(
        CallMilestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("milestone of the call"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MilestoneKind.choices)
    name = models.CharField(_("name"), max_length=200)
    responsible = models.CharField(
        _("responsible side"), max_length=8, choices=Side.choices
    )
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["payload", "order", "planned_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MilestoneKind.values),
                name="milestone_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(responsible__in=Side.values),
                name="milestone_side_valid",
            ),
        ]
        indexes = [models.Index(fields=["payload", "planned_date"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_done(self) -> bool:
        return self.actual_date is not None

    def is_overdue(self, today: datetime.date) -> bool:
        """Not done and its planned date is behind `today`."""
        return not self.is_done and self.planned_date < today

    @property
    def original_date(self) -> datetime.date:
        """The date first planned, before any slip (uses prefetched `slips`)."""
        slips = sorted(self.slips.all(), key=lambda slip: (slip.recorded_at, slip.pk))
        return slips[0].from_date if slips else self.planned_date

    @property
    def slip_days(self) -> int:
        """Days from the date first planned to the current plan, or to the
        actual date once done; 0 when on time or early."""
        end = self.actual_date or self.planned_date
        return max(0, (end - self.original_date).days)


class MilestoneSlip(models.Model):
    """A milestone's planned date moved, with its reason."""

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="slips",
        verbose_name=_("milestone"),
    )
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone slip")
        verbose_name_plural = _("milestone slips")
        ordering = ["milestone", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.from_date} → {self.to_date}"

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days


# Deliveries and data ---------------------------------------------------------


class Delivery(models.Model):
    """A hardware unit delivered, measured against the allocation.

    `findings` holds what the check found as codes and figures
    ([{"code": "mass_over_allocation", "field": "mass_kg", "measured": "5.2",
    "limit": "5"}, …]); payloads.checks renders the sentences at display.
    """

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("payload"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("milestone"),
    )
    unit = models.CharField(_("unit"), max_length=20, choices=DeliveryUnit.choices)
    delivered_on = models.DateField(_("delivered on"))
    mass_kg = models.DecimalField(
        _("measured mass (kg)"),
        max_digits=8,
        decimal_places=3,
        validators=NON_NEGATIVE,
    )
    power_w = models.DecimalField(
        _("measured power (W)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    size_mm = models.CharField(
        _("measured size (mm)"),
        max_length=40,
        blank=True,
        help_text=_("Length × width × height, e.g. 300 × 300 × 200."),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.RECORDED,
        editable=False,
    )
    findings = models.JSONField(_("findings"), default=list, blank=True)
    overrun = models.BooleanField(_("overrun"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["payload", "delivered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=DeliveryUnit.values),
                name="delivery_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payload}: {self.get_unit_display()} {self.delivered_on}"


class DataHandover(models.Model):
    """Data delivered to the team."""

    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="handovers",
        verbose_name=_("payload"),
    )
    delivered_on = models.DateField(_("delivered on"))
    dataset = models.CharField(_("data set"), max_length=300)
    volume_gb = models.DecimalField(
        _("volume (GB)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    link = models.CharField(
        _("link or DOI"),
        max_length=500,
        blank=True,
        validators=[link_validator],
        help_text=_("An https:// address or a DOI such as 10.5281/zenodo.1234567."),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("data handover")
        verbose_name_plural = _("data handovers")
        ordering = ["payload", "delivered_on", "pk"]

    def __str__(self) -> str:
        return self.dataset

    @property
    def link_url(self) -> str:
        """The link to follow: a bare DOI resolved through doi.org."""
        if self.link.startswith("10."):
            return f"https://doi.org/{self.link}"
        return self.link
