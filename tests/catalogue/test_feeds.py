from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from catalogue import views
from tests.factories import MissionFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response) -> list[ElementTree.Element]:
    feed = ElementTree.fromstring(response.content)  # noqa: S314 — our own feed
    return feed.findall(f"{ATOM}entry")


def _events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


# Atom feed -----------------------------------------------------------------------


def test_feed_lists_public_calls_newest_first(client):
    now = timezone.now()
    older = OpportunityFactory(
        title_en="Older call", published_at=now - timedelta(days=9)
    )
    newer = OpportunityFactory(
        title_en="Newer call", published_at=now - timedelta(days=1)
    )
    closed = OpportunityFactory(
        title_en="Closed call", closed=True, published_at=now - timedelta(days=60)
    )
    OpportunityFactory(title_en="Draft call", draft=True)

    response = client.get(reverse("catalogue:opportunity-feed"))

    entries = _entries(response)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Newer call",
        "Older call",
        "Closed call",
    ]
    assert entries[0].find(f"{ATOM}link").get("href") == (
        f"http://testserver{newer.get_absolute_url()}"
    )
    assert older.slug in entries[1].find(f"{ATOM}link").get("href")
    assert closed.slug in entries[2].find(f"{ATOM}link").get("href")


def test_feed_entry_carries_summary_deadline_and_categories(client):
    OpportunityFactory(
        summary_en="Payloads <script>alert(1)</script> welcome.",
        mission=MissionFactory(name_en="Chang'E-7"),
        proposal_deadline=datetime(2026, 8, 31, 15, 59, tzinfo=UTC),
        opens_at=datetime(2026, 4, 1, tzinfo=UTC),
    )

    entry = _entries(client.get(reverse("catalogue:opportunity-feed")))[0]

    summary = entry.findtext(f"{ATOM}summary")
    assert "&lt;script&gt;" in summary
    assert "<script>" not in summary
    assert "31 Aug 2026, 23:59 Beijing time (UTC+8)" in summary
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {
        "Chang'E-7",
        "Flight payload",
    }


def test_feed_stops_at_fifty_entries(client):
    for _ in range(51):
        OpportunityFactory()

    response = client.get(reverse("catalogue:opportunity-feed"))

    assert len(_entries(response)) == 50


def test_feed_in_chinese_gives_chinese_titles(client):
    OpportunityFactory(title_en="Space station", title_zh_hans="空间站实验")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    entry = _entries(client.get(reverse("catalogue:opportunity-feed")))[0]

    assert entry.findtext(f"{ATOM}title") == "空间站实验"


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_feed_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        OpportunityFactory()

    with django_assert_num_queries(1):
        response = client.get(reverse("catalogue:opportunity-feed"))

    assert len(_entries(response)) == rows


# iCalendar of deadlines ---------------------------------------------------------


def test_deadlines_ics_has_one_event_per_upcoming_deadline(client):
    now = timezone.now()
    with_loi = OpportunityFactory(
        title_en="Chang'E-8 payloads",
        loi_deadline=now + timedelta(days=5),
        proposal_deadline=now + timedelta(days=60),
    )
    plain = OpportunityFactory(
        title_en="Station experiments", proposal_deadline=now + timedelta(days=20)
    )
    OpportunityFactory(closed=True)
    OpportunityFactory(draft=True, proposal_deadline=now + timedelta(days=3))

    response = client.get(reverse("catalogue:deadlines-ics"))

    events = _events(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(event["SUMMARY"]) for event in events] == [
        "Letter-of-intent deadline: Chang'E-8 payloads",
        "Proposal deadline: Station experiments",
        "Proposal deadline: Chang'E-8 payloads",
    ]
    assert [str(event["URL"]) for event in events] == [
        f"http://testserver{with_loi.get_absolute_url()}",
        f"http://testserver{plain.get_absolute_url()}",
        f"http://testserver{with_loi.get_absolute_url()}",
    ]


def test_deadlines_ics_gives_start_times_in_utc(client):
    OpportunityFactory(
        opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        proposal_deadline=datetime(2027, 8, 31, 15, 59, tzinfo=UTC),
    )

    response = client.get(reverse("catalogue:deadlines-ics"))

    assert b"DTSTART:20270831T155900Z" in response.content
    assert "31 Aug 2027, 23:59 Beijing time (UTC+8)" in str(
        _events(response)[0]["DESCRIPTION"]
    )


def test_deadlines_ics_uids_are_stable_and_distinct(client):
    OpportunityFactory(with_loi=True)
    OpportunityFactory()

    first = [str(e["UID"]) for e in _events(client.get("/opportunities/deadlines.ics"))]
    second = [
        str(e["UID"]) for e in _events(client.get("/opportunities/deadlines.ics"))
    ]

    assert first == second
    assert len(set(first)) == 3


def test_deadlines_ics_leaves_out_a_passed_letter_of_intent(client):
    now = timezone.now()
    OpportunityFactory(
        opens_at=now - timedelta(days=30),
        loi_deadline=now - timedelta(days=2),
        proposal_deadline=now + timedelta(days=10),
    )

    events = _events(client.get(reverse("catalogue:deadlines-ics")))

    assert [str(event["SUMMARY"]).split(":")[0] for event in events] == [
        "Proposal deadline"
    ]


def test_deadlines_ics_keeps_the_soonest_deadlines_up_to_its_limit(client, monkeypatch):
    now = timezone.now()
    for days in (30, 10, 20):
        OpportunityFactory(
            title_en=f"In {days} days", proposal_deadline=now + timedelta(days=days)
        )
    monkeypatch.setattr(views, "ICS_LIMIT", 2)

    events = _events(client.get(reverse("catalogue:deadlines-ics")))

    assert [str(event["SUMMARY"]) for event in events] == [
        "Proposal deadline: In 10 days",
        "Proposal deadline: In 20 days",
    ]


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_deadlines_ics_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        OpportunityFactory(with_loi=True)

    with django_assert_num_queries(2):
        response = client.get(reverse("catalogue:deadlines-ics"))

    assert len(_events(response)) == rows * 2
