import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from catalogue import timeline
from catalogue.enums import CarrierKind, OpportunityKind, OpportunityStatus, Programme
from catalogue.models import MissionSubscription
from catalogue.views import opportunity_preview
from tests.factories import (
    AmendmentFactory,
    CarrierFactory,
    ContactFactory,
    CooperationTableFactory,
    EvaluationCriterionFactory,
    MissionFactory,
    MissionSubscriptionFactory,
    OpportunityDocumentFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 31 Aug 2026, 23:59 in Beijing is 15:59 UTC.
DEADLINE = datetime(2026, 8, 31, 15, 59, tzinfo=UTC)
OPENS = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


def _text(response) -> str:
    """The page's text with runs of whitespace collapsed to one space."""
    return re.sub(r"\s+", " ", response.content.decode())


def _chinese(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"


def _full_opportunity(rows: int, **kwargs):
    """A call with `rows` of each related thing the detail page shows."""
    opportunity = OpportunityFactory(**kwargs)
    for index in range(rows):
        CarrierFactory(opportunity=opportunity, name_en=f"Carrier {index}")
        EvaluationCriterionFactory(
            opportunity=opportunity, name_en=f"Criterion {index}"
        )
        RequiredDocumentFactory(opportunity=opportunity, name_en=f"Document {index}")
        StatementFactory(opportunity=opportunity, text_en=f"Statement {index}")
        AmendmentFactory(opportunity=opportunity, title_en=f"Amendment {index}")
        OpportunityDocumentFactory(opportunity=opportunity, title=f"AO text {index}")
        opportunity.contacts.add(ContactFactory())
    return opportunity


# Home ---------------------------------------------------------------------------


def test_home_shows_open_calls_and_both_kinds_of_deadline(client):
    now = timezone.now()
    with_loi = OpportunityFactory(
        title_en="Chang'E-7 payloads",
        loi_deadline=now + timedelta(days=3),
        proposal_deadline=now + timedelta(days=40),
    )
    OpportunityFactory(title_en="A draft call", draft=True)
    OpportunityFactory(title_en="A closed call", closed=True)

    response = client.get(reverse("catalogue:home"))

    text = _text(response)
    assert [o.pk for o in response.context["open_opportunities"]] == [with_loi.pk]
    assert [(d.kind, d.opportunity.pk) for d in response.context["deadlines"]] == [
        ("loi", with_loi.pk),
        ("proposal", with_loi.pk),
    ]
    assert "Letter-of-intent deadline" in text
    assert "A draft call" not in text
    assert "A closed call" not in text


def test_home_links_the_missions(client):
    mission = MissionFactory(name_en="Tianwen-3")

    response = client.get(reverse("catalogue:home"))

    assert f'href="{mission.get_absolute_url()}"' in response.content.decode()
    assert "Tianwen-3" in _text(response)


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_home_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        OpportunityFactory(with_loi=True)

    # 5: the open calls, two of deadlines, the missions, and the catalogue's
    # next moment for the kept copy (catalogue.page_cache).
    with django_assert_num_queries(5):
        response = client.get(reverse("catalogue:home"))

    assert len(response.context["open_opportunities"]) == min(rows, 6)


# Opportunity list ----------------------------------------------------------------


def test_opportunity_list_shows_public_statuses_only(client):
    titles = {
        status: OpportunityFactory(title_en=f"Call {status}", **{status: True})
        for status in ("draft", "closed", "decided", "cancelled")
    }
    published = OpportunityFactory(title_en="Call published")

    response = client.get(reverse("catalogue:opportunity-list"))

    shown = {o.pk for o in response.context["opportunities"]}
    assert shown == {published.pk} | {
        titles[s].pk for s in ("closed", "decided", "cancelled")
    }
    assert "Call draft" not in _text(response)


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_opportunity_list_query_count_is_constant(
    client, django_assert_num_queries, rows
):
    for _ in range(rows):
        OpportunityFactory()

    # 4: the count, the page, the missions of the filter, and the catalogue's
    # next moment for the kept copy (catalogue.page_cache).
    with django_assert_num_queries(4):
        response = client.get(reverse("catalogue:opportunity-list"))

    assert len(response.context["opportunities"]) == rows


def test_opportunity_list_paginates_by_twenty(client):
    for _ in range(21):
        OpportunityFactory()

    first = client.get(reverse("catalogue:opportunity-list"))
    second = client.get(reverse("catalogue:opportunity-list"), {"page": 2})

    assert len(first.context["opportunities"]) == 20
    assert len(second.context["opportunities"]) == 1
    assert 'href="?page=2"' in first.content.decode()


def test_opportunity_list_pages_keep_the_filters(client):
    mission = MissionFactory(slug="chang-e-7")
    for _ in range(21):
        OpportunityFactory(mission=mission)

    response = client.get(
        reverse("catalogue:opportunity-list"), {"mission": "chang-e-7"}
    )

    assert 'href="?mission=chang-e-7&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"mission": "tianwen-3"}, {"tianwen"}),
        ({"kind": OpportunityKind.STATION_EXPERIMENT}, {"station"}),
        ({"cooperation_level": "application"}, {"station"}),
        ({"status": OpportunityStatus.DECIDED}, {"decided"}),
        ({"open_now": "true"}, {"tianwen", "station"}),
        ({"open_now": "false"}, {"decided"}),
        ({"q": "sample return"}, {"tianwen"}),
        ({"q": "空间站"}, {"station"}),
    ],
)
def test_opportunity_list_filters_and_search(client, query, expected):
    tianwen = MissionFactory(slug="tianwen-3", name_en="Tianwen-3")
    OpportunityFactory(
        slug="tianwen",
        mission=tianwen,
        summary_en="Payloads for Mars sample return",
    )
    OpportunityFactory(
        slug="station",
        kind=OpportunityKind.STATION_EXPERIMENT,
        cooperation_level="application",
        title_zh_hans="中国空间站实验",
    )
    OpportunityFactory(slug="decided", decided=True)
    OpportunityFactory(slug="secret", draft=True, summary_en="Mars sample return")

    response = client.get(reverse("catalogue:opportunity-list"), query)

    assert {o.slug for o in response.context["opportunities"]} == expected


