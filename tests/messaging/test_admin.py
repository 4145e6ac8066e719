"""The messaging pages of the administrators' site: writing, previewing and
sending a message, and who may open them."""

import time

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from messaging import services
from messaging.admin import PREVIEW_PER_PAGE
from messaging.models import Message, MessageRecipient
from notifications.models import OutboundEmail
from proposals.enums import ProposalStatus
from proposals.models import Proposal, TeamMember
from tests.factories import ReviewerFactory
from tests.messaging.builders import (
    BODY_EN,
    BODY_ZH,
    administrator,
    message,
    staff_not_administrator,
    world,
)
from tests.mfa import enable_totp, login_with_mfa
from tests.reviews.test_admin_permission_matrix import site_urls

pytestmark = pytest.mark.django_db

OK, FOUND, FORBIDDEN, NOT_ALLOWED = 200, 302, 403, 405
ROLES = ("administrator", "other staff", "researcher", "reviewer", "anonymous")


def row(administrator_gets: int, staff_gets: int = FORBIDDEN) -> dict[str, int]:
    """Non-staff are sent to the sign-in page; other staff are refused."""
    return dict.fromkeys(ROLES, FOUND) | {
        "administrator": administrator_gets,
        "other staff": staff_gets,
    }


MATRIX: dict[str, dict[str, int]] = {
    "admin:messaging_message_changelist": row(OK),
    "admin:messaging_message_add": row(OK),
    "admin:messaging_message_change": row(OK),  # a draft
    "admin:messaging_message_delete": row(OK),  # a draft
    "admin:messaging_message_history": row(OK),
    "admin:messaging_message_preview": row(OK),
    "admin:messaging_message_send": row(NOT_ALLOWED),  # POST only
    "admin:messaging_messagerecipient_changelist": row(OK),
    "admin:messaging_messagerecipient_add": row(FORBIDDEN),
    "admin:messaging_messagerecipient_change": row(OK),
    "admin:messaging_messagerecipient_delete": row(FORBIDDEN),
    "admin:messaging_messagerecipient_history": row(OK),
}


def messaging_urls():
    return [
        url for url in site_urls(admin.site) if url.name.startswith("admin:messaging_")
    ]


@pytest.fixture
def w(django_capture_on_commit_callbacks):
    built = world()
    author = administrator()
    draft = message(built.call, author=author, statuses=[ProposalStatus.DRAFT])
    sent = message(built.call, author=author, statuses=[ProposalStatus.SUBMITTED])
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(message=sent, actor=author)
    reviewer = ReviewerFactory()
    enable_totp(reviewer)
    built.messages = {"draft": draft, "sent": sent}
    built.users = {
        "administrator": author,
        "other staff": staff_not_administrator(),
        "researcher": built.pi_en,
        "reviewer": reviewer,
        "anonymous": None,
    }
    built.objects = {
        "messaging.Message": draft.pk,
        "messaging.MessageRecipient": sent.recipients.first().pk,
    }
    return built


def address(url, w) -> str:
    kwargs = {
        name: w.objects[url.model] if name == "object_id" else w.messages["draft"].pk
        for name in url.params
    }
    return reverse(url.name, kwargs=kwargs)


def sign_in(client, w, role: str) -> None:
    user = w.users[role]
    if user is None:
        return
    if user.is_staff or role == "reviewer":
        login_with_mfa(client, user)
    else:
        client.force_login(user)


def test_every_messaging_url_has_a_row():
    names = {url.name for url in messaging_urls()}

    assert sorted(names ^ MATRIX.keys()) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(client, w, role):
    client.raise_request_exception = False  # a server error is a wrong cell
    sign_in(client, w, role)
    expected = {url.name: MATRIX[url.name][role] for url in messaging_urls()}

    got = {
        url.name: client.get(address(url, w)).status_code for url in messaging_urls()
    }

    assert {name: got[name] for name in got if got[name] != expected[name]} == {}


