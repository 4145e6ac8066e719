"""Proposals, their team, documents, frozen versions and status history.

A proposal's state is the pair (stage, status); only proposals.workflow assigns
either. Submitting freezes a ProposalVersion that is never updated afterwards.
"""

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalogue.models import Carrier, Mission, Opportunity, RequiredDocument, Statement
from proposals.enums import ProposalStage, ProposalStatus, TeamRole

NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class Proposal(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("opportunity"),
    )
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("principal investigator"),
    )
    stage = models.CharField(
        _("stage"),
        max_length=8,
        choices=ProposalStage.choices,
        default=ProposalStage.FULL,
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
        editable=False,
    )
    reference = models.CharField(
        _("reference number"),
        max_length=24,
        blank=True,
        editable=False,
        help_text=_("Given on first submission, e.g. CE7-2026-0042; never reused."),
    )

    # Summary
    title = models.CharField(_("title"), max_length=200, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Separated by commas."),
    )
    # Science and technology objectives
    objectives = models.TextField(_("science and technology objectives"), blank=True)
    relevance = models.TextField(_("relevance to the mission"), blank=True)
    # Payload
    payload_description = models.TextField(_("payload description"), blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("From 1 (basic principles) to 9 (flight proven)."),
    )
    heritage = models.TextField(_("heritage"), blank=True)
    # Resources requested
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("carrier"),
    )
    mass_kg = models.DecimalField(
        _("mass (kg)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    power_avg_w = models.DecimalField(
        _("average power (W)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    power_peak_w = models.DecimalField(
        _("peak power (W)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    data_mb_per_day = models.DecimalField(
        _("data volume (MB per day)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    operations_needs = models.TextField(_("operations needs"), blank=True)
    # Funding
    funding_statement = models.TextField(_("funding statement"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(
        _("last submitted"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="proposal_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=ProposalStage.values),
                name="proposal_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
                | ~Q(reference=""),
                name="proposal_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9),
                name="proposal_trl_1_to_9",
                violation_error_message=_(
                    "The technology readiness level runs from 1 to 9."
                ),
            ),
            models.CheckConstraint(
                condition=Q(power_peak_w__isnull=True)
                | Q(power_avg_w__isnull=True)
                | Q(power_peak_w__gte=F("power_avg_w")),
                name="proposal_peak_power_at_least_average",
                violation_error_message=_(
                    "The peak power cannot be lower than the average power."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "status"]),
            # The admin's changelist and the dashboard read the newest first.
            models.Index(fields=["-updated_at", "id"], name="proposal_recent"),
            # Lists in reference order (decisions, the panel's assignments): the
            # unique constraint's index is partial (no drafts), which an ORDER
            # BY cannot use.
            models.Index(fields=["reference"], name="proposal_reference"),
        ]

    def __str__(self) -> str:
        label = self.title or _("Untitled proposal")
        return f"{self.reference} {label}" if self.reference else str(label)

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", kwargs={"pk": self.pk})

    @property
    def is_letter(self) -> bool:
        return self.stage == ProposalStage.LETTER_OF_INTENT

    @property
    def deadline(self):
        """The deadline of the stage the proposal is at (letter or full)."""
        if self.is_letter:
            return self.opportunity.loi_deadline
        return self.opportunity.proposal_deadline

    @property
    def size_mm(self) -> tuple[int, int, int] | None:
        sides = (self.length_mm, self.width_mm, self.height_mm)
        return None if None in sides else sides


class StatementAcceptance(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="statement_acceptances"
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("accepted statement")
        verbose_name_plural = _("accepted statements")
        ordering = ["statement__order", "statement__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "statement"], name="statement_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.statement}"


class TeamMember(models.Model):
    """A co-investigator or collaborator; the principal investigator is the owner."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="team_members"
    )
    name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"))
    institution = models.CharField(_("institution"), max_length=255)
    country = CountryField(_("country"))
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=TeamRole.choices,
        default=TeamRole.CO_INVESTIGATOR,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
        verbose_name=_("account"),
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # SHA-256 of the invitation token; the token itself is only in the email.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "email"], name="team_member_once_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="team_member_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def document_path(instance: "ProposalDocument", filename: str) -> str:
    """A random name: the uploader's file name never reaches the storage path."""
    return f"proposal-documents/{uuid.uuid4().hex}.pdf"


class ProposalDocument(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="documents"
    )
    required_document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.PROTECT,
        related_name="proposal_documents",
        verbose_name=_("document"),
    )
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    page_count = models.PositiveIntegerField(_("pages"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    replaced_at = models.DateTimeField(
        _("replaced"),
        null=True,
        blank=True,
        help_text=_("Kept after replacement because a submitted version cites it."),
    )

    class Meta:
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")
        ordering = ["required_document__order", "required_document__pk", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "required_document"],
                condition=Q(replaced_at__isnull=True),
                name="one_current_document_per_requirement",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ProposalVersion(models.Model):
    """What was submitted, frozen. Rows are created once and never updated."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    stage = models.CharField(_("stage"), max_length=8, choices=ProposalStage.choices)
    reference = models.CharField(_("reference number"), max_length=24)
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(_("snapshot"))
    documents = models.ManyToManyField(
        ProposalDocument, related_name="versions", blank=True
    )

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="version_number_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="version_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} v{self.number}"

    def save(self, *args, **kwargs):
        """Create only: a frozen version has no update path."""
        if not self._state.adding:
            raise ValueError("A submitted proposal version cannot be changed.")
        super().save(*args, **kwargs)


class ProposalEvent(models.Model):
    """One line of a proposal's status history.

    What the portal says about a move is stored as a `message` code and its
    `params`, and worded in the reader's language when shown (`text`); `note`
    keeps the English wording of that message, or the words a person typed
    (a withdrawal's reason, a declined letter's note), shown as typed. Rows
    older than the codes keep only their note (proposals/0004 coded the known
    ones).
    """

    class Message(models.TextChoices):
        VERSION_SUBMITTED = "version_submitted", _("version submitted")
        REVIEW_STARTED = "review_started", _("review started")
        DECISION_RELEASED = "decision_released", _("decision released")
        LETTER_SHORTLISTED = "letter_shortlisted", _("letter of intent shortlisted")

    # The wording of each message, translated when shown; its params fill it.
    # An `outcome` param is a proposal status, shown by its label.
    WORDING: ClassVar[dict[str, str]] = {
        Message.VERSION_SUBMITTED: gettext_noop("Version %(number)s submitted."),
        Message.REVIEW_STARTED: gettext_noop("Review started."),
        Message.DECISION_RELEASED: gettext_noop("Decision released: %(outcome)s."),
        Message.LETTER_SHORTLISTED: gettext_noop("Letter of intent shortlisted."),
    }

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"))
    from_stage = models.CharField(
        _("from stage"), max_length=8, choices=ProposalStage.choices
    )
    from_status = models.CharField(
        _("from status"), max_length=24, choices=ProposalStatus.choices
    )
    to_stage = models.CharField(
        _("to stage"), max_length=8, choices=ProposalStage.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=24, choices=ProposalStatus.choices
    )
    note = models.TextField(_("note"), blank=True)
    message = models.CharField(
        _("message"), max_length=32, choices=Message.choices, blank=True
    )
    params = models.JSONField(_("message details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"

    @classmethod
    def word(cls, message: str, params: dict) -> str:
        """`message` with `params`, in the active language."""
        shown = dict(params)
        outcome = shown.get("outcome")
        if outcome in ProposalStatus.values:
            shown["outcome"] = ProposalStatus(outcome).label
        return gettext(cls.WORDING[message]) % shown

    @property
    def text(self) -> str:
        """The note in the reader's language when it is a message of ours, else
        as it was typed."""
        if self.message in self.WORDING:
            return self.word(self.message, self.params or {})
        return self.note

    text.fget.short_description = _("note")


class ReferenceCounter(models.Model):
    """The last reference number given for a mission and year; locked to count."""

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "year"], name="reference_counter_per_mission_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mission.code}-{self.year}: {self.last_number}"


class SectionVersion(models.Model):
    """How many times one section of a proposal has been saved, by whom last.

    The editor posts the number it started from; proposals.services.update_section
    compares it with this row, under the proposal's lock, so that two people
    saving the same section never overwrite each other unawares. No row yet is
    version 0.
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="section_versions"
    )
    section = models.CharField(_("section"), max_length=16)
    number = models.PositiveIntegerField(_("version"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    saved_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        ordering = ["proposal", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "section"], name="section_version_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="section_version_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.section} v{self.number}"