def test_opportunity_list_renders_the_filter_form_with_labels(client):
    MissionFactory(slug="chang-e-8", name_en="Chang'E-8")

    response = client.get(reverse("catalogue:opportunity-list"))

    text = _text(response)
    assert 'role="search"' in text
    assert '<label for="id_mission" class="form-label"> Mission </label>' in text
    assert '<option value="chang-e-8">Chang&#x27;E-8</option>' in text


# Opportunity detail --------------------------------------------------------------


def test_opportunity_detail_shows_what_a_proposer_needs(client):
    opportunity = OpportunityFactory(
        title_en="Chang'E-7 international payloads",
        mission__name_en="Chang'E-7",
        summary_en="Fly a payload to the lunar south pole.",
        eligibility_en="Institutions <b>outside</b> China.",
        science_areas_en="lunar and planetary science",
        max_entities=5,
        lead_country="CN",
        dual_anonymous=True,
        reviewers_per_proposal=3,
        opens_at=OPENS,
        loi_deadline=datetime(2026, 6, 30, 15, 59, tzinfo=UTC),
        shortlist_date=datetime(2026, 7, 15, tzinfo=UTC).date(),
        proposal_deadline=DEADLINE,
        expected_selection=datetime(2026, 10, 30, tzinfo=UTC).date(),
    )
    CarrierFactory(
        opportunity=opportunity,
        kind=CarrierKind.ORBITER,
        name_en="Relay orbiter",
        total_mass_kg=Decimal("15.000"),
        max_payload_mass_kg=Decimal("7.500"),
        power_w=Decimal("45.0"),
        data_mb_per_day=Decimal("1200.0"),
        max_size_mm="400 × 300 × 200",
    )
    EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Scientific value", weight=Decimal("60.00")
    )
    EvaluationCriterionFactory(
        opportunity=opportunity,
        name_en="Technical feasibility",
        weight=Decimal("40.00"),
    )
    RequiredDocumentFactory(opportunity=opportunity, name_en="Proposal", page_limit=15)
    StatementFactory(opportunity=opportunity, text_en="We share the data.")
    opportunity.contacts.add(
        ContactFactory(
            name="GAN Yong",
            department="Department of International Cooperation, CNSA",
            phone="+86-10-88581246",
            email="gany@cnsa.gov.cn",
        )
    )
    document = OpportunityDocumentFactory(opportunity=opportunity, title="AO text")

    response = client.get(opportunity.get_absolute_url())

    text = _text(response)
    for expected in (
        "Chang&#x27;E-7 international payloads",
        "Flight payload",
        "Equipment",
        "lunar and planetary science",
        "Institutions &lt;b&gt;outside&lt;/b&gt; China.",
        'Most entities per proposal</dt> <dd class="col-sm-7">5</dd>',
        "China",
        '<th scope="row">Relay orbiter <span class="d-block small fw-normal '
        'text-body-secondary">Orbiter</span></th>',
        '<td class="text-end">15</td> <td class="text-end">7.5</td> '
        '<td class="text-end">45</td> <td class="text-end">1200</td> '
        "<td>400 × 300 × 200</td>",
        "Scientific value",
        '<td class="text-end">60</td>',
        '<td class="text-end">100</td>',
        "Dual-anonymous review",
        'Reviewers per proposal</dt> <dd class="col-sm-7">3</dd>',
        "We share the data.",
        "GAN Yong",
        'href="tel:+86-10-88581246"',
        'href="mailto:gany@cnsa.gov.cn"',
        "Shortlist announced</span>15 Jul 2026",
        "Expected selection</span>30 Oct 2026",
        "30 Jun 2026, 23:59 Beijing time (UTC+8)",
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": opportunity.slug, "pk": document.pk},
        ),
    ):
        assert expected in text, expected


