"""Answering, publishing and declining, from the admin, and who is told."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from catalogue.models import Amendment
from notifications.models import OutboundEmail
from questions.enums import QuestionStatus
from questions.models import Question
from tests.mfa import login_with_mfa
from tests.questions.factories import QuestionFactory

WORDING = {
    "wording_en": "Does the lander's 10 kg include a payload's harness?",
    "wording_zh_hans": "着陆器的10千克是否包括载荷的线缆？",
    "answer_en": "Yes: the harness counts towards the payload's mass.",
    "answer_zh_hans": "是的：线缆计入载荷质量。",
}


@pytest.fixture
def admin_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


def change_url(question) -> str:
    return reverse("admin:questions_question_change", args=[question.pk])


def post_change(admin_client, question, button: str, **overrides):
    data = {**WORDING, **overrides, button: "1"}
    return admin_client.post(change_url(question), data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def asked(call):
    return QuestionFactory(
        opportunity=call,
        asker__email="camille.laurent@u-paris.example.org",
        asker__preferred_language="zh-hans",
    )


def emails_by_address(template: str) -> dict[str, str]:
    return {
        email.to_email: email.language
        for email in OutboundEmail.objects.filter(template=template)
    }


@pytest.mark.django_db
def test_save_and_answer_keeps_the_texts_and_tells_only_the_asker(
    admin_client, asked, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(admin_client, asked, "_answer")

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == QuestionStatus.ANSWERED
    assert asked.answer_zh_hans == WORDING["answer_zh_hans"]
    assert [message.to for message in mail.outbox] == [
        ["camille.laurent@u-paris.example.org"]
    ]
    # In the asker's language: the Chinese answer.
    assert WORDING["answer_zh_hans"] in mail.outbox[0].body
    assert emails_by_address("question_answered") == {
        "camille.laurent@u-paris.example.org": "zh-hans"
    }


@pytest.mark.django_db
def test_publication_emails_teams_at_work_and_followers_once_each_in_their_language(
    admin_client, asked, audience, django_capture_on_commit_callbacks
):
    post_change(admin_client, asked, "_answer")
    mail.outbox.clear()
    # The asker also follows the mission and leads a draft: still told once.
    from tests.factories import MissionSubscriptionFactory, ProposalFactory  # noqa: PLC0415

    MissionSubscriptionFactory(user=asked.asker, mission=asked.opportunity.mission)
    ProposalFactory(opportunity=asked.opportunity, principal_investigator=asked.asker)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(admin_client, asked, "_publish")

    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.number) == (QuestionStatus.PUBLISHED, 1)
    recipients = sorted(message.to[0] for message in mail.outbox)
    expected = sorted([*audience, "camille.laurent@u-paris.example.org"])
    assert recipients == expected
    assert emails_by_address("question_published") == {
        **audience,
        "camille.laurent@u-paris.example.org": "zh-hans",
    }
    by_address = {message.to[0]: message for message in mail.outbox}
    # Never who asked, to anybody but the asker.
    for address, message in by_address.items():
        if address != "camille.laurent@u-paris.example.org":
            assert "camille" not in message.body.lower()
            assert asked.asker.full_name not in message.body
            assert asked.asked_text not in message.body
    assert (
        WORDING["answer_zh_hans"] in by_address["draft.pi@institute.example.org"].body
    )
    assert WORDING["answer_en"] in by_address["member@partner.example.org"].body
    assert "#question-1" in by_address["follower@observatory.example.org"].body
    # Neither the contacts, nor a withdrawn proposal's team, nor an unconfirmed member.
    for address in (
        "li.na@cnsa.example.org",
        "withdrawn.pi@institute.example.org",
        "unconfirmed@partner.example.org",
    ):
        assert address not in recipients


@pytest.mark.django_db
def test_publication_refused_without_the_chinese_texts_tells_nobody(
    admin_client, asked, django_capture_on_commit_callbacks
):
    post_change(admin_client, asked, "_answer")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(admin_client, asked, "_publish", answer_zh_hans="")

    asked.refresh_from_db()
    assert asked.status == QuestionStatus.ANSWERED
    assert mail.outbox == []
    assert messages_of(response)[-1:] == [
        "Before publishing, give the published wording and the answer in English "
        "and in Simplified Chinese. Missing: answer (Simplified Chinese)."
    ]


@pytest.mark.django_db
def test_decline_tells_the_asker_why(
    admin_client, asked, django_capture_on_commit_callbacks
):
    url = reverse("admin:questions_question_decline", args=[asked.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"reason": "Section 4.2 answers this."})

    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.decline_reason) == (
        "declined",
        "Section 4.2 answers this.",
    )
    assert [message.to for message in mail.outbox] == [
        ["camille.laurent@u-paris.example.org"]
    ]
    assert "Section 4.2 answers this." in mail.outbox[0].body


@pytest.mark.django_db
def test_published_question_is_read_only_in_the_admin(admin_client, call):
    question = QuestionFactory(opportunity=call, published=True)

    response = admin_client.post(change_url(question), {**WORDING, "answer_en": "No."})

    question.refresh_from_db()
    assert response.status_code == 302
    assert question.answer_en == "Yes, for at most ten seconds, within 45 W."


@pytest.mark.django_db
def test_turn_into_an_amendment_in_one_step(
    admin_client, call, audience, contact_user, django_capture_on_commit_callbacks
):
    question = QuestionFactory(opportunity=call, published=True, number=3)
    url = reverse("admin:questions_question_amend", args=[question.pk])
    form = admin_client.get(url)
    initial = form.context["form"].initial

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, initial)

    assert response.status_code == 302
    amendment = Amendment.objects.get()
    question.refresh_from_db()
    assert question.amendment == amendment
    assert amendment.opportunity == call
    assert amendment.title_en == (
        "Clarification Q3: May a payload draw more than 30 W at peak?"
    )
    assert amendment.body_en == (
        "Question:\nMay a payload draw more than 30 W at peak?\n\n"
        "Answer:\nYes, for at most ten seconds, within 45 W."
    )
    assert amendment.body_zh_hans.count("载荷的峰值功率能否超过30瓦？") == 1
    # The amendment's own emails: contacts, followers and the teams at work.
    assert emails_by_address("opportunity_amended") == {
        **audience,
        "li.na@cnsa.example.org": "en",
        "zhang.wei@cnsa.example.org": "zh-hans",
    }
    # A second time is refused, and posts nothing more.
    again = admin_client.post(url, initial)
    assert messages_of(again)[-1] == "This question has already become an amendment."
    assert Amendment.objects.count() == 1


@pytest.mark.django_db
def test_only_a_published_question_becomes_an_amendment(admin_client, asked):
    url = reverse("admin:questions_question_amend", args=[asked.pk])

    response = admin_client.post(url, {"title_en": "Clarification", "body_en": "Text."})

    assert messages_of(response) == [
        "Only a published question can become an amendment."
    ]
    assert Amendment.objects.count() == 0
    assert Question.objects.get(pk=asked.pk).amendment is None


@pytest.mark.django_db
@pytest.mark.parametrize("item_count", [1, 3])
def test_admin_changelist_queries(
    admin_client, call, item_count, django_assert_num_queries
):
    QuestionFactory.create_batch(item_count, opportunity=call)

    with django_assert_num_queries(7):
        response = admin_client.get(reverse("admin:questions_question_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == item_count


@pytest.mark.django_db
def test_researcher_and_staff_without_the_permission_are_kept_out(client, call):
    from tests.factories import UserFactory  # noqa: PLC0415

    question = QuestionFactory(opportunity=call)
    staff = UserFactory(staff=True)
    login_with_mfa(client, staff)

    response = client.get(change_url(question))

    assert response.status_code in {302, 403}
    assert question.asked_text not in response.content.decode()


def test_the_amendment_and_decline_pages_send_back_what_cannot_move(
    admin_client, asked, call
):
    """Neither page offers a form that could only be refused: the amendment
    page for a question not published, the decline page for a published one."""
    amend = admin_client.get(reverse("admin:questions_question_amend", args=[asked.pk]))
    published = QuestionFactory(opportunity=call, published=True, number=1)
    decline = admin_client.get(
        reverse("admin:questions_question_decline", args=[published.pk])
    )

    assert amend.status_code == 302
    assert messages_of(amend) == ["Only a published question can become an amendment."]
    assert decline.status_code == 302
    assert messages_of(decline)[-1] == (
        "This question is “Published” and cannot become “Declined”."
    )
    assert Question.objects.get(pk=published.pk).status == "published"
