"""Who reads a question not yet published: its asker, the call's CNSA contacts
and the administrators; everybody else gets a 404 (an anonymous visitor is
sent to sign in first)."""

import re

import pytest
from django.urls import reverse

from tests.questions.conftest import sign_in
from tests.questions.factories import QuestionFactory

ROLES = [
    "anonymous",
    "asker",
    "other researcher",
    "reviewer",
    "contact",
    "administrator",
]
SEES = {"asker", "contact", "administrator"}


@pytest.mark.django_db
@pytest.mark.parametrize("status", [{}, {"answered": True}, {"declined": True}])
@pytest.mark.parametrize("role", ROLES)
def test_unpublished_question_page_by_role(client, call, roles, role, status):
    question = QuestionFactory(opportunity=call, asker=roles["asker"], **status)
    sign_in(client, roles[role])

    response = client.get(reverse("questions:detail", kwargs={"pk": question.pk}))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif role in SEES:
        assert response.status_code == 200
        assert question.asked_text in response.content.decode()
    else:
        assert response.status_code == 404
        assert question.asked_text not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_unpublished_question_never_on_the_call_page(client, call, roles, role):
    question = QuestionFactory(opportunity=call, asker=roles["asker"], answered=True)
    sign_in(client, roles[role])

    page = client.get(call.get_absolute_url()).content.decode()

    assert question.answer_en not in page
    assert question.wording_en not in page
    # Only the asker sees their own question (as asked) beside the form.
    assert (question.asked_text[:60] in page) == (role == "asker")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_my_questions_lists_only_what_the_role_may_read(client, call, roles, role):
    question = QuestionFactory(opportunity=call, asker=roles["asker"])
    QuestionFactory()  # on another call, by somebody else
    sign_in(client, roles[role])

    response = client.get(reverse("questions:mine"))

    if role == "anonymous":
        assert response.status_code == 302
        return
    page = response.content.decode()
    listed = question.get_absolute_url() in page
    # Administrators read every question in the admin, not on this page.
    assert listed == (role in {"asker", "contact"})


@pytest.mark.django_db
def test_published_question_page_stays_private_to_the_same_people(client, call, roles):
    question = QuestionFactory(opportunity=call, asker=roles["asker"], published=True)
    sign_in(client, roles["other researcher"])

    response = client.get(reverse("questions:detail", kwargs={"pk": question.pk}))
    page = client.get(call.get_absolute_url()).content.decode()

    assert response.status_code == 404
    assert question.wording_en in page
    assert question.asked_text not in page


@pytest.mark.django_db
def test_my_questions_shows_each_status(client, call, roles):
    asker = roles["asker"]
    for traits in ({}, {"answered": True}, {"published": True}, {"declined": True}):
        QuestionFactory(opportunity=call, asker=asker, **traits)
    client.force_login(asker)

    page = client.get(reverse("questions:mine")).content.decode()

    statuses = re.findall(r'question-status-(\w+)">', page)
    assert statuses == ["declined", "published", "answered", "asked"]