def test_opportunity_detail_shows_deadlines_in_beijing_time_and_for_the_browser(
    client,
):
    opportunity = OpportunityFactory(opens_at=OPENS, proposal_deadline=DEADLINE)

    response = client.get(opportunity.get_absolute_url())

    text = _text(response)
    assert "31 Aug 2026, 23:59 Beijing time (UTC+8)" in text
    assert (
        '<time datetime="2026-08-31T15:59:00Z" data-local-time>'
        "31 Aug 2026, 15:59 UTC</time>"
    ) in text


def test_opportunity_detail_counts_down_to_the_next_deadline(client):
    now = timezone.now()
    opportunity = OpportunityFactory(
        loi_deadline=now + timedelta(days=3, hours=1, minutes=5),
        proposal_deadline=now + timedelta(days=40),
    )

    response = client.get(opportunity.get_absolute_url())

    countdown = re.search(r'data-countdown="([^"]+)"', response.content.decode())
    assert countdown.group(1) == opportunity.loi_deadline.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert "Next: Letter-of-intent deadline" in _text(response)
    assert "3 days, 1 hour" in _text(response)


def test_opportunity_detail_leaves_an_empty_area_for_proposal_actions(client):
    opportunity = OpportunityFactory()

    response = client.get(opportunity.get_absolute_url())

    # The proposals app fills the area (templates/proposals/_opportunity_actions.html).
    assert '<div id="proposal-actions" class="mb-4">' in _text(response)


def test_opportunity_detail_lists_amendments_newest_first(client):
    opportunity = OpportunityFactory()
    now = timezone.now()
    AmendmentFactory(
        opportunity=opportunity, title_en="First", posted_at=now - timedelta(days=5)
    )
    AmendmentFactory(
        opportunity=opportunity, title_en="Second", posted_at=now - timedelta(days=1)
    )

    text = _text(client.get(opportunity.get_absolute_url()))

    assert text.index("Second") < text.index("First")


