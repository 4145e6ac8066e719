"""The public pages kept in the shared cache (catalogue.page_cache): one copy per
page and language for every anonymous visitor, made stale by any change an
administrator makes and by the moments the pages show passing; never holding
what belongs to one visitor."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.pagination import PageNumberPagination

from catalogue import page_cache, workflow
from catalogue import views as catalogue_views
from catalogue.enums import OpportunityStatus
from questions.enums import QuestionStatus
from tests.factories import (
    AmendmentFactory,
    CarrierFactory,
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityDocumentFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    StatementFactory,
    UserFactory,
)
from tests.payloads.factories import SelectionEntryFactory, SelectionListFactory
from tests.questions.factories import QuestionFactory

pytestmark = pytest.mark.django_db

HOME = reverse("catalogue:home")
CATALOGUE = reverse("catalogue:opportunity-list")
API = "/api/v1/opportunities/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _call_url(opportunity) -> str:
    return opportunity.get_absolute_url()


def _without_tokens(content: bytes) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', content.decode())


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def call(db):
    opportunity = OpportunityFactory(title_en="Lunar dust payloads")
    CarrierFactory(opportunity=opportunity, name_en="Lander")
    return opportunity


# Kept and served ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "catalogue", "call"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_kept_page_is_served_unchanged_without_a_query_per_language(
    call, django_assert_num_queries, page, language
):
    url = {"home": HOME, "catalogue": CATALOGUE, "call": _call_url(call)}[page]
    first = _in(Client(), language).get(url)

    with django_assert_num_queries(0):
        again = _in(Client(), language).get(url)

    html_lang = 'lang="zh-Hans"' if language == "zh-hans" else 'lang="en"'
    assert _without_tokens(again.content) == _without_tokens(first.content)
    assert f"<html {html_lang}>" in again.content.decode()
    assert again["Content-Language"] == language


def test_each_language_has_its_own_copy(call):
    english = _in(Client(), "en").get(_call_url(call))
    chinese = _in(Client(), "zh-hans").get(_call_url(call))
    english_again = _in(Client(), "en").get(_call_url(call))

    assert "Payloads on mission" not in chinese.content.decode()
    assert call.title_zh_hans in chinese.content.decode()
    assert "Lunar dust payloads" in english_again.content.decode()
    assert _without_tokens(english_again.content) == _without_tokens(english.content)


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_kept_pages_take_no_query_whatever_the_rows(
    client, django_assert_num_queries, rows
):
    calls = [OpportunityFactory() for _ in range(rows)]
    urls = [HOME, CATALOGUE, _call_url(calls[-1]), API]
    for url in urls:
        client.get(url)

    with django_assert_num_queries(0):
        responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert len(responses[3].json()["results"]) == rows


def test_headers_of_a_kept_page_are_those_of_a_rendered_one(call):
    rendered = Client().get(HOME)
    kept = Client().get(HOME)

    for header in ("Vary", "Content-Type", "Content-Language", "X-Frame-Options"):
        assert kept.get(header) == rendered.get(header), header
    assert "Cache-Control" not in kept
    assert kept.get("Content-Security-Policy") == rendered.get(
        "Content-Security-Policy"
    )
    assert "Accept-Language" in kept["Vary"]
    assert "Cookie" in kept["Vary"]


# Nothing of one visitor in the kept bytes ---------------------------------------


def test_kept_copy_holds_a_placeholder_for_the_token_and_no_nonce(call):
    Client().get(_call_url(call))

    with translation.override("en"):
        kept = page_cache.lookup("call", call.slug, "-")
    _stamp, _kept_at, _until, _type, content = kept.found

    tokens = set(TOKEN.findall(content.decode()))
    assert tokens == {page_cache.CSRF_PLACEHOLDER}
    assert b"nonce" not in content
    assert b"Sign out" not in content


def test_each_visitor_gets_a_working_token_of_their_own(call):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(HOME)
    second_page = second.get(HOME)
    second_token = TOKEN.search(second_page.content.decode()).group(1)

    switched = second.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": HOME, "csrfmiddlewaretoken": second_token},
    )

    assert TOKEN.search(first_page.content.decode()).group(1) != second_token
    assert page_cache.CSRF_PLACEHOLDER not in second_page.content.decode()
    assert "csrftoken" in second_page.cookies
    assert switched.status_code == 302
    assert second.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_signed_in_visitor_sees_their_own_page_and_leaves_nothing_kept(call):
    anonymous_before = Client().get(_call_url(call))
    user = UserFactory(full_name="Amina Haddad")
    signed_in = Client()
    signed_in.force_login(user)

    theirs = signed_in.get(_call_url(call))
    anonymous_after = Client().get(_call_url(call))

    assert "Amina" in _text(theirs)
    assert "Sign out" in _text(theirs)
    assert "Start a proposal" in _text(theirs)
    assert "Sign in to propose" not in _text(theirs)
    assert "Amina" not in _text(anonymous_after)
    assert "Sign in to propose" in _text(anonymous_after)
    assert _without_tokens(anonymous_after.content) == _without_tokens(
        anonymous_before.content
    )


def test_a_waiting_message_is_shown_once_and_never_kept(client, call):
    Client().get(HOME)  # kept without a message
    client.force_login(UserFactory())
    client.post(reverse("account_logout"))

    with_message = client.get(HOME)
    after = client.get(HOME)
    stranger = Client().get(HOME)

    assert "You have signed out." in _text(with_message)
    assert "You have signed out." not in _text(after)
    assert "You have signed out." not in _text(stranger)


ODD_QUERIES = [
    "?q=lunar",
    "?q=+++",
    "?q=",
    "?kind=",
    "?utm_source=mail",
    "?kind=nonsense",
    "?page=99",
    "?page=01",
    "?page=1&page=2",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_catalogue_keeps_no_copy_for_searches_and_odd_queries(client, call, query):
    first = client.get(CATALOGUE + query)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CATALOGUE + query)

    assert response.status_code == 200
    assert len(captured) > 0
    for page in (first, response):
        assert page_cache.CSRF_PLACEHOLDER not in page.content.decode()
        assert TOKEN.search(page.content.decode()) is not None


@pytest.mark.parametrize("query", ["?page=99", "?kind=nonsense"])
def test_language_switch_works_from_a_page_not_kept(call, query):
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(CATALOGUE + query)
    token = TOKEN.search(page.content.decode()).group(1)

    switched = visitor.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": CATALOGUE, "csrfmiddlewaretoken": token},
    )

    assert switched.status_code == 302
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_catalogue_keeps_a_copy_per_filter(client, call, django_assert_num_queries):
    closed = OpportunityFactory(title_en="An old call", closed=True)

    open_now = client.get(CATALOGUE + "?open_now=true")
    past = client.get(CATALOGUE + "?open_now=false")
    with django_assert_num_queries(0):
        open_again = client.get(CATALOGUE + "?open_now=true")

    assert closed.title_en not in _text(open_now)
    assert closed.title_en in _text(past)
    assert _without_tokens(open_again.content) == _without_tokens(open_now.content)
    assert page_cache.CSRF_PLACEHOLDER not in open_again.content.decode()


def test_catalogue_pages_and_spellings_of_one_query_share_a_copy(
    client, call, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(catalogue_views, "PAGE_SIZE", 1)
    second = OpportunityFactory(title_en="Orbital debris sensors")
    first_page = client.get(CATALOGUE + "?page=1&open_now=true")
    second_page = client.get(CATALOGUE + "?page=2&open_now=true")

    with django_assert_num_queries(0):
        again = [
            client.get(CATALOGUE + "?page=2&open_now=true"),
            client.get(CATALOGUE + "?open_now=true&p%61ge=2"),
            client.get(CATALOGUE + "?open_now=true&page=1"),
        ]

    titles = {call.title_en, second.title_en}
    assert {t for t in titles if t in _text(first_page)} | {
        t for t in titles if t in _text(second_page)
    } == titles
    assert _text(first_page) != _text(second_page)
    assert [_without_tokens(r.content) for r in again] == [
        _without_tokens(second_page.content),
        _without_tokens(second_page.content),
        _without_tokens(first_page.content),
    ]


# What makes a copy stale --------------------------------------------------------


def _publish_question(opportunity):
    return QuestionFactory(
        opportunity=opportunity,
        published=True,
        wording_en="May a payload draw 40 W?",
        answer_en="Yes, briefly.",
    )


def _rename_mission(opportunity):
    mission = opportunity.mission
    mission.name_en = "Chang'e-9"
    mission.save()
    return "Chang&#x27;e-9"


def _retitle(opportunity):
    opportunity.title_en = "Retitled call"
    opportunity.save()
    return "Retitled call"


def _add_carrier(opportunity):
    CarrierFactory(opportunity=opportunity, name_en="Orbiter relay")
    return "Orbiter relay"


def _change_carrier(opportunity):
    carrier = opportunity.carriers.get()
    carrier.power_w = Decimal("12.5")
    carrier.save()
    return "12.5"


def _add_criterion(opportunity):
    EvaluationCriterionFactory(opportunity=opportunity, name_en="Heritage")
    return "Heritage"


def _add_required_document(opportunity):
    RequiredDocumentFactory(opportunity=opportunity, name_en="Thermal model")
    return "Thermal model"


def _add_statement(opportunity):
    StatementFactory(opportunity=opportunity, text_en="We share our data.")
    return "We share our data."


def _add_amendment(opportunity):
    AmendmentFactory(opportunity=opportunity, title_en="Deadline moved")
    return "Deadline moved"


def _add_document(opportunity):
    OpportunityDocumentFactory(opportunity=opportunity, title="Payload guide")
    return "Payload guide"


def _add_contact(opportunity):
    opportunity.contacts.add(ContactFactory(name="Li Wei"))
    return "Li Wei"


def _change_contact(opportunity):
    contact = ContactFactory(name="Li Wei")
    opportunity.contacts.add(contact)
    Client().get(_call_url(opportunity))  # kept with the contact as it was
    contact.phone = "+86 10 6888 0000"
    contact.save()
    return "+86 10 6888 0000"


def _publish_a_question(opportunity):
    _publish_question(opportunity)
    return "May a payload draw 40 W?"


def _cancel(opportunity):
    workflow.transition(opportunity, to=OpportunityStatus.CANCELLED, actor=None)
    return "This call was cancelled."


CALL_PAGE_CHANGES = [
    _rename_mission,
    _retitle,
    _add_carrier,
    _change_carrier,
    _add_criterion,
    _add_required_document,
    _add_statement,
    _add_amendment,
    _add_document,
    _add_contact,
    _change_contact,
    _publish_a_question,
    _cancel,
]


@pytest.mark.parametrize("change", CALL_PAGE_CHANGES, ids=lambda f: f.__name__[1:])
def test_an_administrators_change_shows_at_once(call, change):
    before = Client().get(_call_url(call))

    expected = change(call)
    after = Client().get(_call_url(call))

    assert expected not in before.content.decode()
    assert expected in after.content.decode()


def test_a_question_asked_but_not_published_keeps_the_copy(call):
    Client().get(_call_url(call))
    stamp = cache.get(page_cache.STAMP_KEY)

    QuestionFactory(opportunity=call)
    QuestionFactory(opportunity=call, status=QuestionStatus.ANSWERED)

    assert cache.get(page_cache.STAMP_KEY) == stamp


def test_a_published_selection_list_shows_on_the_past_calls_page():
    past = OpportunityFactory(decided=True)
    selection = SelectionListFactory(opportunity=past, published_at=None)
    before = Client().get(_call_url(past))

    SelectionEntryFactory(selection_list=selection, title="DORN")
    selection.published_at = timezone.now()
    selection.save()
    after = Client().get(_call_url(past))

    assert "DORN" not in before.content.decode()
    assert "DORN" in after.content.decode()


@pytest.mark.parametrize("url", [HOME, CATALOGUE, API])
def test_a_new_call_shows_on_the_lists_at_once(call, url):
    before = Client().get(url)

    OpportunityFactory(title_en="Tianwen-4 payloads")
    after = Client().get(url)

    assert "Tianwen-4 payloads" not in before.content.decode()
    assert "Tianwen-4 payloads" in after.content.decode()


def test_a_copy_rendered_before_the_commit_is_not_served_after_it(
    call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _retitle(call)
        # Another worker, reading before the commit, keeps a copy.
        Client().get(_call_url(call))

    with CaptureQueriesContext(connection) as captured:
        Client().get(_call_url(call))

    assert len(captured) > 0


# Moments passing -----------------------------------------------------------------


def test_the_deadline_passing_changes_every_page(call, monkeypatch):
    call.proposal_deadline = timezone.now() + timedelta(hours=2)
    call.save()
    before = {url: Client().get(url) for url in (HOME, _call_url(call), API)}

    later = timezone.now() + timedelta(hours=2, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = {url: Client().get(url) for url in (HOME, _call_url(call), API)}

    assert "Lunar dust payloads" in _text(before[HOME])
    assert "Lunar dust payloads" not in _text(after[HOME])
    assert "Sign in to propose" in _text(before[_call_url(call)])
    assert "Sign in to propose" not in _text(after[_call_url(call)])
    assert "Deadline passed" in _text(after[_call_url(call)])
    assert before[API].json()["results"][0]["is_open"] is True
    assert after[API].json()["results"][0]["is_open"] is False


def test_an_opening_call_opens_on_its_pages(monkeypatch):
    opens = timezone.now() + timedelta(days=2)
    coming = OpportunityFactory(opens_at=opens, proposal_deadline=opens + timedelta(30))
    before = Client().get(_call_url(coming))

    later = opens + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = Client().get(_call_url(coming))

    assert "Opens soon" in _text(before)
    assert "Sign in to propose" in _text(after)


def test_the_question_deadline_passing_closes_the_form(call, monkeypatch):
    call.question_deadline = timezone.now() + timedelta(days=1)
    call.save()
    before = Client().get(_call_url(call))

    later = call.question_deadline + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = Client().get(_call_url(call))

    assert "Sign in to ask a question" in _text(before)
    assert "Questions on this call closed on" in _text(after)


def test_the_countdown_is_kept_only_until_its_text_changes(call):
    deadline = timezone.now() + timedelta(hours=5, minutes=10, seconds=30)
    call.proposal_deadline = deadline
    call.save()

    page = Client().get(_call_url(call))

    with translation.override("en"):
        kept = page_cache.lookup("call", call.slug, "-")
    _stamp, _kept_at, until, _type, _content = kept.found
    # "5 hours, 10 minutes" reads "5 hours, 9 minutes" 5 h 10 min before.
    changes = (deadline - timedelta(hours=5, minutes=10)).timestamp()
    assert "5 hours, 10 minutes" in _text(page)
    assert changes - 1 < until <= changes


def test_countdown_changes_at_whole_minutes_under_a_day_and_hours_above():
    now = timezone.now()

    soon = page_cache.countdown_changes(
        now + timedelta(minutes=90, seconds=20), now=now
    )
    far = page_cache.countdown_changes(now + timedelta(days=3, minutes=7), now=now)

    assert soon == now + timedelta(seconds=20)
    assert far == now + timedelta(minutes=7)
    assert page_cache.countdown_changes(now - timedelta(seconds=1), now=now) is None


# The API's list ------------------------------------------------------------------


def test_api_list_kept_per_query_string_and_host(client, call):
    OpportunityFactory(closed=True, slug="old-call")

    everything = client.get(API)
    open_now = client.get(API + "?open_now=true")
    elsewhere = client.get(API, HTTP_HOST="127.0.0.1")
    everything_again = client.get(API)

    assert everything_again.content == everything.content
    assert [r["slug"] for r in open_now.json()["results"]] == [call.slug]
    assert elsewhere.json()["results"][0]["url"].startswith("http://127.0.0.1/")
    assert everything.json()["results"][0]["url"].startswith("http://testserver/")


def test_api_list_keeps_each_page_once_under_its_number(
    client, call, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(PageNumberPagination, "page_size", 1)
    OpportunityFactory(slug="second-call")
    for query in ("?page=2&open_now=true", "?page=01", "?page=001", "?page=last"):
        client.get(API + query)

    with django_assert_num_queries(0):
        kept = client.get(API + "?open_now=true&p%61ge=2")
    spelled, queries = [], []
    for query in ("?page=01", "?page=001", "?page=last"):
        with CaptureQueriesContext(connection) as captured:
            spelled.append(client.get(API + query))
        queries.append(len(captured))

    assert kept.status_code == 200
    assert all(count > 0 for count in queries)  # each rendered again
    assert [len(r.json()["results"]) for r in spelled] == [1, 1, 1]


def test_api_list_keeps_no_copy_of_json_with_parameters(
    client, call, django_assert_num_queries
):
    indented = client.get(API, HTTP_ACCEPT="application/json; indent=8")
    with CaptureQueriesContext(connection) as captured:
        indented_again = client.get(API, HTTP_ACCEPT="application/json; indent=8")
    indented_queries = len(captured)
    plain = client.get(API, HTTP_ACCEPT="application/json")
    with django_assert_num_queries(0):
        plain_again = client.get(API, HTTP_ACCEPT="application/json")

    assert indented_queries > 0
    assert b"\n        " in indented.content
    assert indented_again.content == indented.content
    assert b"\n" not in plain.content
    assert plain_again.content == plain.content


def test_release_changes_with_the_static_files_and_their_manifest(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "collected"
    (tmp_path / "static" / "css").mkdir(parents=True)
    settings.STATIC_ROOT.mkdir()
    style = tmp_path / "static" / "css" / "portal.css"
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    style.write_text("body { color: black; }")
    manifest.write_text('{"paths": {"css/portal.css": "css/portal.1.css"}}')
    releases = [page_cache.release.__wrapped__()]

    style.write_text("body { color: navy; }")
    releases.append(page_cache.release.__wrapped__())
    manifest.write_text('{"paths": {"css/portal.css": "css/portal.2.css"}}')
    releases.append(page_cache.release.__wrapped__())

    assert len(set(releases)) == 3
    assert page_cache.release() == page_cache.release()


def test_api_throttle_counts_requests_served_from_the_copy(client, call, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "3/min"},
    }

    statuses = [client.get(API).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_pages_are_rendered_when_the_cache_does_not_answer(call, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }

    urls = (HOME, CATALOGUE, _call_url(call), API)
    responses = [Client().get(url) for url in urls]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert "Lunar dust payloads" in _text(responses[2])
    assert [r["slug"] for r in responses[3].json()["results"]] == [call.slug]
    assert "The cache did not answer" in caplog.text


def test_a_clock_set_back_sees_no_page_kept_after_it(call, monkeypatch):
    opens = timezone.now() + timedelta(days=2)
    coming = OpportunityFactory(opens_at=opens, proposal_deadline=opens + timedelta(30))
    later = opens + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    open_page = Client().get(_call_url(coming))

    monkeypatch.undo()
    now_page = Client().get(_call_url(coming))

    assert "Sign in to propose" in _text(open_page)
    assert "Opens soon" in _text(now_page)
