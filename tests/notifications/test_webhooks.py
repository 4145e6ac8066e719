"""Bounces and complaints reported by a transactional mail service (anymail)."""

import base64
import json

import pytest
from django.urls import reverse

from notifications import sender
from notifications.models import (
    DeliveryReport,
    EmailStatus,
    FlaggedAddress,
    FlagReason,
    OutboundEmail,
)

SECRET = "postmark:webhook-secret"


@pytest.fixture
def webhooks(settings):
    settings.ROOT_URLCONF = "tests.notifications.urls_anymail"
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    return reverse("anymail:postmark_tracking_webhook")


def post_event(client, url, event, secret=SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        url,
        data=json.dumps(event),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.fixture
def sent_email(make_email, webhooks, mailoutbox):
    email = make_email(to="pi@university.example.org")
    sender.deliver(email_id=email.pk)
    email.refresh_from_db()
    return email


def test_sent_email_records_the_mail_services_message_id(sent_email):
    assert sent_email.status == EmailStatus.SENT
    assert sent_email.provider_message_id == "0"


def test_bounce_webhook_marks_the_row_and_flags_the_address(
    client, webhooks, sent_email
):
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "ID": 42,
        "MessageID": sent_email.provider_message_id,
        "Email": "pi@university.example.org",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist",
        "BouncedAt": "2026-11-24T10:00:00Z",
    }

    response = post_event(client, webhooks, bounce)

    sent_email.refresh_from_db()
    flag = FlaggedAddress.objects.get()
    assert response.status_code == 200
    assert sent_email.delivery_report == DeliveryReport.BOUNCED
    assert sent_email.delivery_detail.startswith("Postmark: The server was unable")
    assert (flag.email, flag.reason, flag.last_email_id) == (
        "pi@university.example.org",
        FlagReason.BOUNCED,
        sent_email.pk,
    )


def test_complaint_webhook_flags_the_address(client, webhooks, sent_email):
    complaint = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "MessageID": sent_email.provider_message_id,
        "Email": "pi@university.example.org",
        "BouncedAt": "2026-11-24T10:00:00Z",
    }

    post_event(client, webhooks, complaint)

    assert OutboundEmail.objects.get().delivery_report == DeliveryReport.COMPLAINED
    assert FlaggedAddress.objects.get().reason == FlagReason.COMPLAINED


def test_delivery_webhook_records_delivery_without_flag(client, webhooks, sent_email):
    delivery = {
        "RecordType": "Delivery",
        "MessageID": sent_email.provider_message_id,
        "Recipient": "pi@university.example.org",
        "DeliveredAt": "2026-11-24T10:00:00Z",
    }

    post_event(client, webhooks, delivery)

    assert OutboundEmail.objects.get().delivery_report == DeliveryReport.DELIVERED
    assert FlaggedAddress.objects.count() == 0


def test_webhook_with_a_wrong_secret_changes_nothing(client, webhooks, sent_email):
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": sent_email.provider_message_id,
        "Email": "pi@university.example.org",
    }

    response = post_event(client, webhooks, bounce, secret="postmark:guess")

    assert response.status_code == 400
    assert OutboundEmail.objects.get().delivery_report == ""
    assert FlaggedAddress.objects.count() == 0