def test_opportunity_detail_of_a_demonstration_call_says_so(client):
    opportunity = OpportunityFactory(is_demo=True)

    text = _text(client.get(opportunity.get_absolute_url()))

    assert "badge demo-badge" in text
    assert "It is not a real CNSA Announcement of Opportunity." in text


def test_opportunity_detail_of_a_real_call_has_no_demonstration_banner(client):
    opportunity = OpportunityFactory(is_demo=False)

    text = _text(client.get(opportunity.get_absolute_url()))

    assert "demo-badge" not in text


def test_opportunity_detail_of_a_past_call_shows_its_outcome(client):
    opportunity = OpportunityFactory(
        decided=True,
        proposals_received=42,
        proposals_shortlisted=18,
        proposals_selected=9,
        outcome_en="Six selected and three conditionally.",
    )

    text = _text(client.get(opportunity.get_absolute_url()))

    assert 'Proposals received</dt><dd class="col-sm-7">42</dd>' in text
    assert 'Shortlisted</dt><dd class="col-sm-7">18</dd>' in text
    assert 'Selected</dt><dd class="col-sm-7">9</dd>' in text
    assert "Six selected and three conditionally." in text
    assert "This call is closed." in text


def test_opportunity_detail_of_a_draft_is_not_found(client):
    draft = OpportunityFactory(draft=True, title_en="Unannounced call")

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "Unannounced call" not in _text(response)
    assert "Page not found" in _text(response)


def test_opportunity_detail_of_a_draft_is_not_found_for_a_signed_in_researcher(
    client, researcher
):
    draft = OpportunityFactory(draft=True)
    client.force_login(researcher)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "Page not found" in _text(response)


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_opportunity_detail_query_count_is_constant(
    client, django_assert_num_queries, rows
):
    opportunity = _full_opportunity(rows)

    # 9: the call and its parts, and its published questions and answers.
    with django_assert_num_queries(9):
        response = client.get(opportunity.get_absolute_url())

    assert _text(response).count('<th scope="row">Carrier ') == rows


def test_opportunity_detail_in_chinese_falls_back_to_english(client):
    opportunity = OpportunityFactory(
        title_en="Space station experiments",
        title_zh_hans="中国空间站实验",
        summary_en="English summary only.",
        mission__name_en="China Space Station",
        mission__name_zh_hans="",
    )
    _chinese(client)

    response = client.get(opportunity.get_absolute_url())

    text = _text(response)
    assert '<html lang="zh-Hans">' in text
    assert "中国空间站实验" in text
    assert "English summary only." in text
    assert "China Space Station" in text


def test_opportunity_preview_renders_a_draft_for_staff():
    draft = _full_opportunity(1, draft=True, title_en="Draft call")
    staff = UserFactory(staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_opportunity"))
    request = RequestFactory().get("/admin/preview/")
    request.user = staff

    response = opportunity_preview(request, pk=draft.pk)

    text = _text(response)
    assert "Preview — not published" in text
    assert "Draft call" in text


@pytest.mark.parametrize("who", ["anonymous", "researcher", "staff without permission"])
def test_opportunity_preview_refuses_everyone_else(who):
    draft = OpportunityFactory(draft=True)
    users = {
        "anonymous": lambda: SimpleNamespace(
            is_active=False, is_staff=False, is_authenticated=False
        ),
        "researcher": UserFactory,
        "staff without permission": lambda: UserFactory(staff=True),
    }
    request = RequestFactory().get("/admin/preview/")
    request.user = users[who]()

    with pytest.raises(PermissionDenied):
        opportunity_preview(request, pk=draft.pk)


def test_opportunity_detail_has_no_preview_banner(client):
    opportunity = OpportunityFactory()

    assert "Preview — not published" not in _text(
        client.get(opportunity.get_absolute_url())
    )


# Documents -----------------------------------------------------------------------


def test_opportunity_document_downloads_as_an_attachment(client):
    document = OpportunityDocumentFactory()

    response = client.get(
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": document.opportunity.slug, "pk": document.pk},
        )
    )

    assert b"".join(response.streaming_content) == b"%PDF-1.4 announcement"
    assert response["Content-Disposition"] == (
        'attachment; filename="announcement-of-opportunity-full-text.pdf"'
    )
    assert response["Content-Type"] == "application/pdf"


