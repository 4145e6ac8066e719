"""Asking on the call page: the form until the question deadline, the limit
per person, and the contacts emailed in their language."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications.models import OutboundEmail
from questions.models import Question
from tests.factories import OpportunityFactory, UserFactory

TEXT = "Does the 10 kg limit include the payload's harness?"


def ask_url(opportunity) -> str:
    return reverse("questions:ask", kwargs={"slug": opportunity.slug})


@pytest.fixture
def asker(db):
    return UserFactory(
        email="camille.laurent@u-paris.example.org", full_name="Camille Laurent"
    )


@pytest.mark.django_db
def test_ask_stores_the_question_and_emails_each_contact_once_in_their_language(
    client, call, asker, contact_user, django_capture_on_commit_callbacks
):
    client.force_login(asker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(call), {"text": TEXT})

    assert response.status_code == 302
    assert response.url == call.get_absolute_url() + "#questions"
    question = Question.objects.get()
    assert (question.asker, question.asked_text, question.status) == (
        asker,
        TEXT,
        "asked",
    )
    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["li.na@cnsa.example.org", "zhang.wei@cnsa.example.org"]
    languages = {
        email.to_email: email.language for email in OutboundEmail.objects.all()
    }
    # The contact with an account is written to in the account's language.
    assert languages == {
        "li.na@cnsa.example.org": "en",
        "zhang.wei@cnsa.example.org": "zh-hans",
    }
    assert TEXT in sent["li.na@cnsa.example.org"].body
    assert "Camille Laurent" in sent["li.na@cnsa.example.org"].body
    # Each in their language: the call's title in Chinese for the Chinese reader.
    assert call.title_zh_hans in sent["zhang.wei@cnsa.example.org"].subject
    assert "Chang'E-8 payloads" in sent["li.na@cnsa.example.org"].subject


@pytest.mark.django_db
def test_contact_without_an_account_is_written_to_in_their_preferred_language(
    client, asker, django_capture_on_commit_callbacks
):
    from tests.factories import ContactFactory  # noqa: PLC0415

    opportunity = OpportunityFactory()
    opportunity.contacts.add(
        ContactFactory(email="wang@cnsa.example.org", preferred_language="zh-hans")
    )
    client.force_login(asker)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(ask_url(opportunity), {"text": TEXT})

    email = OutboundEmail.objects.get()
    assert (email.to_email, email.language) == ("wang@cnsa.example.org", "zh-hans")
    assert opportunity.title_zh_hans in email.subject


@pytest.mark.django_db
def test_past_the_limit_the_form_comes_back_with_429_and_nothing_is_stored(
    client, call, asker, settings, django_capture_on_commit_callbacks
):
    settings.AO_LIMITS = {**settings.AO_LIMITS, "question": "2/d"}
    client.force_login(asker)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            client.post(ask_url(call), {"text": f"{TEXT} ({number})"})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(call), {"text": "One question too many."})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "One question too many." in page
    assert "You have reached the limit for this for now." in page
    assert Question.objects.count() == 2
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_limit_counts_per_person(client, call, asker, settings):
    settings.AO_LIMITS = {**settings.AO_LIMITS, "question": "1/d"}
    client.force_login(asker)
    client.post(ask_url(call), {"text": TEXT})
    client.force_login(UserFactory())

    response = client.post(ask_url(call), {"text": TEXT})

    assert response.status_code == 302
    assert Question.objects.count() == 2


@pytest.mark.django_db
def test_call_page_offers_the_form_until_the_question_deadline(client, asker):
    opportunity = OpportunityFactory(
        question_deadline=timezone.now() + timedelta(hours=1)
    )
    client.force_login(asker)

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert f'action="{ask_url(opportunity)}"' in page
    assert "questions-closed" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_after_the_deadline_a_sentence_replaces_the_form(client, asker, language):
    deadline = timezone.now() - timedelta(hours=1)
    opportunity = OpportunityFactory(question_deadline=deadline)
    asker.preferred_language = language
    asker.save()
    client.force_login(asker)

    page = client.get(
        opportunity.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    from django.utils import translation  # noqa: PLC0415

    from catalogue.templatetags.catalogue_tags import beijing  # noqa: PLC0415

    with translation.override(language):
        moment = beijing(deadline)
    assert f'action="{ask_url(opportunity)}"' not in page
    assert moment in page
    assert "UTC+8" in moment


@pytest.mark.django_db
def test_default_deadline_is_fourteen_days_before_the_proposal_deadline(client, asker):
    opportunity = OpportunityFactory(
        proposal_deadline=timezone.now() + timedelta(days=13)
    )
    client.force_login(asker)

    response = client.post(ask_url(opportunity), {"text": TEXT})

    assert response.status_code == 403
    assert "Questions on this call closed on" in response.content.decode()
    assert escape(TEXT) in response.content.decode()
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_call_takes_no_question(client, asker):
    opportunity = OpportunityFactory(closed=True)
    client.force_login(asker)

    response = client.post(ask_url(opportunity), {"text": TEXT})

    assert response.status_code == 403
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_a_draft_call_is_404(client, asker):
    opportunity = OpportunityFactory(draft=True)
    client.force_login(asker)

    response = client.post(ask_url(opportunity), {"text": TEXT})

    assert response.status_code == 404
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_question_comes_back_with_its_error(client, call, asker):
    client.force_login(asker)

    response = client.post(ask_url(call), {"text": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_visitor_is_asked_to_sign_in(client, call):
    page = client.get(call.get_absolute_url()).content.decode()
    response = client.post(ask_url(call), {"text": TEXT})

    assert "Sign in to ask a question" in page
    assert response.status_code == 302
    assert Question.objects.count() == 0
