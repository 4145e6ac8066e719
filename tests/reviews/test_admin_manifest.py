"""The manifest recommendation page: the best selection within the carrier's
envelope, pins in and out, diversity limits, the bars and the slack."""

import re
from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    reviewed_proposal,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest_call():
    """A lander of 10 kg, 30 W, 500 MB per day (the factory's) and three
    proposals asking 8 W and 50 MB per day each:
    P1 6 kg, mean 4.50 (France); P2 5 kg, mean 4.00 (France); P3 4 kg, mean 3.00
    (Kenya). Best within 10 kg: P1 + P3 (total 7.50)."""
    opportunity = closed_call()
    france = UserFactory(country="FR")
    proposals = {
        "P1": reviewed_proposal(
            opportunity, [5, 4], mass_kg=Decimal("6.000"), principal_investigator=france
        ),
        "P2": reviewed_proposal(
            opportunity,
            [4, 4],
            mass_kg=Decimal("5.000"),
            principal_investigator=UserFactory(country="FR"),
        ),
        "P3": reviewed_proposal(
            opportunity,
            [3, 3],
            mass_kg=Decimal("4.000"),
            principal_investigator=UserFactory(country="KE"),
        ),
    }
    return opportunity, proposals


def _pins(proposals, **pins):
    return {f"pin_{proposals[name].pk}": value for name, value in pins.items()}


def _selected(response) -> set:
    return {row["line"].proposal for row in response.context["selected_rows"]}


def test_manifest_chooses_the_best_selection_within_the_envelope(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    assert _selected(response) == {proposals["P1"], proposals["P3"]}
    assert response.context["total_score"] == Decimal("7.50")
    page = response.content.decode()
    assert 'id="manifest-total">7.50<' in page
    assert 'id="manifest-status">Optimal<' in page


def test_manifest_shows_each_resource_as_a_bar_with_its_slack(client, manifest_call):
    opportunity, _proposals = manifest_call
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    (lander,) = response.context["usage"]
    figures = [
        (r["label"], r["used"], r["limit"], r["slack"], r["percent"])
        for r in lander["resources"]
    ]
    assert figures == [
        ("Mass", "10", "10", "0", 100.0),
        ("Power", "16", "30", "14", 53.3),
        ("Data volume", "100", "500", "400", 20.0),
    ]
    page = response.content.decode()
    assert re.findall(r'<span style="width: ([\d.]+)%">', page) == [
        "100.0",
        "53.3",
        "20.0",
    ]
    assert page.count('role="meter"') == 3
    assert "14 W" in page


def test_manifest_respects_a_proposal_pinned_in(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P2="in")},
    )

    assert _selected(response) == {proposals["P2"], proposals["P3"]}


def test_manifest_respects_a_proposal_pinned_out(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P3="out")},
    )

    assert _selected(response) == {proposals["P1"]}
    (lander,) = response.context["usage"]
    assert lander["resources"][0]["slack"] == "4"


def test_manifest_applies_the_limit_per_country(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", "max_per_country": "1", **_pins(proposals, P3="out")},
    )

    assert _selected(response) == {proposals["P1"]}


def test_manifest_reports_pins_that_cannot_fit(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)

    response = client.get(
        panel_url("manifest", opportunity.pk),
        {"solve": "1", **_pins(proposals, P1="in", P2="in")},
    )

    assert _selected(response) == set()
    page = response.content.decode()
    assert 'id="manifest-status">Infeasible<' in page
    assert "need 11 kg of mass, more than its 10 kg" in page
    assert 'class="panel-bar over"' in page


def test_manifest_lists_proposals_that_cannot_fly_and_those_unscored(client):
    opportunity = closed_call()
    heavy = reviewed_proposal(opportunity, [5], mass_kg=Decimal("12.000"))
    waiting = submitted_proposal(opportunity)
    administrator_client(client)

    response = client.get(panel_url("manifest", opportunity.pk))

    page = response.content.decode()
    assert [row["line"].proposal for row in response.context["ineligible_rows"]] == [
        heavy
    ]
    assert "Requests 12 kg, more than the 10 kg one payload may take" in page
    assert list(response.context["unscored"]) == [waiting]


def test_manifest_prefills_the_decisions_with_its_selection(client, manifest_call):
    opportunity, proposals = manifest_call
    administrator_client(client)
    manifest = client.get(panel_url("manifest", opportunity.pk))
    link = manifest.context["decisions_url"]

    response = client.get(link)

    initial = {
        row["row"]: row["form"]["outcome"].value() for row in response.context["rows"]
    }
    assert initial == {
        proposals["P1"]: "selected",
        proposals["P2"]: "not_selected",
        proposals["P3"]: "selected",
    }


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_manifest_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        reviewed_proposal(opportunity, [4, 3], mass_kg=Decimal("1.000"))
    administrator_client(client)
    url = panel_url("manifest", opportunity.pk)

    with django_assert_num_queries(11):
        response = client.get(url)

    assert len(response.context["candidate_rows"]) == item_count
