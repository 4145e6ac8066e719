"""The outbox in the admin: list, detail, resend, alerts, previews."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from notifications import previews
from notifications.models import EmailStatus, FlaggedAddress, FlagReason, OutboundEmail
from notifications.services import flag_address
from tests.factories import UserFactory
from tests.mfa import enable_totp, login_with_mfa

CHANGELIST = "admin:notifications_outboundemail_changelist"
PREVIEW = "admin:notifications_outboundemail_preview"


@pytest.fixture
def admin_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


def fail(email, error="SMTPRecipientsRefused: 550 No such user"):
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.FAILED, attempts=1, last_error=error
    )


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_outbox_changelist_query_count(
    admin_client, make_email, django_assert_num_queries, item_count
):
    for number in range(item_count):
        make_email(key=f"event:{number}", to=f"pi{number}@example.org")
    flag_address(email="pi0@example.org", reason=FlagReason.BOUNCED, detail="550")

    with django_assert_num_queries(5):
        response = admin_client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == item_count
    assert response.content.decode().count("⚑") == 1


@pytest.mark.parametrize("item_count", [1, 3])
def test_flagged_address_changelist_query_count(
    admin_client, db, django_assert_num_queries, item_count
):
    for number in range(item_count):
        flag_address(
            email=f"pi{number}@example.org", reason=FlagReason.BOUNCED, detail="550"
        )

    with django_assert_num_queries(6):
        response = admin_client.get(
            reverse("admin:notifications_flaggedaddress_changelist")
        )

    assert len(response.context["cl"].result_list) == item_count


def test_outbox_changelist_filters_by_status_and_recipient(admin_client, make_email):
    failed = make_email(key="a", to="failed@example.org")
    fail(failed)
    make_email(key="b", to="queued@example.org")

    by_status = admin_client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    by_recipient = admin_client.get(
        reverse(CHANGELIST), {"to_email": "queued@example.org"}
    )

    assert [e.pk for e in by_status.context["cl"].result_list] == [failed.pk]
    assert [e.to_email for e in by_recipient.context["cl"].result_list] == [
        "queued@example.org"
    ]


def test_outbox_detail_hides_a_sensitive_body(admin_client, make_email):
    email = make_email()
    OutboundEmail.objects.filter(pk=email.pk).update(
        sensitive=True, body_text="Reset at https://example.org/secret-token/"
    )

    response = admin_client.get(
        reverse("admin:notifications_outboundemail_change", args=[email.pk])
    )

    page = response.content.decode()
    assert "secret-token" not in page
    assert "Hidden: this email carries a secret link." in page
    assert 'name="_save"' not in page


def test_outbox_detail_shows_an_ordinary_body(admin_client, make_email):
    email = make_email()

    response = admin_client.get(
        reverse("admin:notifications_outboundemail_change", args=[email.pk])
    )

    assert "Read the call and start a proposal" in response.content.decode()


def test_outbox_detail_frames_its_html_from_its_own_url(admin_client, make_email):
    email = make_email()
    frame = reverse("admin:notifications_outboundemail_html", args=[email.pk])

    page = admin_client.get(
        reverse("admin:notifications_outboundemail_change", args=[email.pk])
    ).content.decode()
    response = admin_client.get(frame)

    assert f'<iframe sandbox src="{frame}"' in page
    assert "style=" not in page.split('id="content-main"')[1]
    assert response.content.decode() == email.body_html
    assert "style-src 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_outbox_html_frame_never_shows_a_sensitive_email(admin_client, make_email):
    email = make_email()
    OutboundEmail.objects.filter(pk=email.pk).update(sensitive=True)

    response = admin_client.get(
        reverse("admin:notifications_outboundemail_html", args=[email.pk])
    )

    assert response.status_code == 404


def test_outbox_html_frame_refuses_staff_without_outbox_access(client, db, make_email):
    email = make_email()
    staff = UserFactory(staff=True)
    enable_totp(staff)
    login_with_mfa(client, staff)

    response = client.get(
        reverse("admin:notifications_outboundemail_html", args=[email.pk])
    )

    assert response.status_code == 403
    assert email.body_html not in response.content.decode()


def test_resend_action_requeues_only_failed_rows(
    admin_client, make_email, django_capture_on_commit_callbacks, mailoutbox
):
    failed = make_email(key="a", to="failed@example.org")
    fail(failed)
    queued = make_email(key="b", to="queued@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST),
            {"action": "resend_failed", "_selected_action": [failed.pk, queued.pk]},
            follow=True,
        )

    failed.refresh_from_db()
    queued.refresh_from_db()
    notices = [str(message) for message in response.context["messages"]]
    assert failed.status == EmailStatus.SENT
    assert queued.status == EmailStatus.QUEUED
    assert [message.to for message in mailoutbox] == [["failed@example.org"]]
    assert notices == [
        "1 email queued again.",
        "1 email was not failed and was left alone.",
    ]


def test_admin_index_shows_failed_and_flagged_counts(admin_client, make_email):
    for number in range(2):
        fail(make_email(key=f"event:{number}"))
    flag_address(email="gone@example.org", reason=FlagReason.BOUNCED, detail="550")

    response = admin_client.get(reverse("admin:index"))

    page = response.content.decode()
    assert "2 emails failed" in page
    assert "1 address bounced, complained or was refused" in page
    assert f"{reverse(CHANGELIST)}?status__exact=failed" in page


def test_admin_index_without_problems_shows_no_alert(admin_client, make_email):
    make_email()

    response = admin_client.get(reverse("admin:index"))

    assert 'id="outbox-alerts"' not in response.content.decode()


def test_admin_index_hides_alerts_from_staff_without_outbox_access(client, make_email):
    fail(make_email())
    staff = UserFactory(staff=True)
    enable_totp(staff)
    login_with_mfa(client, staff)

    response = client.get(reverse("admin:index"))

    assert 'id="outbox-alerts"' not in response.content.decode()


def test_preview_renders_every_template_in_both_languages(admin_client):
    response = admin_client.get(reverse(PREVIEW))

    rows = response.context["rows"]
    assert [row["name"] for row in rows] == previews.preview_names()
    for row in rows:
        languages = [preview.language for _label, preview in row["previews"]]
        assert languages == ["en", "zh-hans"]
    assert "嫦娥七号国际载荷机遇公告" in response.content.decode()


def test_preview_needs_the_outbox_view_permission(client, db):
    staff = UserFactory(staff=True)
    enable_totp(staff)
    login_with_mfa(client, staff)

    refused = client.get(reverse(PREVIEW))
    staff.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    allowed = client.get(reverse(PREVIEW))

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert len(allowed.context["rows"]) == len(previews.preview_names())


def test_preview_refuses_a_researcher(client, researcher):
    client.force_login(researcher)

    response = client.get(reverse(PREVIEW))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert FlaggedAddress.objects.count() == 0
