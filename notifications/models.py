"""The outbox: one row per email, written in the transaction of its event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryReport(models.TextChoices):
    """What the mail service said after accepting the message (anymail's events)."""

    DELIVERED = "delivered", _("Delivered")
    DEFERRED = "deferred", _("Deferred")
    BOUNCED = "bounced", _("Bounced")
    REJECTED = "rejected", _("Rejected by the mail service")
    COMPLAINED = "complained", _("Marked as spam")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class FlagReason(models.TextChoices):
    REFUSED = "refused", _("Refused by the mail server")
    BOUNCED = "bounced", _("Bounced")
    REJECTED = "rejected", _("Rejected by the mail service")
    COMPLAINED = "complained", _("Marked as spam")


class OutboundEmail(models.Model):
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=255,
        unique=True,
        help_text=_("One per event and recipient; a second queueing is ignored."),
    )
    template = models.CharField(_("template"), max_length=80, db_index=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    to_email = models.EmailField(_("recipient"), db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("recipient account"),
    )
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Carries a secret link (sign-up, password reset): body hidden."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=EmailStatus.choices,
        default=EmailStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("A queued row not sent by then is handed to a worker again."),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_message_id = models.CharField(
        _("mail service message id"), max_length=255, blank=True, db_index=True
    )
    delivery_report = models.CharField(
        _("delivery report"),
        max_length=12,
        choices=DeliveryReport.choices,
        blank=True,
        db_index=True,
    )
    delivery_report_at = models.DateTimeField(
        _("delivery report received"), null=True, blank=True
    )
    delivery_detail = models.TextField(_("delivery detail"), blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=EmailStatus.SENT) | Q(sent_at__isnull=False),
                name="sent_email_has_sent_at",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmailStatus.values),
                name="email_status_known",
            ),
        ]
        indexes = [
            # The sweeper's two scans: due queued rows, stale sending rows.
            models.Index(
                fields=["status", "next_attempt_at"], name="outbox_status_due"
            ),
            models.Index(fields=["status", "claimed_at"], name="outbox_status_claimed"),
            # The admin's changelist, newest first (Django adds -pk to the order).
            models.Index(fields=["-created_at", "-id"], name="outbox_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


class FlaggedAddress(models.Model):
    """An address that refused, bounced or complained: administrators act on it."""

    email = models.EmailField(_("address"), unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    detail = models.TextField(_("detail"), blank=True)
    events = models.PositiveIntegerField(_("events"), default=1)
    first_flagged_at = models.DateTimeField(_("first flagged"), auto_now_add=True)
    last_flagged_at = models.DateTimeField(_("last flagged"))
    last_email = models.ForeignKey(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last email"),
    )

    class Meta:
        verbose_name = _("flagged address")
        verbose_name_plural = _("flagged addresses")
        ordering = ["-last_flagged_at"]

    def __str__(self) -> str:
        return self.email
