"""Writes to the outbox: queue an email, resend a failed one, record what the mail
service reported. A Celery task sends each row once its transaction has committed.
"""

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerUnavailable

from notifications.models import (
    DeliveryReport,
    EmailStatus,
    FlaggedAddress,
    FlagReason,
    OutboundEmail,
)

logger = logging.getLogger(__name__)

# After the broker refused a task, this process leaves new rows to the sweeper
# for a while instead of waiting on the broker again for each one.
BROKER_PAUSE_SECONDS = 10.0
_broker_pause = {"until": 0.0}

# A mail service's report that is a problem for the address, and the flag it raises.
PROBLEM_REPORTS: dict[str, str] = {
    DeliveryReport.BOUNCED: FlagReason.BOUNCED,
    DeliveryReport.REJECTED: FlagReason.REJECTED,
    DeliveryReport.COMPLAINED: FlagReason.COMPLAINED,
}


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = "en"
    user_id: int | None = None

    @classmethod
    def for_user(cls, user) -> "Recipient":
        return cls(email=user.email, language=user.preferred_language, user_id=user.pk)


def _render_plain(name: str, context: dict) -> str:
    """Render a plain-text template: no HTML escaping (an apostrophe stays one)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_email(
    *, template: str, context: dict, language: str
) -> tuple[str, str, str]:
    """Render subject, plain text and HTML of `templates/emails/<template>/`."""
    full_context = {"site_url": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = _render_plain(f"emails/{template}/subject.txt", full_context)
        text = _render_plain(f"emails/{template}/body.txt", full_context)
        html = render_to_string(f"emails/{template}/body.html", full_context)
    return " ".join(subject.split()), text.strip() + "\n", html


def _message_id() -> str:
    """A Message-ID of our own domain; it stays the same across every retry."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def undeliverable(address: str) -> bool:
    """An address in the reserved `.invalid` top-level domain (RFC 2606): a
    deleted account's (privacy.services.delete_account), which nothing may be
    sent to and which must not be flagged as bouncing."""
    return address.rstrip(".").lower().endswith(".invalid")


def queue_email(
    *,
    key: str,
    recipient: Recipient,
    template: str,
    context: dict,
    reply_to: str = "",
    sensitive: bool = False,
) -> OutboundEmail | None:
    """Render `templates/emails/<template>/` in the recipient's language and queue it.

    `key` identifies the event and recipient: queueing the same key twice records
    and sends one email. Returns the new row, or None when the key was known or
    the address can never receive mail (`undeliverable`).
    """
    if undeliverable(recipient.email):
        return None
    subject, text, html = render_email(
        template=template, context=context, language=recipient.language
    )
    return queue_rendered_email(
        key=key,
        recipient=recipient,
        template=template,
        subject=subject,
        body_text=text,
        body_html=html,
        reply_to=reply_to,
        sensitive=sensitive,
        context=context,
    )


def queue_rendered_email(
    *,
    key: str,
    recipient: Recipient,
    template: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    reply_to: str = "",
    sensitive: bool = False,
    context: dict | None = None,
) -> OutboundEmail | None:
    """Record one email rendered elsewhere (allauth's account emails) in the outbox.

    The one path by which a row is created, inside the caller's transaction: the
    send task is enqueued once that transaction commits, so a rolled-back event
    sends nothing. Returns the new row, or None when `key` was already queued or
    the address can never receive mail (`undeliverable`).
    """
    if undeliverable(recipient.email):
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                idempotency_key=key,
                template=template,
                context=context or {},
                language=recipient.language,
                to_email=recipient.email,
                recipient_id=recipient.user_id,
                reply_to=reply_to,
                subject=" ".join(subject.split()),
                body_text=body_text,
                body_html=body_html,
                message_id=_message_id(),
                sensitive=sensitive,
                next_attempt_at=now,
            )
    except IntegrityError:
        if OutboundEmail.objects.filter(idempotency_key=key).exists():
            return None
        raise
    email_id = email.pk
    transaction.on_commit(lambda: enqueue(email_ids=[email_id]))
    return email


