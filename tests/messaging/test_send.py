"""A message to proposers previewed for each recipient and sent once, through
the outbox, with its recipients recorded."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext

from messaging import emails, services
from messaging.models import Message, MessageRecipient
from messaging.selectors import audience
from notifications.models import OutboundEmail
from notifications.templatetags.ao_email import beijing_time
from proposals.enums import ProposalStage, ProposalStatus
from tests.factories import UserFactory
from tests.messaging.builders import administrator, message, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


@pytest.fixture
def admin():
    return administrator()


def _drafts_and_selected(w, admin):
    """To the full stage's drafts and selected teams: Amina (en, the draft),
    Wang (zh, the draft and the selected proposal), the selected PI (en)."""
    return message(
        w.call,
        author=admin,
        statuses=[ProposalStatus.DRAFT, ProposalStatus.SELECTED],
        stage=ProposalStage.FULL,
    )


def test_placeholders_are_filled_for_each_recipient_in_their_language(w, admin):
    msg = _drafts_and_selected(w, admin)
    amina, wang, _selected = audience(message=msg)

    english = emails.render_for(msg, amina)
    chinese = emails.render_for(msg, wang)

    with_zone = "Beijing time (UTC+8)"
    deadline_en = beijing_time(w.call.proposal_deadline)
    assert english[0] == "About no reference yet"
    assert english[1].startswith(
        "Dear Amina Haddad, about Radon monitor (no reference yet): please answer "
        f"by {deadline_en}."
    )
    assert with_zone in english[1]
    with translation.override("zh-hans"):
        no_reference = gettext("no reference yet")
    assert chinese[0] == f"关于{no_reference}, {w.selected.reference}"
    assert chinese[1].startswith(
        f"尊敬的王小明：关于Radon monitor; {w.selected.title}（"
    )
    assert "北京时间" in chinese[1]
    assert "UTC+8" in chinese[1]
    assert f"{settings.SITE_URL}{w.draft.get_absolute_url()}" in chinese[1]
    assert f"{settings.SITE_URL}{w.selected.get_absolute_url()}" in chinese[1]


def test_chinese_readers_get_the_english_text_when_no_chinese_is_written(w, admin):
    msg = _drafts_and_selected(w, admin)
    msg.subject_zh_hans = msg.body_zh_hans = ""
    _amina, wang, _selected = audience(message=msg)

    subject, text, _html = emails.render_for(msg, wang)

    assert subject.startswith("About ")
    assert text.startswith("Dear 王小明, about Radon monitor; ")


def test_send_queues_one_email_per_recipient_and_records_them(
    w, admin, django_capture_on_commit_callbacks, mailoutbox
):
    msg = _drafts_and_selected(w, admin)

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_message(message=msg, actor=admin)

    assert sorted(m.to[0] for m in mailoutbox) == [
        "amina@lab.example.org",
        "pi.selected@lab.example.org",
        "wang@lab.example.cn",
    ]
    recorded = [
        (r.email, r.language, sorted(p.pk for p in r.proposals.all()), r.outbound.pk)
        for r in MessageRecipient.objects.filter(message=msg).order_by("pk")
    ]
    outbox = {
        e.to_email: e
        for e in OutboundEmail.objects.filter(template="proposers_message")
    }
    assert recorded == [
        (
            "amina@lab.example.org",
            "en",
            [w.draft.pk],
            outbox["amina@lab.example.org"].pk,
        ),
        (
            "wang@lab.example.cn",
            "zh-hans",
            sorted([w.draft.pk, w.selected.pk]),
            outbox["wang@lab.example.cn"].pk,
        ),
        (
            "pi.selected@lab.example.org",
            "en",
            [w.selected.pk],
            outbox["pi.selected@lab.example.org"].pk,
        ),
    ]
    assert {e.idempotency_key for e in outbox.values()} == {
        f"proposers-message:{msg.pk}:amina@lab.example.org",
        f"proposers-message:{msg.pk}:wang@lab.example.cn",
        f"proposers-message:{msg.pk}:pi.selected@lab.example.org",
    }
    assert outbox["wang@lab.example.cn"].language == "zh-hans"
    assert (sent.sent_by, sent.recipient_count) == (admin, 3)
    assert sent.sent_at is not None


def test_sending_twice_sends_once(
    w, admin, django_capture_on_commit_callbacks, mailoutbox
):
    msg = _drafts_and_selected(w, admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(message=msg, actor=admin)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.MessageRefused) as refusal,
    ):
        services.send_message(message=msg, actor=admin)

    assert refusal.value.messages == [
        "This message was sent already; it is sent only once."
    ]
    assert len(mailoutbox) == 3
    assert OutboundEmail.objects.count() == 3
    assert MessageRecipient.objects.count() == 3


def test_send_refused_when_the_recipients_changed_since_the_preview(w, admin):
    msg = _drafts_and_selected(w, admin)

    with pytest.raises(services.MessageRefused) as refusal:
        services.send_message(message=msg, actor=admin, expected_count=2)

    assert refusal.value.messages == [
        "The recipients changed since the preview: 3 now, 2 shown. Check the "
        "preview again."
    ]
    assert Message.objects.get(pk=msg.pk).sent_at is None
    assert OutboundEmail.objects.count() == 0


def test_send_refused_when_nobody_matches(w, admin):
    msg = message(w.call, author=admin, statuses=[ProposalStatus.NOT_SELECTED])

    with pytest.raises(services.MessageRefused) as refusal:
        services.send_message(message=msg, actor=admin)

    assert refusal.value.messages == [
        "No proposer matches these filters: nothing to send."
    ]


def test_send_refused_with_an_unknown_placeholder(w, admin):
    msg = _drafts_and_selected(w, admin)
    Message.objects.filter(pk=msg.pk).update(body_zh_hans="尊敬的{姓名}")

    with pytest.raises(services.MessageRefused) as refusal:
        services.send_message(message=msg, actor=admin)

    assert refusal.value.messages == [
        "message (Simplified Chinese): Unknown placeholder {姓名}: use {name}, "
        "{title}, {reference}, {deadline}."
    ]
    assert OutboundEmail.objects.count() == 0


def test_only_administrators_send(w, admin):
    msg = _drafts_and_selected(w, admin)

    with pytest.raises(PermissionDenied):
        services.send_message(message=msg, actor=UserFactory(staff=True))

    assert OutboundEmail.objects.count() == 0


def test_a_sent_message_is_not_saved_again(
    w, admin, django_capture_on_commit_callbacks
):
    msg = _drafts_and_selected(w, admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(message=msg, actor=admin)
    msg.body_en = "Changed after sending."

    with pytest.raises(services.MessageRefused):
        services.save_message(message=msg, actor=admin)

    assert Message.objects.get(pk=msg.pk).body_en != "Changed after sending."
