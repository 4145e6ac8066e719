"""A message from the administrators to the proposers of one call, and to whom
it went.

A message is written (subject and body in English and Simplified Chinese, with
placeholders, see messaging.placeholders), previewed for each recipient, and
sent once (messaging.services.send_message): its filters choose the call's
proposals (stage, statuses) and its audience who of each team. Sending records
one MessageRecipient per address with the outbox row of its email; a sent
message is never changed again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue.models import Opportunity
from messaging.enums import Audience
from notifications.models import OutboundEmail
from proposals.enums import ProposalStage
from proposals.models import Proposal


class Message(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("call"),
    )
    stage = models.CharField(
        _("stage"),
        max_length=8,
        choices=ProposalStage.choices,
        blank=True,
        help_text=_("Empty: proposals at either stage."),
    )
    statuses = models.JSONField(
        _("statuses"),
        default=list,
        help_text=_("The proposals' statuses the message goes to."),
    )
    audience = models.CharField(
        _("audience"),
        max_length=8,
        choices=Audience.choices,
        default=Audience.PRINCIPAL_INVESTIGATORS,
    )
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    subject_zh_hans = models.CharField(
        _("subject (Simplified Chinese)"),
        max_length=200,
        blank=True,
        help_text=_("Empty: Chinese readers get the English subject."),
    )
    body_zh_hans = models.TextField(
        _("message (Simplified Chinese)"),
        blank=True,
        help_text=_("Empty: Chinese readers get the English message."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("message to proposers")
        verbose_name_plural = _("messages to proposers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(sent_by__isnull=False),
                name="message_sent_has_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.subject_en

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class MessageRecipient(models.Model):
    """One address a sent message went to, in which language, and its email."""

    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("message"),
    )
    email = models.EmailField(_("address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    proposals = models.ManyToManyField(
        Proposal, related_name="+", verbose_name=_("proposals")
    )
    outbound = models.ForeignKey(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("email in the outbox"),
    )

    class Meta:
        verbose_name = _("recipient of a message")
        verbose_name_plural = _("recipients of messages")
        ordering = ["message", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "email"], name="message_recipient_once"
            ),
        ]

    def __str__(self) -> str:
        return self.email