def test_opportunity_document_keeps_a_chinese_title_in_the_file_name(client):
    document = OpportunityDocumentFactory(title="机遇公告")

    response = client.get(
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": document.opportunity.slug, "pk": document.pk},
        )
    )

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%9C%BA%E9%81%87%E5%85%AC%E5%91%8A.pdf"
    )


def test_opportunity_document_of_a_draft_is_not_found(client):
    document = OpportunityDocumentFactory(opportunity__draft=True)

    response = client.get(
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": document.opportunity.slug, "pk": document.pk},
        )
    )

    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")


def test_opportunity_document_of_another_call_is_not_found(client):
    document = OpportunityDocumentFactory()
    other = OpportunityFactory()

    response = client.get(
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": other.slug, "pk": document.pk},
        )
    )

    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")


def test_server_error_page_renders_without_a_request():
    text = re.sub(r"\s+", " ", render_to_string("500.html"))

    assert "Something went wrong" in text
    assert '<main id="main"' in text


# Missions ------------------------------------------------------------------------


def test_mission_list_draws_the_timeline_and_lists_the_missions(client):
    MissionFactory(name_en="Chang'E-7", launch_window="2026", launch_year=2026)
    MissionFactory(
        name_en="China Space Station",
        programme=Programme.HUMAN_SPACEFLIGHT,
        launch_window="completed 2022",
        launch_year=2022,
    )
    MissionFactory(name_en="Tianwen-5", launch_window="after 2030", launch_year=2033)

    response = client.get(reverse("catalogue:mission-list"))

    text = _text(response)
    assert '<svg class="mission-timeline"' in text
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in text
    assert "Missions and launch windows, 2024–2030" in text
    for year in range(2024, 2031):
        assert f">{year}</text>" in text
    assert text.count('class="timeline-marker"') == 3
    assert "China Space Station: completed 2022 (before 2024)." in text
    assert "Tianwen-5: after 2030 (after 2030)." in text
    assert "An arrow marks a mission launched before 2024 or after 2030" in text
    assert '<th scope="row"><a href="/missions/' in text
    assert "Human spaceflight (China Space Station)" in text


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_mission_list_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        OpportunityFactory()

    with django_assert_num_queries(1):
        response = client.get(reverse("catalogue:mission-list"))

    assert len(response.context["missions"]) == rows


def test_mission_list_counts_public_calls_only(client):
    mission = MissionFactory()
    OpportunityFactory(mission=mission)
    OpportunityFactory(mission=mission, closed=True)
    OpportunityFactory(mission=mission, draft=True)

    text = _text(client.get(reverse("catalogue:mission-list")))

    assert "2 calls</a>, 1 open" in text


def test_timeline_places_missions_by_launch_year_and_clamps_the_rest():
    missions = [
        SimpleNamespace(name="Early", launch_window="2022", launch_year=2022),
        SimpleNamespace(name="Middle", launch_window="2027", launch_year=2027),
        SimpleNamespace(name="Late", launch_window="2035", launch_year=2035),
    ]

    drawn = timeline.layout_timeline(missions)

    markers = {marker.mission.name: marker for marker in drawn.markers}
    assert markers["Middle"].x == timeline.year_x(2027)
    assert markers["Early"].clamped == timeline.BEFORE
    assert markers["Early"].x < timeline.year_x(2024)
    assert markers["Late"].clamped == timeline.AFTER
    assert markers["Late"].x > timeline.year_x(2030)
    assert [tick.year for tick in drawn.ticks] == list(range(2024, 2031))


def test_timeline_stacks_labels_that_would_overlap():
    missions = [
        SimpleNamespace(name=f"Mission {n}", launch_window="2026", launch_year=2026)
        for n in range(4)
    ]

    drawn = timeline.layout_timeline(missions)

    above = [marker for marker in drawn.markers if marker.above]
    assert sorted(marker.tier for marker in above) == [0, 1]
    assert len({marker.label_y for marker in drawn.markers}) == 4