@pytest.mark.parametrize("role", ["researcher", "reviewer", "anonymous"])
def test_non_staff_are_sent_to_the_administrators_sign_in(client, w, role):
    sign_in(client, w, role)

    locations = {
        url.name: client.get(address(url, w)).get("Location", "")
        for url in messaging_urls()
    }

    assert {
        name: where
        for name, where in locations.items()
        if not where.startswith("/admin/login/?next=")
    } == {}


@pytest.mark.parametrize("role", ["other staff", "researcher", "reviewer", "anonymous"])
def test_nobody_else_sends_or_writes(client, w, role):
    sign_in(client, w, role)
    draft = w.messages["draft"]

    statuses = [
        client.post(
            reverse("admin:messaging_message_send", args=[draft.pk]), {"count": 2}
        ).status_code,
        client.post(reverse("admin:messaging_message_add"), _form(w)).status_code,
    ]

    assert (
        statuses == [FORBIDDEN, FORBIDDEN]
        if role == "other staff"
        else [
            FOUND,
            FOUND,
        ]
    )
    assert Message.objects.get(pk=draft.pk).sent_at is None
    assert Message.objects.count() == 2


def test_a_sent_message_is_read_only_even_for_an_administrator(client, w):
    sign_in(client, w, "administrator")
    sent = w.messages["sent"]
    change = reverse("admin:messaging_message_change", args=[sent.pk])

    page = client.get(change).content.decode()
    posted = client.post(change, _form(w, body_en="Rewritten."))
    deleted = client.get(reverse("admin:messaging_message_delete", args=[sent.pk]))

    assert 'name="body_en"' not in page
    assert "Recipients" in page
    assert (posted.status_code, deleted.status_code) == (FORBIDDEN, FORBIDDEN)
    assert Message.objects.get(pk=sent.pk).body_en == BODY_EN


# --- writing, previewing and sending through the pages -------------------------


def _form(w, **overrides) -> dict:
    return {
        "opportunity": w.call.pk,
        "stage": "",
        "statuses": [ProposalStatus.DRAFT],
        "audience": "teams",
        "subject_en": "About {reference}",
        "body_en": BODY_EN,
        "subject_zh_hans": "关于{reference}",
        "body_zh_hans": BODY_ZH,
        **overrides,
    }


def test_an_unknown_placeholder_is_refused_and_the_text_kept(client, w):
    sign_in(client, w, "administrator")
    typed = "Dear {nmae}, see {title}."

    response = client.post(
        reverse("admin:messaging_message_add"), _form(w, body_en=typed)
    )

    page = response.content.decode()
    assert response.status_code == OK
    assert response.context["adminform"].form.errors == {
        "body_en": [
            "Unknown placeholder {nmae}: use {name}, {title}, {reference}, {deadline}."
        ]
    }
    assert typed in page
    assert "关于{reference}" in page
    assert Message.objects.count() == 2


