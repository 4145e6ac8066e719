"""Claim an outbox row, send it, record the outcome."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def claim(email_id: int) -> OutboundEmail | None:
    """Atomically move a queued row to sending; None if another worker has it."""
    now = timezone.now()
    with transaction.atomic():
        claimed = OutboundEmail.objects.filter(
            pk=email_id, status=EmailStatus.QUEUED
        ).update(status=EmailStatus.SENDING, claimed_at=now, updated_at=now)
    if not claimed:
        return None
    return OutboundEmail.objects.get(pk=email_id)


def deliver(*, task, email_id: int) -> str:
    email = claim(email_id)
    if email is None:
        return "skipped"
    build_message(email).send()
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT,
        sent_at=now,
        updated_at=now,
        attempts=email.attempts + 1,
    )
    return "sent"