def test_mission_detail_shows_facts_and_public_calls(client):
    mission = MissionFactory(
        name_en="Chang'E-8",
        objectives_en="In-situ resource utilisation.",
        launch_window="around 2029",
    )
    OpportunityFactory(mission=mission, title_en="Chang'E-8 payloads")
    OpportunityFactory(mission=mission, title_en="Hidden draft", draft=True)

    response = client.get(mission.get_absolute_url())

    text = _text(response)
    assert "In-situ resource utilisation." in text
    assert "around 2029" in text
    assert "Chang&#x27;E-8 payloads" in text
    assert "Hidden draft" not in text


def test_mission_detail_invites_an_anonymous_visitor_to_sign_in(client):
    mission = MissionFactory()

    text = _text(client.get(mission.get_absolute_url()))

    assert f'href="/accounts/login/?next=/missions/{mission.slug}/"' in text
    assert "Follow this mission</button>" not in text


def test_mission_detail_offers_to_follow(client, researcher):
    mission = MissionFactory()
    client.force_login(researcher)

    text = _text(client.get(mission.get_absolute_url()))

    assert 'name="action" value="follow"' in text
    assert "Follow this mission</button>" in text
    assert "published or amended" in text


def test_mission_detail_offers_to_stop_following(client):
    subscription = MissionSubscriptionFactory()
    client.force_login(subscription.user)

    text = _text(client.get(subscription.mission.get_absolute_url()))

    assert 'name="action" value="unfollow"' in text
    assert "Stop following</button>" in text


def test_mission_detail_of_an_unknown_mission_is_not_found(client):
    response = client.get(reverse("catalogue:mission-detail", args=["nowhere"]))

    assert response.status_code == 404
    assert "Page not found" in _text(response)


def test_mission_detail_in_chinese(client):
    mission = MissionFactory(name_en="Chang'E-7", name_zh_hans="嫦娥七号")
    _chinese(client)

    text = _text(client.get(mission.get_absolute_url()))

    assert "<h1>嫦娥七号</h1>" in text


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_mission_detail_query_count_is_constant(
    client, django_assert_num_queries, rows
):
    mission = MissionFactory()
    for _ in range(rows):
        OpportunityFactory(mission=mission)

    with django_assert_num_queries(2):
        response = client.get(mission.get_absolute_url())

    assert len(response.context["opportunities"]) == rows


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_mission_detail_signed_in_query_count_is_constant(
    client, researcher, django_assert_num_queries, rows
):
    mission = MissionFactory()
    for _ in range(rows):
        OpportunityFactory(mission=mission)
    client.force_login(researcher)

    # session, user, mission, its calls, the subscription
    with django_assert_num_queries(5):
        response = client.get(mission.get_absolute_url())

    assert len(response.context["opportunities"]) == rows


# Following a mission ------------------------------------------------------------


def test_mission_subscribe_sends_an_anonymous_visitor_to_sign_in(client):
    mission = MissionFactory()

    response = client.post(reverse("catalogue:mission-subscribe", args=[mission.slug]))

    assert response.status_code == 302
    assert response["Location"] == (f"/accounts/login/?next=/missions/{mission.slug}/")
    assert not MissionSubscription.objects.exists()


def test_mission_subscribe_refuses_get(client, researcher):
    mission = MissionFactory()
    client.force_login(researcher)

    response = client.get(reverse("catalogue:mission-subscribe", args=[mission.slug]))

    assert response.status_code == 405
    assert not MissionSubscription.objects.exists()


def test_mission_subscribe_follows_and_says_so(client, researcher):
    mission = MissionFactory(name_en="Tianwen-3")
    client.force_login(researcher)

    response = client.post(
        reverse("catalogue:mission-subscribe", args=[mission.slug]),
        {"action": "follow"},
        follow=True,
    )

    assert response.redirect_chain == [(mission.get_absolute_url(), 302)]
    assert list(MissionSubscription.objects.values_list("user", "mission")) == [
        (researcher.pk, mission.pk)
    ]
    assert "You now follow Tianwen-3." in _text(response)


