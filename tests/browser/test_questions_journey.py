"""Questions and answers on a call, in Chromium against the live server, each
person in their own browser.

A researcher signs in and asks a question on the call's page; it shows under
"Your questions on this call" as asked. An administrator signs in with their
authenticator code, opens the question in the admin, writes the published
wording (without the asker's name) and the answer in English and Chinese,
saves and answers, then saves and publishes. A second researcher, with a
draft on the call, reads question 1 and its answer on the call page and in
the email the publication sent (read from the outbox table, as the mail
service would send it, and followed to the page). axe-core finds no serious
or critical violation on the call page with its questions and answers, in
English and in Simplified Chinese.

Saves questions-call-page.png (into docs/screenshots/ with
AO_UPDATE_SCREENSHOTS=1, see conftest.py).
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutboundEmail
from questions.models import Question
from tests.browser import test_discussion_journey as discussion
from tests.browser.test_discussion_journey import Accessibility, screenshot_of, sign_in
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    ProposalFactory,
    UserFactory,
)
from tests.mfa import enable_totp

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "wang.lei@cnsa.example.org"
ASKER_EMAIL = "camille.laurent@u-paris.example.org"
READER_EMAIL = "sanne.devries@astron.example.org"
CALL_TITLE = "Chang'E-8 international payloads"
ASKED = (
    "I am Camille Laurent of Université Paris Cité: does the lander's 10 kg per "
    "payload include our harness?"
)
WORDING_EN = "Does the lander's 10 kg per payload include the payload's harness?"
WORDING_ZH = "着陆器每个载荷10千克的限制是否包括载荷线缆？"
ANSWER_EN = "Yes: the harness counts towards the payload's mass."
ANSWER_ZH = "是的：线缆计入载荷质量。"

own_browser = discussion.own_browser


@pytest.fixture
def open_call(transactional_db):
    admin = UserFactory(
        superuser=True, email=ADMIN_EMAIL, full_name="WANG Lei", country="CN"
    )
    enable_totp(admin)
    opportunity = OpportunityFactory(
        title_en=CALL_TITLE,
        title_zh_hans="嫦娥八号国际载荷",
        proposal_deadline=timezone.now() + timedelta(days=40),
    )
    opportunity.contacts.add(ContactFactory(email="li.na@cnsa.example.org"))
    UserFactory(email=ASKER_EMAIL, full_name="Camille Laurent")
    reader = UserFactory(email=READER_EMAIL, full_name="Sanne de Vries")
    ProposalFactory(opportunity=opportunity, principal_investigator=reader)
    return opportunity


def ask(page, opportunity) -> Question:
    sign_in(page, reverse("questions:mine"), ASKER_EMAIL, code=False)
    page.goto(opportunity.get_absolute_url())
    section = page.locator("#questions")
    section.get_by_label("Your question").fill(ASKED)
    section.get_by_role("button", name="Send my question").click()
    expect(page).to_have_url(re.compile(r"#questions$"))
    expect(page.locator(".alert-success").first).to_contain_text(
        "Your question has been sent"
    )
    expect(page.locator(".my-call-questions")).to_contain_text("Asked")
    return Question.objects.get(asker__email=ASKER_EMAIL)


def answer_and_publish(page, question) -> None:
    change = reverse("admin:questions_question_change", args=[question.pk])
    sign_in(page, change, ADMIN_EMAIL, code=True)
    expect(page.locator(".field-asked_text")).to_contain_text("Camille Laurent")
    page.locator("#id_wording_en").fill(WORDING_EN)
    page.locator("#id_wording_zh_hans").fill(WORDING_ZH)
    page.locator("#id_answer_en").fill(ANSWER_EN)
    page.locator("#id_answer_zh_hans").fill(ANSWER_ZH)
    page.get_by_role("button", name="Save and answer").click()
    expect(page.locator(".messagelist")).to_contain_text("Answered")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")
    expect(page.locator(".field-number")).to_contain_text("1")


def test_a_question_asked_answered_published_and_read(
    open_call, page, own_browser, live_server
):
    axe = Accessibility()
    question = ask(page, open_call)

    admin_page = own_browser()
    answer_and_publish(admin_page, question)

    reader = own_browser()
    sign_in(reader, reverse("questions:mine"), READER_EMAIL, code=False)
    reader.goto(open_call.get_absolute_url())
    published = reader.locator("#question-1")
    expect(published).to_contain_text("Question 1")
    expect(published).to_contain_text(WORDING_EN)
    expect(published).to_contain_text(ANSWER_EN)
    expect(reader.locator("#questions")).not_to_contain_text("Camille")
    axe.check(reader, "the call page with its questions, in English")
    screenshot_of(reader, "questions-call-page.png")

    email = OutboundEmail.objects.get(
        to_email=READER_EMAIL, template="question_published"
    )
    assert WORDING_EN in email.body_text
    assert ANSWER_EN in email.body_text
    assert "Camille" not in email.body_text
    link = re.search(
        rf"{re.escape(settings.SITE_URL)}(\S+#question-1)", email.body_text
    )
    assert link is not None
    reader.goto(urlsplit(link.group(0)).path + "#question-1")
    expect(reader.locator("#question-1")).to_contain_text(ANSWER_EN)

    asker_emails = sorted(
        OutboundEmail.objects.filter(to_email=ASKER_EMAIL).values_list(
            "template", flat=True
        )
    )
    assert asker_emails == ["question_answered", "question_published"]

    reader.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": "zh-hans",
                "url": live_server.url,
            }
        ]
    )
    reader.goto(open_call.get_absolute_url())
    expect(reader.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(reader.locator("#question-1")).to_contain_text(WORDING_ZH)
    expect(reader.locator("#question-1")).to_contain_text(ANSWER_ZH)
    axe.check(reader, "the call page with its questions, in Simplified Chinese")

    axe.assert_clean()
