"""Sending one outbox row through a real SMTP server on loopback."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import sender
from notifications.models import EmailStatus, FlaggedAddress, FlagReason, OutboundEmail
from tests.notifications.smtp import free_port


def test_deliver_sends_and_marks_sent(smtp_settings, smtp_sink, make_email):
    email = make_email()

    delivery = sender.deliver(email_id=email.pk)

    email.refresh_from_db()
    assert delivery.outcome == sender.Outcome.SENT
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert smtp_sink.copies() == {email.message_id: 1}


def test_deliver_message_carries_headers_and_plain_text(
    smtp_settings, smtp_sink, make_email
):
    email = make_email()

    sender.deliver(email_id=email.pk)

    message = smtp_sink.received[0].message
    assert message["Message-ID"] == email.message_id
    assert message["Reply-To"] == "contact@cnsa.example.org"
    assert message["To"] == "pi@university.example.org"
    assert message["Subject"] == email.subject
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    plain = message.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n").strip() == email.body_text.strip()


def test_deliver_twice_sends_once(smtp_settings, smtp_sink, make_email):
    email = make_email()

    first = sender.deliver(email_id=email.pk)
    second = sender.deliver(email_id=email.pk)

    assert (first.outcome, second.outcome) == (
        sender.Outcome.SENT,
        sender.Outcome.SKIPPED,
    )
    assert smtp_sink.copies() == {email.message_id: 1}


def test_deliver_transient_refusal_requeues_with_backoff(
    smtp_settings, smtp_sink, make_email
):
    smtp_settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    smtp_settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    smtp_sink.refuse(at="data", reply="421 4.3.2 Try again later")
    email = make_email()
    before = timezone.now()

    delivery = sender.deliver(email_id=email.pk)

    email.refresh_from_db()
    assert delivery.outcome == sender.Outcome.RETRY
    assert 15 <= delivery.retry_in <= 30
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert "421" in email.last_error
    assert before + timedelta(seconds=15) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert smtp_sink.count() == 0


def test_deliver_refused_then_accepted_arrives_once(
    smtp_settings, smtp_sink, make_email
):
    smtp_sink.refuse(at="rcpt", reply="450 4.2.1 Mailbox busy")
    email = make_email()

    outcomes = [sender.deliver(email_id=email.pk).outcome for _ in range(3)]

    email.refresh_from_db()
    assert outcomes == [
        sender.Outcome.RETRY,
        sender.Outcome.SENT,
        sender.Outcome.SKIPPED,
    ]
    assert email.status == EmailStatus.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert smtp_sink.copies() == {email.message_id: 1}


def test_deliver_unknown_recipient_fails_at_once_and_flags(
    smtp_settings, smtp_sink, make_email
):
    smtp_sink.refuse(at="rcpt", reply="550 5.1.1 No such user")
    email = make_email(to="Gone@University.example.org")

    delivery = sender.deliver(email_id=email.pk)

    email.refresh_from_db()
    flag = FlaggedAddress.objects.get()
    assert delivery.outcome == sender.Outcome.FAILED
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 1
    assert "550" in email.last_error
    assert (flag.email, flag.reason, flag.last_email_id) == (
        "gone@university.example.org",
        FlagReason.REFUSED,
        email.pk,
    )


def test_deliver_rejected_message_fails_without_flagging(
    smtp_settings, smtp_sink, make_email
):
    smtp_sink.refuse(at="data", reply="554 5.6.0 Message rejected")
    email = make_email()

    delivery = sender.deliver(email_id=email.pk)

    assert delivery.outcome == sender.Outcome.FAILED
    assert OutboundEmail.objects.get().status == EmailStatus.FAILED
    assert FlaggedAddress.objects.count() == 0


def test_deliver_gives_up_after_max_attempts(smtp_settings, smtp_sink, make_email):
    smtp_settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    smtp_sink.refuse(at="data", reply="451 4.3.0 Local error", times=3)
    email = make_email()

    outcomes = [sender.deliver(email_id=email.pk).outcome for _ in range(3)]

    email.refresh_from_db()
    assert outcomes == [
        sender.Outcome.RETRY,
        sender.Outcome.RETRY,
        sender.Outcome.FAILED,
    ]
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 3
    assert email.next_attempt_at is None
    assert smtp_sink.count() == 0


def test_deliver_without_server_is_transient(settings, make_email):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens
    email = make_email()

    delivery = sender.deliver(email_id=email.pk)

    email.refresh_from_db()
    assert delivery.outcome == sender.Outcome.RETRY
    assert email.status == EmailStatus.QUEUED
    assert "ConnectionRefusedError" in email.last_error


def test_deliver_sent_row_is_never_sent_again(smtp_settings, smtp_sink, make_email):
    email = make_email()
    sender.deliver(email_id=email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=None)

    delivery = sender.deliver(email_id=email.pk)

    assert delivery.outcome == sender.Outcome.SKIPPED
    assert smtp_sink.count() == 1


def test_deliver_reuses_the_connection(smtp_settings, smtp_sink, make_email):
    emails = [make_email(key=f"event:{n}") for n in range(3)]

    for email in emails:
        sender.deliver(email_id=email.pk)

    assert smtp_sink.count() == 3
    assert smtp_sink.sessions == 1


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(1, 15, 30), (2, 30, 60), (3, 60, 120), (7, 960, 1920), (12, 1800, 3600)],
)
def test_backoff_seconds_doubles_with_jitter_and_cap(settings, attempt, low, high):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600

    delays = [sender.backoff_seconds(attempt) for _ in range(50)]

    assert all(low <= delay <= high for delay in delays)
    assert len(set(delays)) > 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        ("disconnected", True),
        ("refused 450", True),
        ("refused 550", False),
        ("reply 421", True),
        ("reply 554", False),
        ("timeout", True),
        ("value", False),
    ],
)
def test_is_transient_classifies_errors(error, transient):
    errors = {
        "disconnected": smtplib.SMTPServerDisconnected("gone"),
        "refused 450": smtplib.SMTPRecipientsRefused({"a@b.org": (450, b"busy")}),
        "refused 550": smtplib.SMTPRecipientsRefused({"a@b.org": (550, b"unknown")}),
        "reply 421": smtplib.SMTPDataError(421, b"closing"),
        "reply 554": smtplib.SMTPDataError(554, b"rejected"),
        "timeout": TimeoutError("timed out"),
        "value": ValueError("bad header"),
    }

    assert sender.is_transient(errors[error]) is transient