def test_mission_subscribe_stops_following(client):
    subscription = MissionSubscriptionFactory()
    client.force_login(subscription.user)

    response = client.post(
        reverse("catalogue:mission-subscribe", args=[subscription.mission.slug]),
        {"action": "unfollow"},
        follow=True,
    )

    assert not MissionSubscription.objects.exists()
    assert "You no longer follow" in _text(response)


def test_mission_subscribe_without_an_action_toggles(client, researcher):
    mission = MissionFactory()
    client.force_login(researcher)
    url = reverse("catalogue:mission-subscribe", args=[mission.slug])

    client.post(url)
    followed = MissionSubscription.objects.filter(user=researcher).count()
    client.post(url)
    unfollowed = MissionSubscription.objects.filter(user=researcher).count()

    assert (followed, unfollowed) == (1, 0)


def test_mission_subscribe_twice_follows_once(client, researcher):
    mission = MissionFactory()
    client.force_login(researcher)
    url = reverse("catalogue:mission-subscribe", args=[mission.slug])

    client.post(url, {"action": "follow"})
    client.post(url, {"action": "follow"})

    assert MissionSubscription.objects.filter(user=researcher).count() == 1


def test_mission_subscribe_touches_only_the_signed_in_users_subscription(
    client, researcher
):
    mission = MissionFactory()
    other = MissionSubscriptionFactory(mission=mission)
    client.force_login(researcher)

    client.post(
        reverse("catalogue:mission-subscribe", args=[mission.slug]),
        {"action": "unfollow"},
    )

    assert list(MissionSubscription.objects.all()) == [other]


# Cooperation ---------------------------------------------------------------------


def test_cooperation_renders_tables_grouped_by_section(client):
    CooperationTableFactory(
        order=1,
        section_en="Space science",
        title_en="Space science opportunities",
        intro_en="Four levels of cooperation.",
        columns_en=["Area", "System", "Application"],
        rows_en=[["Space astronomy", "open*", "open"]],
        footnotes_en="* Scientific objectives included.",
    )
    CooperationTableFactory(order=2, section_en="Space science", title_en="Second")
    CooperationTableFactory(order=3, section_en="Space technology", title_en="Third")

    response = client.get(reverse("catalogue:cooperation"))

    text = _text(response)
    assert text.count('<h2 id="section-') == 2
    assert re.search(
        r'aria-labelledby="(table-\d+)-caption">.*?<caption id="\1-caption" '
        r'class="visually-hidden">Space science opportunities</caption>',
        text,
    )
    assert '<th scope="col">Area</th><th scope="col">System</th>' in text
    assert '<th scope="row">Space astronomy</th><td>open*</td><td>open</td>' in text
    assert "Four levels of cooperation." in text
    assert "* Scientific objectives included." in text


def test_cooperation_renders_an_empty_corner_heading_as_a_plain_cell(client):
    CooperationTableFactory(
        columns_en=["", "GEO", "LEO"], rows_en=[["Relay", "open", "open"]]
    )

    text = _text(client.get(reverse("catalogue:cooperation")))

    assert '<tr><td></td><th scope="col">GEO</th><th scope="col">LEO</th></tr>' in text


def test_cooperation_in_chinese_falls_back_to_english_rows(client):
    CooperationTableFactory(
        title_en="Space science", title_zh_hans="空间科学", rows_en=[["Astronomy"]]
    )
    _chinese(client)

    text = _text(client.get(reverse("catalogue:cooperation")))

    assert "空间科学" in text
    assert '<th scope="row">Astronomy</th>' in text


@pytest.mark.parametrize("rows", [1, 3, 10])
def test_cooperation_query_count_is_constant(client, django_assert_num_queries, rows):
    for _ in range(rows):
        CooperationTableFactory()

    with django_assert_num_queries(1):
        response = client.get(reverse("catalogue:cooperation"))

    assert _text(response).count("<table") == rows
