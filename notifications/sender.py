"""Claim an outbox row, send it, record the outcome.

A row is claimed by one conditional UPDATE (queued → sending), so a task
delivered twice, or a row handed over twice, sends once. After the mail server
accepts the message the row is marked sent. Transient failures put the row back
in the queue with an exponential back-off and jitter, up to
NOTIFICATIONS_MAX_ATTEMPTS; permanent ones fail it at once.

The one gap no outbox closes: a worker killed after the server accepted the
message and before the row was marked sent leaves the row in "sending"; the
sweeper sends it again. The copy carries the same Message-ID, so mail clients
show one message.
"""

import logging
import random
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from notifications.models import EmailStatus, FlagReason, OutboundEmail
from notifications.services import flag_address

logger = logging.getLogger(__name__)

# A worker keeps its SMTP connection between messages, for at most this long idle.
SMTP_IDLE_SECONDS = 20.0
ERROR_LENGTH = 2000
TRANSIENT_REPLIES = range(400, 500)  # SMTP 4xx: try again later
TRANSIENT_HTTP = {408, 429}  # a mail service's API: timeout, rate limit
HTTP_SERVER_ERROR = 500
_local = threading.local()


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: float | None = None


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    """The message as sent: plain text first, HTML as the alternative."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id, "Auto-Submitted": "auto-generated"},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def claim(*, email_id: int) -> OutboundEmail | None:
    """Atomically move a queued row to sending; None if it is not queued."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, status=EmailStatus.QUEUED
    ).update(
        status=EmailStatus.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        updated_at=now,
    )
    if not claimed:
        return None
    return OutboundEmail.objects.get(pk=email_id)


def backoff_seconds(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: doubling from the base, capped, jittered.

    Half of the delay is fixed and half random ("equal jitter"), so retries of
    many rows after one outage spread out instead of arriving together.
    """
    delay = min(
        settings.NOTIFICATIONS_RETRY_MAX_SECONDS,
        settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 — jitter, not a secret


def is_transient(exc: Exception) -> bool:
    """Will trying again later plausibly succeed?

    4xx replies, lost or refused connections and timeouts are transient; 5xx
    replies (an unknown recipient, a rejected message) are permanent. A failed
    login is a configuration fault: transient, so the rows wait for the fix.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code in TRANSIENT_REPLIES for code, _msg in exc.recipients.values())
    if isinstance(
        exc,
        smtplib.SMTPServerDisconnected
        | smtplib.SMTPConnectError
        | smtplib.SMTPAuthenticationError,
    ):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code in TRANSIENT_REPLIES
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status in TRANSIENT_HTTP or status >= HTTP_SERVER_ERROR
    return isinstance(exc, smtplib.SMTPException | OSError)


def refused_recipient(exc: Exception) -> bool:
    """Did the server refuse the address itself (as opposed to the message)?"""
    if isinstance(exc, AnymailRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and not is_transient(exc)


def _connection():
    """This thread's open connection to the mail backend, reopened when stale."""
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    connection = getattr(_local, "connection", None)
    stale = time.monotonic() - getattr(_local, "used_at", 0.0) > SMTP_IDLE_SECONDS
    if connection is not None and (stale or _local.key != key):
        close_connection()
        connection = None
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _local.connection, _local.key = connection, key
    return connection


def close_connection() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("Closing a broken mail connection failed.", exc_info=True)


def _send(email: OutboundEmail) -> str:
    """Send the row's message; returns the mail service's message id, if any."""
    message = build_message(email)
    try:
        _connection().send_messages([message])
    except Exception:
        close_connection()
        raise
    _local.used_at = time.monotonic()
    provider_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    return "" if provider_id is None else str(provider_id)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]


def deliver(*, email_id: int) -> Delivery:
    """Send one outbox row if it is queued; say what became of it."""
    email = claim(email_id=email_id)
    if email is None:
        return Delivery(Outcome.SKIPPED)
    try:
        provider_message_id = _send(email)
    except Exception as exc:  # every failure, expected or not, is recorded on the row
        return _record_failure(email, exc)
    now = timezone.now()
    # Whatever happened to the row meanwhile (a sweeper that took it back), the
    # server has the message now: sent is the truth.
    OutboundEmail.objects.filter(pk=email.pk).exclude(status=EmailStatus.SENT).update(
        status=EmailStatus.SENT,
        sent_at=now,
        updated_at=now,
        next_attempt_at=None,
        last_error="",
        provider_message_id=provider_message_id,
    )
    return Delivery(Outcome.SENT)


def _record_failure(email: OutboundEmail, exc: Exception) -> Delivery:
    now = timezone.now()
    mine = OutboundEmail.objects.filter(
        pk=email.pk, status=EmailStatus.SENDING, attempts=email.attempts
    )
    error = _describe(exc)
    if is_transient(exc) and email.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        delay = backoff_seconds(email.attempts)
        mine.update(
            status=EmailStatus.QUEUED,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=error,
            updated_at=now,
        )
        logger.info(
            "Email %s: attempt %s failed (%s); retry in %.1f s.",
            email.pk,
            email.attempts,
            error,
            delay,
        )
        return Delivery(Outcome.RETRY, retry_in=delay)
    mine.update(
        status=EmailStatus.FAILED,
        next_attempt_at=None,
        last_error=error,
        updated_at=now,
    )
    logger.error(
        "Email %s failed after %s attempts: %s", email.pk, email.attempts, error
    )
    if refused_recipient(exc):
        flag_address(
            email=email.to_email,
            reason=FlagReason.REFUSED,
            detail=error,
            outbound=email,
        )
    return Delivery(Outcome.FAILED)
