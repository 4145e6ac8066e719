"""The outbox's writes: queueing, resending, delivery reports."""

from django.db import transaction

from notifications.models import (
    DeliveryReport,
    EmailStatus,
    FlaggedAddress,
    FlagReason,
    OutboundEmail,
)
from notifications.services import (
    Recipient,
    queue_rendered_email,
    record_delivery_report,
    resend_email,
)


def test_queue_email_same_key_records_one_row(make_email):
    first = make_email(key="event:1")
    second = make_email(key="event:1")

    assert first is not None
    assert second is None
    assert OutboundEmail.objects.count() == 1


def test_queue_email_to_a_deleted_accounts_address_records_nothing(make_email):
    email = make_email(to="former-user-7@deleted.invalid")

    assert email is None
    assert OutboundEmail.objects.count() == 0
    assert FlaggedAddress.objects.count() == 0


def test_queue_rendered_email_to_an_invalid_domain_records_nothing(db):
    email = queue_rendered_email(
        key="account/email/x:1",
        recipient=Recipient(email="Someone@Example.INVALID"),
        template="account/email/x",
        subject="Subject",
        body_text="Text",
    )

    assert email is None
    assert OutboundEmail.objects.count() == 0


def test_queue_email_renders_in_the_recipients_language(make_email):
    email = make_email(language="zh-hans")

    assert email.language == "zh-hans"
    assert email.subject.endswith("嫦娥七号国际载荷机遇公告")
    assert 'lang="zh-hans"' in email.body_html
    assert email.message_id.endswith("@ao-portal.example.org>")
    assert email.status == EmailStatus.QUEUED
    assert email.next_attempt_at is not None


def test_queue_rendered_email_sends_once_committed(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_rendered_email(
            key="account/email/password_reset_key:1:pi@example.org",
            recipient=Recipient(email="pi@example.org", user_id=None),
            template="account/email/password_reset_key",
            subject="[AO Portal]\nPassword reset",
            body_text="Reset: https://portal.example.org/secret/\n",
            sensitive=True,
        )
        assert mailoutbox == []

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.subject == "[AO Portal] Password reset"
    assert [message.subject for message in mailoutbox] == ["[AO Portal] Password reset"]
    assert mailoutbox[0].alternatives == []
    assert mailoutbox[0].extra_headers["Message-ID"] == email.message_id


def test_queue_rendered_email_rolled_back_sends_nothing(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue_rendered_email(
                    key="k",
                    recipient=Recipient(email="pi@example.org"),
                    template="t",
                    subject="s",
                    body_text="b",
                )
                raise RuntimeError  # noqa: TRY301 — the event fails
        except RuntimeError:
            pass

    assert callbacks == []
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_resend_email_requeues_a_failed_row_and_sends_it(
    make_email, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    email = make_email()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.FAILED, attempts=8, last_error="550"
    )

    with django_capture_on_commit_callbacks(execute=True):
        resent = resend_email(email=email, actor=admin_user)

    email.refresh_from_db()
    assert resent is True
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert [message.to for message in mailoutbox] == [[email.to_email]]


def test_resend_email_leaves_a_sent_row_alone(
    make_email, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    email = make_email()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT, sent_at=email.created_at
    )

    with django_capture_on_commit_callbacks(execute=True):
        resent = resend_email(email=email, actor=admin_user)

    assert resent is False
    assert mailoutbox == []


def test_record_delivery_report_bounce_marks_row_and_flags_address(make_email):
    email = make_email(to="PI@University.example.org")
    OutboundEmail.objects.filter(pk=email.pk).update(provider_message_id="esp-1")

    row = record_delivery_report(
        report=DeliveryReport.BOUNCED,
        provider_message_id="esp-1",
        recipient="PI@University.example.org",
        detail="550 mailbox unavailable",
    )

    flag = FlaggedAddress.objects.get()
    assert row.pk == email.pk
    assert row.delivery_report == DeliveryReport.BOUNCED
    assert (flag.email, flag.reason, flag.events) == (
        "pi@university.example.org",
        FlagReason.BOUNCED,
        1,
    )


def test_record_delivery_report_keeps_a_problem_over_later_success(make_email):
    email = make_email()
    record_delivery_report(
        report=DeliveryReport.COMPLAINED, message_id=email.message_id
    )

    record_delivery_report(report=DeliveryReport.DELIVERED, message_id=email.message_id)

    email.refresh_from_db()
    assert email.delivery_report == DeliveryReport.COMPLAINED
    assert FlaggedAddress.objects.get().reason == FlagReason.COMPLAINED


def test_record_delivery_report_counts_repeated_problems(make_email):
    email = make_email()

    for _ in range(2):
        record_delivery_report(
            report=DeliveryReport.BOUNCED, message_id=email.message_id
        )

    assert FlaggedAddress.objects.get().events == 2


def test_record_delivery_report_unknown_message_changes_nothing(db):
    row = record_delivery_report(
        report=DeliveryReport.BOUNCED, provider_message_id="unknown"
    )

    assert row is None
    assert FlaggedAddress.objects.count() == 0