def enqueue(*, email_ids: Iterable[int], wait_for_broker: bool = False) -> int:
    """Hand rows to Celery; returns how many were handed over.

    Called after commit. A broker that is down is not the event's failure: the
    rows stay queued and the sweeper hands them over when the broker is back.
    After one failure this process stops trying for BROKER_PAUSE_SECONDS, so a
    request that queued a hundred emails does not wait a hundred times; the
    sweeper passes `wait_for_broker=True` and always tries.
    """
    from notifications.tasks import send_email  # noqa: PLC0415 — tasks import services

    if not wait_for_broker and time.monotonic() < _broker_pause["until"]:
        return 0
    handed = 0
    for email_id in email_ids:
        try:
            send_email.apply_async(kwargs={"email_id": email_id})
        except BrokerUnavailable:
            _broker_pause["until"] = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "Broker unavailable: email %s and those after it stay queued "
                "for the sweeper.",
                email_id,
            )
            break
        handed += 1
    if handed and wait_for_broker:
        _broker_pause["until"] = 0.0  # the broker is back
    return handed


@transaction.atomic
def resend_email(*, email: OutboundEmail, actor) -> bool:
    """Put a failed row back in the queue, with fresh attempts; False if not failed."""
    now = timezone.now()
    moved = OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        claimed_at=None,
        updated_at=now,
    )
    if not moved:
        return False
    logger.info("Email %s queued again by %s.", email.pk, actor)
    email_id = email.pk
    transaction.on_commit(lambda: enqueue(email_ids=[email_id]))
    return True


@transaction.atomic
def flag_address(
    *, email: str, reason: str, detail: str, outbound: OutboundEmail | None = None
) -> FlaggedAddress:
    """Flag `email` for administrators, or count one more event on its flag."""
    now = timezone.now()
    address = email.strip().lower()
    flagged, created = FlaggedAddress.objects.select_for_update().get_or_create(
        email=address,
        defaults={
            "reason": reason,
            "detail": detail,
            "last_flagged_at": now,
            "last_email": outbound,
        },
    )
    if not created:
        flagged.reason = reason
        flagged.detail = detail
        flagged.last_flagged_at = now
        flagged.last_email = outbound
        flagged.events = F("events") + 1
        flagged.save()
        flagged.refresh_from_db()
    return flagged


@transaction.atomic
def record_delivery_report(
    *,
    report: str,
    provider_message_id: str = "",
    message_id: str = "",
    recipient: str = "",
    detail: str = "",
    reported_at: datetime | None = None,
) -> OutboundEmail | None:
    """Record a mail service's report on a sent email; flag the address on a problem.

    The row is found by the service's own message id or by our Message-ID. A
    report of a problem is kept over a later report of success (reports may come
    out of order). Returns the row, or None when no row matches.
    """
    lookup = Q()
    if provider_message_id:
        lookup |= Q(provider_message_id=provider_message_id)
    if message_id:
        lookup |= Q(message_id=message_id)
    email = (
        OutboundEmail.objects.select_for_update().filter(lookup).first()
        if lookup
        else None
    )
    if email is None:
        logger.info("Delivery report %s matches no email in the outbox.", report)
        return None
    if not (email.delivery_report in PROBLEM_REPORTS and report not in PROBLEM_REPORTS):
        email.delivery_report = report
        email.delivery_report_at = reported_at or timezone.now()
        email.delivery_detail = detail
        email.save(
            update_fields=[
                "delivery_report",
                "delivery_report_at",
                "delivery_detail",
                "updated_at",
            ]
        )
    if report in PROBLEM_REPORTS:
        flag_address(
            email=recipient or email.to_email,
            reason=PROBLEM_REPORTS[report],
            detail=detail,
            outbound=email,
        )
    return email