def test_write_preview_send_through_the_pages(
    client, w, django_capture_on_commit_callbacks, mailoutbox
):
    sign_in(client, w, "administrator")
    mailoutbox.clear()  # the fixture's message, sent already

    saved = client.post(reverse("admin:messaging_message_add"), _form(w))
    new = Message.objects.latest("pk")
    preview = client.get(saved["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("admin:messaging_message_send", args=[new.pk]), {"count": 3}
        )

    assert saved["Location"] == reverse(
        "admin:messaging_message_preview", args=[new.pk]
    )
    page = preview.content.decode()
    assert "3 recipients, one email each, in their own language." in page
    assert [row["addressee"].email for row in preview.context["rows"]] == [
        "amina@lab.example.org",
        "wang@lab.example.cn",
        "li@lab.example.cn",
    ]
    assert "Dear Amina Haddad, about Radon monitor" in page
    assert "尊敬的王小明：关于Radon monitor" in page
    assert "尊敬的李华：关于月尘探测器" in page
    assert sent["Location"] == reverse("admin:messaging_message_change", args=[new.pk])
    assert sorted(m.to[0] for m in mailoutbox) == [
        "amina@lab.example.org",
        "li@lab.example.cn",
        "wang@lab.example.cn",
    ]
    assert sorted(
        MessageRecipient.objects.filter(message=new).values_list("email", "language")
    ) == [
        ("amina@lab.example.org", "en"),
        ("li@lab.example.cn", "zh-hans"),
        ("wang@lab.example.cn", "zh-hans"),
    ]

    again = client.post(
        reverse("admin:messaging_message_send", args=[new.pk]), {"count": 3}
    )

    assert again.status_code == FOUND
    assert OutboundEmail.objects.filter(template="proposers_message").count() == 3 + 2


def test_the_recipients_list_shows_address_language_and_outbox_row(client, w):
    sign_in(client, w, "administrator")
    sent = w.messages["sent"]

    response = client.get(
        reverse("admin:messaging_messagerecipient_changelist"),
        {"message__id__exact": sent.pk},
    )

    rows = [
        (r.email, r.language, r.outbound.to_email)
        for r in response.context["cl"].result_list
    ]
    assert rows == [
        ("pi.submitted@lab.example.org", "en", "pi.submitted@lab.example.org"),
        ("marie@lab.example.org", "en", "marie@lab.example.org"),
    ]
    page = response.content.decode()
    for recipient in sent.recipients.all():
        outbox = reverse(
            "admin:notifications_outboundemail_change", args=[recipient.outbound_id]
        )
        assert f'href="{outbox}"' in page


# --- the preview at scale -------------------------------------------------------------


def _proposers(call, count: int) -> None:
    """`count` submitted proposals, each with its own principal investigator,
    half of them Chinese, made in bulk."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            email=f"pi{index}@scale.example.org",
            full_name=f"Investigator {index}",
            preferred_language="zh-hans" if index % 2 else "en",
            country="FR",
        )
        for index in range(count)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            opportunity=call,
            principal_investigator=user,
            title=f"Payload {index}",
            status=ProposalStatus.SUBMITTED,
            reference=f"SCL-2026-{index:04d}",
        )
        for index, user in enumerate(users)
    )
    TeamMember.objects.bulk_create(
        TeamMember(
            proposal=proposal,
            name=f"Member {index}",
            email=f"member{index}@scale.example.org",
            institution="Partner",
            country="IT",
            confirmed_at=proposal.created_at,
        )
        for index, proposal in enumerate(proposals)
    )


@pytest.mark.parametrize("proposals", [3, 250])
def test_the_preview_reads_the_same_queries_for_6_or_500_recipients(
    client, proposals, django_assert_num_queries
):
    author = administrator()
    login_with_mfa(client, author)
    call = world().call
    _proposers(call, proposals)
    msg = message(
        call,
        author=author,
        statuses=[ProposalStatus.SUBMITTED],
        stage="full",
        subject_en="About {reference}",
    )
    # The world's own submitted proposal: its PI and confirmed member.
    recipients = 2 * proposals + 2
    url = reverse("admin:messaging_message_preview", args=[msg.pk])

    with django_assert_num_queries(8):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started

    assert response.context["count"] == recipients
    assert len(response.context["rows"]) == min(PREVIEW_PER_PAGE, recipients)
    print(f"preview of {recipients} recipients: {elapsed * 1000:.0f} ms")  # noqa: T201
    assert elapsed < 2.0


def test_the_call_select_offers_no_add_change_or_delete_link(client, w):
    """A message chooses its call; it does not add, change or delete calls."""
    sign_in(client, w, "administrator")
    response = client.get(reverse("admin:messaging_message_add"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "delete_id_opportunity" not in page
    assert "add_id_opportunity" not in page
    assert "change_id_opportunity" not in page
