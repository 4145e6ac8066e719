"""The administrators' overview of payloads per call and per mission: late
items first, a timeline and a table of the same figures, a page at a time, the
same number of queries whatever the number of payloads."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from payloads.admin_views.base import PER_PAGE
from tests.factories import OpportunityFactory
from tests.payloads.admin_builders import (
    decided_call,
    late_payload,
    payload_on,
    sign_in_administrator,
)
from tests.payloads.factories import (
    ConditionFactory,
    DeliveryFactory,
    MilestoneFactory,
    SelectionListFactory,
)

pytestmark = pytest.mark.django_db

OVERVIEW = "admin:payloads_overview"


def _names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


@pytest.mark.parametrize("item_count", [1, 3, 30])
def test_overview_of_a_call_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    sign_in_administrator(client)
    opportunity = decided_call()
    for index in range(item_count):
        payload = late_payload(opportunity, name=f"Payload {index:02}", late=2)
        MilestoneFactory(payload=payload, name="Integration")
        ConditionFactory(payload=payload)
        DeliveryFactory(payload=payload, overrun=True)

    with django_assert_num_queries(9):
        response = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})

    assert len(response.context["rows"]) == item_count
    assert len(response.context["timeline"].rows) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 30])
def test_overview_of_a_mission_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    sign_in_administrator(client)
    opportunity = decided_call()
    for index in range(item_count):
        late_payload(opportunity, name=f"Payload {index:02}")

    with django_assert_num_queries(8):
        response = client.get(reverse(OVERVIEW), {"mission": opportunity.mission_id})

    assert len(response.context["rows"]) == item_count


def test_overview_puts_late_items_first(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    on_time = payload_on(opportunity, name="A on time")
    MilestoneFactory(payload=on_time)
    late_payload(opportunity, name="B one late", late=1)
    very_late = late_payload(opportunity, name="C three late", late=2)
    ConditionFactory(
        payload=very_late, due_date=timezone.localdate() - timedelta(days=2)
    )

    response = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})

    assert _names(response) == ["C three late", "B one late", "A on time"]
    assert [row.late_items for row in response.context["rows"]] == [3, 1, 0]


def test_overview_draws_the_timeline_and_the_table_of_the_same_figures(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    late_payload(opportunity, name="DORN", late=1)

    response = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})

    text = re.sub(r"\s+", " ", response.content.decode())
    assert '<svg class="payload-timeline"' in text
    assert 'id="overview-table"' in text
    assert "DORN — Late milestone 1" in text


def test_overview_of_a_mission_covers_its_calls_only(client):
    sign_in_administrator(client)
    first = decided_call()
    second = decided_call(mission=first.mission)
    elsewhere = decided_call()
    payload_on(first, name="DORN")
    payload_on(second, name="NILS")
    payload_on(elsewhere, name="Other")

    response = client.get(reverse(OVERVIEW), {"mission": first.mission_id})

    assert sorted(_names(response)) == ["DORN", "NILS"]


def test_overview_is_paginated_late_items_on_the_first_page(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    for index in range(PER_PAGE):
        payload_on(opportunity, name=f"On time {index:02}")
    late_payload(opportunity, name="Z late")

    first = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})
    second = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk, "page": 2})

    assert _names(first)[0] == "Z late"
    assert len(_names(first)) == PER_PAGE
    assert _names(second) == [f"On time {PER_PAGE - 1:02}"]
    assert first.context["next_url"] == f"?opportunity={opportunity.pk}&page=2"


def test_overview_of_a_call_that_does_not_exist_is_not_found(client):
    sign_in_administrator(client)

    response = client.get(reverse(OVERVIEW), {"opportunity": 999999})

    assert response.status_code == 404


def test_overview_of_a_call_offers_its_list_state(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    SelectionListFactory(opportunity=opportunity, published_at=timezone.now())

    response = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})

    text = re.sub(r"\s+", " ", response.content.decode())
    assert "Published on the call page since" in text
    assert "Beijing time (UTC+8)" in text
    assert 'name="withdraw"' in text


def test_overview_without_payloads_says_so(client):
    sign_in_administrator(client)
    opportunity = OpportunityFactory(decided=True)

    response = client.get(reverse(OVERVIEW), {"opportunity": opportunity.pk})

    assert 'id="overview-empty"' in response.content.decode()
