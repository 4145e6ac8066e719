"""Missions, their Announcements of Opportunity, carriers and resource envelopes.

Times are stored in UTC and entered in Beijing time (TIME_ZONE = Asia/Shanghai).
Translatable text fields get `_en` and `_zh_hans` columns from modeltranslation
(see translation.py); reading `title` gives the active language, falling back to
English.
Mission and Opportunity keep a history (django-simple-history), registered in
translation.py after the translation columns exist so the history has them too.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalogue.enums import (
    AnonymityPolicy,
    CarrierKind,
    ContactLanguage,
    CooperationLevel,
    DocumentLanguage,
    OpportunityKind,
    OpportunityStatus,
    Programme,
    ResourcePolicy,
)

POSITIVE = [MinValueValidator(Decimal(0))]
# The largest document a call may ask for: nginx refuses any request body above
# this plus 1 MB for the rest of the form (deploy/nginx/nginx.conf,
# client_max_body_size), so a larger setting would only earn applicants a 413.
REQUIRED_DOCUMENT_MAX_SIZE_MB = 20
# Questions on a call close this long before its proposal deadline, unless the
# call sets its own question deadline.
QUESTION_DAYS_BEFORE_DEADLINE = 14


class Mission(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("reference code"),
        max_length=8,
        unique=True,
        help_text=_("Prefix of proposal reference numbers, e.g. CE7."),
    )
    programme = models.CharField(
        _("programme"), max_length=16, choices=Programme.choices
    )
    target = models.CharField(_("target"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    objectives = models.TextField(_("objectives"), blank=True)
    launch_window = models.CharField(
        _("launch window"),
        max_length=60,
        help_text=_("As announced, e.g. 'around 2028'."),
    )
    launch_year = models.PositiveSmallIntegerField(
        _("launch year"), help_text=_("Used to place the mission on the timeline.")
    )
    launch_date = models.DateField(_("launch date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["order", "launch_year", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:mission-detail", kwargs={"slug": self.slug})


class Contact(models.Model):
    name = models.CharField(_("full name"), max_length=120)
    department = models.CharField(_("department"), max_length=200)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=ContactLanguage.choices,
        default=ContactLanguage.ZH_HANS,
        help_text=_(
            "Emails to this contact are written in this language when the "
            "contact has no account on the portal (an account's own choice "
            "wins)."
        ),
    )

    class Meta:
        verbose_name = _("CNSA contact")
        verbose_name_plural = _("CNSA contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Opportunity(models.Model):
    mission = models.ForeignKey(
        Mission,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("mission"),
    )
    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OpportunityKind.choices)
    cooperation_level = models.CharField(
        _("cooperation level"), max_length=16, choices=CooperationLevel.choices
    )
    science_areas = models.CharField(
        _("science areas"),
        max_length=300,
        blank=True,
        help_text=_("e.g. lunar and planetary science, space physics."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.DRAFT,
        editable=False,
    )
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        help_text=_("An illustrative call for trying the portal, not a real one."),
    )

    # Team rules
    max_entities = models.PositiveSmallIntegerField(
        _("most entities per proposal"), null=True, blank=True
    )
    lead_country = CountryField(
        _("required lead country"),
        blank=True,
        help_text=_("Where the call requires the lead institution to be in a country."),
    )

    # Timeline (stored in UTC, entered and shown in Beijing time)
    opens_at = models.DateTimeField(_("opens"))
    loi_deadline = models.DateTimeField(
        _("letter-of-intent deadline"), null=True, blank=True
    )
    shortlist_date = models.DateField(_("shortlist announced"), null=True, blank=True)
    proposal_deadline = models.DateTimeField(_("proposal deadline"))
    expected_selection = models.DateField(
        _("expected selection"), null=True, blank=True
    )

    # Review set-up
    dual_anonymous = models.BooleanField(_("dual-anonymous review"), default=False)
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        _("reviewers per proposal"), default=3
    )
    resource_policy = models.CharField(
        _("resource envelope policy"),
        max_length=8,
        choices=ResourcePolicy.choices,
        default=ResourcePolicy.BLOCK,
    )
    contacts = models.ManyToManyField(
        Contact,
        related_name="opportunities",
        blank=True,
        verbose_name=_("CNSA contacts"),
    )
    anonymity_policy = models.CharField(
        _("anonymity check"),
        max_length=8,
        choices=AnonymityPolicy.choices,
        default=AnonymityPolicy.WARN,
        help_text=_(
            "In a dual-anonymous call, whether what the check before "
            "submission finds (team names, institutions, revealing phrases) "
            "blocks submission or only warns."
        ),
    )

    # Questions and answers
    question_deadline = models.DateTimeField(
        _("questions accepted until"),
        null=True,
        blank=True,
        help_text=format_lazy(
            _("Empty: {days} days before the proposal deadline."),
            days=QUESTION_DAYS_BEFORE_DEADLINE,
        ),
    )

    # Outcome of a past call, as published (historical calls only)
    proposals_received = models.PositiveIntegerField(
        _("proposals received"), null=True, blank=True
    )
    proposals_shortlisted = models.PositiveIntegerField(
        _("proposals shortlisted"), null=True, blank=True
    )
    proposals_selected = models.PositiveIntegerField(
        _("proposals selected"), null=True, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)

    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["proposal_deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal_deadline__gt=F("opens_at")),
                name="opportunity_deadline_after_opening",
                violation_error_message=_(
                    "The proposal deadline must be after opening."
                ),
            ),
            models.CheckConstraint(
                condition=Q(loi_deadline__isnull=True)
                | (
                    Q(loi_deadline__gt=F("opens_at"))
                    & Q(loi_deadline__lt=F("proposal_deadline"))
                ),
                name="opportunity_loi_between_opening_and_deadline",
                violation_error_message=_(
                    "The letter-of-intent deadline must fall between opening and "
                    "the proposal deadline."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reviewers_per_proposal__gte=1),
                name="opportunity_at_least_one_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposal_deadline"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:opportunity-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status != OpportunityStatus.DRAFT

    @property
    def has_loi_stage(self) -> bool:
        return self.loi_deadline is not None

    def is_open_at(self, moment) -> bool:
        return (
            self.status == OpportunityStatus.PUBLISHED
            and self.opens_at <= moment < self.proposal_deadline
        )

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def questions_close_at(self):
        """Until when researchers may ask questions on this call: the call's
        own question deadline, else QUESTION_DAYS_BEFORE_DEADLINE days before
        the proposal deadline."""
        if self.question_deadline is not None:
            return self.question_deadline
        return self.proposal_deadline - timedelta(days=QUESTION_DAYS_BEFORE_DEADLINE)

    @property
    def next_deadline(self):
        """The next deadline still ahead: the letter of intent, then the proposal."""
        now = timezone.now()
        for moment in (self.loi_deadline, self.proposal_deadline):
            if moment is not None and moment > now:
                return moment
        return None


class Carrier(models.Model):
    """A vehicle that carries payloads, with the resources it offers them."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="carriers",
        verbose_name=_("opportunity"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CarrierKind.choices)
    name = models.CharField(_("name"), max_length=120)
    total_mass_kg = models.DecimalField(
        _("total mass (kg)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=POSITIVE,
        help_text=_("Leave empty where the call published no mass."),
    )
    max_payload_mass_kg = models.DecimalField(
        _("most mass for one payload (kg)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    power_w = models.DecimalField(
        _("power (W)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    data_mb_per_day = models.DecimalField(
        _("data volume (MB per day)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    max_size_mm = models.CharField(
        _("largest size (mm)"),
        max_length=40,
        blank=True,
        help_text=_("Length × width × height, e.g. 300 × 300 × 200."),
    )
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_payload_mass_kg__isnull=True)
                | Q(total_mass_kg__isnull=True)
                | Q(max_payload_mass_kg__lte=F("total_mass_kg")),
                name="carrier_payload_mass_within_total",
                violation_error_message=_(
                    "The most one payload may take cannot exceed the carrier's total."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity.mission.name} {self.name}"

    @property
    def payload_mass_limit_kg(self) -> Decimal | None:
        """The most one payload may take; None where the call published no mass."""
        if self.max_payload_mass_kg is not None:
            return self.max_payload_mass_kg
        return self.total_mass_kg


class EvaluationCriterion(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("opportunity"),
    )
    name = models.CharField(_("criterion"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class RequiredDocument(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="required_documents",
        verbose_name=_("opportunity"),
    )
    name = models.CharField(_("document"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_mandatory = models.BooleanField(_("mandatory"), default=True)
    page_limit = models.PositiveSmallIntegerField(
        _("page limit"), null=True, blank=True
    )
    max_size_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"),
        default=REQUIRED_DOCUMENT_MAX_SIZE_MB,
        validators=[
            MaxValueValidator(
                REQUIRED_DOCUMENT_MAX_SIZE_MB,
                message=_(
                    "At most %(limit_value)s MB: the server refuses larger "
                    "uploads before the portal sees them."
                ),
            )
        ],
    )
    stage = models.CharField(
        _("stage"),
        max_length=8,
        choices=[("loi", _("Letter of intent")), ("full", _("Full proposal"))],
        default="full",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    """A statement the principal investigator must accept before submitting,
    e.g. funding their own payload, sharing data, export control."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("opportunity"),
    )
    text = models.TextField(_("statement"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("statement to accept")
        verbose_name_plural = _("statements to accept")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Amendment(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="amendments"
    )
    posted_at = models.DateTimeField(_("posted"), default=timezone.now)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what changed"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-posted_at"]

    def __str__(self) -> str:
        return self.title


def ao_document_path(instance: "OpportunityDocument", filename: str) -> str:
    return f"ao-documents/{instance.opportunity_id}/{filename}"


class OpportunityDocument(models.Model):
    """A document of the announcement itself (the AO text, templates, guides)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.EN,
    )
    file = models.FileField(_("file"), upload_to=ao_document_path)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("AO document")
        verbose_name_plural = _("AO documents")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MissionSubscription(models.Model):
    """A researcher asks to hear of new and amended calls for a mission."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mission subscription")
        verbose_name_plural = _("mission subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "mission"], name="subscription_once_per_mission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.mission}"


class CooperationTable(models.Model):
    """A table of the presentation's cooperation offers, shown on /cooperation/."""

    slug = models.SlugField(_("slug"), unique=True)
    section = models.CharField(_("section"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    columns = models.JSONField(_("column headings"), default=list)
    rows = models.JSONField(_("rows"), default=list)
    footnotes = models.TextField(_("footnotes"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("cooperation table")
        verbose_name_plural = _("cooperation tables")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
