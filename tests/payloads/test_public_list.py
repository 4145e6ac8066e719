"""The public call page lists the selected payloads (title, lead institution,
country) once an administrator publishes the list — never before, and no
longer once it is withdrawn."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payloads import services
from tests.factories import OpportunityFactory
from tests.payloads.admin_builders import administrator, decided_call, payload_on
from tests.payloads.factories import SelectionEntryFactory, SelectionListFactory

pytestmark = pytest.mark.django_db


def _page(client, opportunity) -> str:
    response = client.get(
        reverse("catalogue:opportunity-detail", kwargs={"slug": opportunity.slug})
    )
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _listed(text: str) -> bool:
    return 'id="selected-payloads"' in text


def test_public_list_hidden_until_published_shown_after_hidden_again(client):
    opportunity = decided_call()
    payload = payload_on(opportunity, name="ICUBE-Q")
    pi = payload.proposal.principal_investigator
    actor = administrator()

    before = _page(client, opportunity)
    services.publish_selection_list(opportunity=opportunity, actor=actor)
    published = _page(client, opportunity)
    services.unpublish_selection_list(opportunity=opportunity, actor=actor)
    withdrawn = _page(client, opportunity)

    assert not _listed(before)
    assert "ICUBE-Q" not in before
    assert _listed(published)
    assert (
        f'<th scope="row">ICUBE-Q</th> <td>{pi.institution}</td> '
        f"<td>{pi.country.name}</td>"
    ) in published
    assert not _listed(withdrawn)
    assert "ICUBE-Q" not in withdrawn


def test_public_list_of_a_historical_call_shows_its_entries_in_order(client):
    opportunity = decided_call()
    selection = SelectionListFactory(opportunity=opportunity)
    for order, (title, country) in enumerate(
        [("DORN", "FR"), ("NILS", "SE"), ("INRRI", "IT")]
    ):
        SelectionEntryFactory(
            selection_list=selection, title=title, country=country, order=order
        )
    services.publish_selection_list(opportunity=opportunity, actor=administrator())

    text = _page(client, opportunity)

    titles = re.findall(r'<th scope="row">(DORN|NILS|INRRI)</th>', text)
    assert titles == ["DORN", "NILS", "INRRI"]
    assert "Sweden" in text


def _payload_queries(client, opportunity) -> list[str]:
    url = reverse("catalogue:opportunity-detail", kwargs={"slug": opportunity.slug})
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return [q["sql"] for q in context.captured_queries if "payloads_" in q["sql"]]


def test_decided_call_without_a_published_list_costs_one_query(client):
    opportunity = decided_call()
    SelectionEntryFactory(selection_list=SelectionListFactory(opportunity=opportunity))

    queries = _payload_queries(client, opportunity)

    assert len(queries) == 1


def test_open_call_page_asks_nothing_of_payloads(client):
    opportunity = OpportunityFactory()

    queries = _payload_queries(client, opportunity)

    assert queries == []
