"""Published questions and answers on the call page, in the API and the feed."""

from datetime import UTC
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import OpportunityFactory, UserFactory
from tests.questions.factories import QuestionFactory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "wording", "other"),
    [
        ("en", "May a payload draw more than 30 W at peak?", "载荷的峰值功率"),
        ("zh-hans", "载荷的峰值功率能否超过30瓦？", "May a payload draw"),
    ],
)
def test_call_page_shows_published_questions_in_the_readers_language(
    client, call, language, wording, other
):
    QuestionFactory(opportunity=call, published=True, number=1)
    QuestionFactory(opportunity=call, published=True, number=2)

    page = client.get(
        call.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert page.count(wording) == 2
    assert other not in page
    # Numbered, newest first.
    assert page.index('id="question-2"') < page.index('id="question-1"')


@pytest.mark.django_db
def test_a_past_call_without_questions_shows_no_section(client):
    opportunity = OpportunityFactory(decided=True)

    page = client.get(opportunity.get_absolute_url()).content.decode()

    assert 'id="questions"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("item_count", [1, 3, 50])
@pytest.mark.parametrize("signed_in", [False, True])
def test_call_page_queries_do_not_grow_with_the_questions(
    client, call, item_count, signed_in, django_assert_num_queries
):
    researcher = UserFactory()
    for number in range(1, item_count + 1):
        QuestionFactory(opportunity=call, published=True, number=number)
    QuestionFactory(opportunity=call, asker=researcher)
    if signed_in:
        client.force_login(researcher)

    # Anonymous: the catalogue's call and its parts (8), the published
    # questions (1). Signed in, also: the session and the user (2), the
    # proposal action's proposals and team (2), the reader's own questions (1).
    with django_assert_num_queries(13 if signed_in else 9):
        response = client.get(call.get_absolute_url())

    page = response.content.decode()
    assert page.count('class="border-start border-3 ps-3 mb-3 published-question"') == (
        item_count
    )


@pytest.mark.django_db
def test_api_lists_published_questions_in_both_languages(client, call):
    published = QuestionFactory(opportunity=call, published=True, number=1)
    QuestionFactory(opportunity=call, answered=True)
    url = reverse("opportunity-question-list", kwargs={"opportunity_slug": call.slug})

    body = client.get(url).json()

    assert body["count"] == 1
    assert body["results"] == [
        {
            "number": 1,
            "question": {
                "en": published.wording_en,
                "zh-hans": published.wording_zh_hans,
            },
            "answer": {"en": published.answer_en, "zh-hans": published.answer_zh_hans},
            "published_at": published.published_at.astimezone(UTC)
            .isoformat()
            .replace("+00:00", "Z"),
            "became_amendment": False,
        }
    ]


@pytest.mark.django_db
def test_api_of_a_draft_call_is_404(client):
    opportunity = OpportunityFactory(draft=True)
    QuestionFactory(opportunity=opportunity, published=True)
    url = reverse(
        "opportunity-question-list", kwargs={"opportunity_slug": opportunity.slug}
    )

    response = client.get(url)

    assert response.status_code == 404
    assert "May a payload" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("item_count", [1, 3])
def test_api_queries(client, call, item_count, django_assert_num_queries):
    QuestionFactory.create_batch(item_count, opportunity=call, published=True)
    url = reverse("opportunity-question-list", kwargs={"opportunity_slug": call.slug})

    with django_assert_num_queries(3):
        body = client.get(url).json()

    assert body["count"] == item_count


@pytest.mark.django_db
def test_api_schema_documents_the_endpoint(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/opportunities/{opportunity_slug}/questions/"]
    assert operation["get"]["summary"] == "A call's published questions and answers"


@pytest.mark.django_db
def test_feed_holds_the_calls_published_questions(client, call):
    QuestionFactory(opportunity=call, published=True, number=1)
    QuestionFactory(opportunity=call, published=True, number=2)
    QuestionFactory(opportunity=call)
    QuestionFactory(published=True)  # another call's

    response = client.get(reverse("questions:call-feed", kwargs={"slug": call.slug}))

    feed = ElementTree.fromstring(response.content)  # noqa: S314 — our own feed
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == [
        "Q2: May a payload draw more than 30 W at peak?",
        "Q1: May a payload draw more than 30 W at peak?",
    ]
    links = [
        entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")
    ]
    assert links[0].endswith(f"{call.get_absolute_url()}#question-2")


@pytest.mark.django_db
def test_feed_of_a_draft_call_is_404(client):
    opportunity = OpportunityFactory(draft=True)

    response = client.get(
        reverse("questions:call-feed", kwargs={"slug": opportunity.slug})
    )

    assert response.status_code == 404
    with translation.override("en"):
        assert "Questions and answers" not in response.content.decode()
