"""The read-only JSON API: /api/v1/missions/ and /api/v1/opportunities/."""

import datetime
from decimal import Decimal

import pytest
import yaml
from drf_spectacular.validation import validate_schema

from catalogue.enums import CooperationLevel, OpportunityKind
from tests.factories import (
    AmendmentFactory,
    CarrierFactory,
    ContactFactory,
    EvaluationCriterionFactory,
    MissionFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

OPPORTUNITIES = "/api/v1/opportunities/"
MISSIONS = "/api/v1/missions/"


def _full_opportunity(**kwargs):
    opportunity = OpportunityFactory(**kwargs)
    CarrierFactory(opportunity=opportunity, name_zh_hans="着陆器")
    EvaluationCriterionFactory(opportunity=opportunity)
    RequiredDocumentFactory(opportunity=opportunity)
    StatementFactory(opportunity=opportunity)
    AmendmentFactory(opportunity=opportunity)
    opportunity.contacts.add(ContactFactory())
    return opportunity


def test_opportunity_detail_gives_both_languages_envelopes_and_utc_timeline(client):
    opportunity = OpportunityFactory(
        slug="change-7-payloads",
        title_en="Chang'E-7 payloads",
        title_zh_hans="嫦娥七号载荷",
        opens_at=datetime.datetime(2022, 11, 24, 1, 0, tzinfo=datetime.UTC),
        loi_deadline=datetime.datetime(2023, 1, 31, 16, 0, tzinfo=datetime.UTC),
        proposal_deadline=datetime.datetime(2030, 6, 30, 16, 0, tzinfo=datetime.UTC),
        is_demo=True,
    )
    CarrierFactory(
        opportunity=opportunity,
        name_en="Lander",
        name_zh_hans="着陆器",
        total_mass_kg=Decimal(10),
        max_payload_mass_kg=Decimal("4.5"),
        power_w=None,
    )
    EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Scientific value", weight=Decimal(50)
    )
    RequiredDocumentFactory(opportunity=opportunity, name_en="Letter of intent")
    opportunity.contacts.add(ContactFactory(name="GAN Yong"))

    response = client.get(f"{OPPORTUNITIES}change-7-payloads/")

    data = response.json()
    assert data["slug"] == "change-7-payloads"
    assert data["mission"] == opportunity.mission.slug
    assert data["title"] == {"en": "Chang'E-7 payloads", "zh-hans": "嫦娥七号载荷"}
    assert data["status"] == "published"
    assert data["is_demo"] is True
    assert data["timeline"]["opens_at"] == "2022-11-24T01:00:00Z"
    assert data["timeline"]["loi_deadline"] == "2023-01-31T16:00:00Z"
    assert data["timeline"]["proposal_deadline"] == "2030-06-30T16:00:00Z"
    assert data["carriers"] == [
        {
            "kind": "lander",
            "name": {"en": "Lander", "zh-hans": "着陆器"},
            "total_mass_kg": 10.0,
            "max_payload_mass_kg": 4.5,
            "power_w": None,
            "data_mb_per_day": 500.0,
            "max_size_mm": "300 × 300 × 300",
            "notes": {"en": None, "zh-hans": None},
        }
    ]
    assert data["criteria"] == [
        {
            "name": {"en": "Scientific value", "zh-hans": None},
            "description": {"en": None, "zh-hans": None},
            "weight": 50.0,
        }
    ]
    assert [d["name"]["en"] for d in data["required_documents"]] == ["Letter of intent"]
    assert [c["name"] for c in data["contacts"]] == ["GAN Yong"]
    assert data["url"] == "http://testserver/api/v1/opportunities/change-7-payloads/"


def test_opportunity_detail_of_a_draft_is_404(client):
    OpportunityFactory(draft=True, slug="secret-draft")

    response = client.get(f"{OPPORTUNITIES}secret-draft/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Opportunity matches the given query."}


def test_opportunity_list_hides_drafts(client):
    shown = [
        OpportunityFactory(),
        OpportunityFactory(closed=True),
        OpportunityFactory(decided=True),
        OpportunityFactory(cancelled=True),
    ]
    OpportunityFactory(draft=True)

    response = client.get(OPPORTUNITIES)

    data = response.json()
    assert data["count"] == 4
    assert sorted(row["slug"] for row in data["results"]) == sorted(
        o.slug for o in shown
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mission=lunar", {"lunar-open", "lunar-closed"}),
        ("status=closed", {"lunar-closed"}),
        ("kind=station", {"station-open"}),
        ("cooperation_level=system", {"station-open"}),
        ("open_now=true", {"lunar-open", "station-open"}),
        ("open_now=false", {"lunar-closed"}),
        ("mission=lunar&open_now=true", {"lunar-open"}),
        ("q=Tiangong", {"station-open"}),
    ],
)
def test_opportunity_list_filters(client, query, expected):
    lunar = MissionFactory(slug="lunar")
    station = MissionFactory(slug="station")
    OpportunityFactory(mission=lunar, slug="lunar-open")
    OpportunityFactory(mission=lunar, slug="lunar-closed", closed=True)
    OpportunityFactory(
        mission=station,
        slug="station-open",
        title_en="Experiments on Tiangong",
        kind=OpportunityKind.STATION_EXPERIMENT,
        cooperation_level=CooperationLevel.SYSTEM,
    )
    OpportunityFactory(mission=lunar, slug="lunar-draft", draft=True)

    response = client.get(f"{OPPORTUNITIES}?{query}")

    assert {row["slug"] for row in response.json()["results"]} == expected


def test_opportunity_list_refuses_an_unknown_mission(client):
    OpportunityFactory()

    response = client.get(f"{OPPORTUNITIES}?mission=no-such-mission")

    assert response.status_code == 400
    assert list(response.json()) == ["mission"]


def test_opportunity_list_status_draft_is_not_a_choice(client):
    OpportunityFactory(draft=True)

    response = client.get(f"{OPPORTUNITIES}?status=draft")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_opportunity_list_pages_by_twenty(client):
    OpportunityFactory.create_batch(23)

    first = client.get(OPPORTUNITIES).json()
    second = client.get(f"{OPPORTUNITIES}?page=2").json()

    assert first["count"] == 23
    assert len(first["results"]) == 20
    assert first["next"] == "http://testserver/api/v1/opportunities/?page=2"
    assert len(second["results"]) == 3
    assert second["next"] is None


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_opportunity_list_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        _full_opportunity()

    # count, page, then carriers, criteria, documents, statements, amendments,
    # contacts, and the catalogue's next moment for the kept copy (page_cache)
    with django_assert_num_queries(9):
        response = client.get(OPPORTUNITIES)

    assert len(response.json()["results"]) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_mission_list_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        OpportunityFactory(mission=MissionFactory())

    # count, page, the missions' published calls
    with django_assert_num_queries(3):
        response = client.get(MISSIONS)

    assert len(response.json()["results"]) == item_count


def test_mission_detail_lists_only_public_opportunities(client):
    mission = MissionFactory(
        slug="change-8", name_en="Chang'E-8", name_zh_hans="嫦娥八号"
    )
    OpportunityFactory(mission=mission, slug="ce8-payloads")
    OpportunityFactory(mission=mission, slug="ce8-draft", draft=True)

    response = client.get(f"{MISSIONS}change-8/")

    data = response.json()
    assert data["name"] == {"en": "Chang'E-8", "zh-hans": "嫦娥八号"}
    assert data["opportunities"] == ["ce8-payloads"]


def test_api_is_read_only(client, admin_user):
    opportunity = OpportunityFactory()
    client.force_login(admin_user)

    response = client.delete(f"{OPPORTUNITIES}{opportunity.slug}/")

    assert response.status_code == 405
    assert opportunity.__class__.objects.filter(pk=opportunity.pk).exists()


def test_api_schema_is_valid_openapi_naming_both_endpoints(client):
    response = client.get("/api/schema/")

    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/missions/",
        "/api/v1/missions/{slug}/",
        "/api/v1/opportunities/",
        "/api/v1/opportunities/{slug}/",
    } <= set(schema["paths"])
    parameters = {
        p["name"]
        for p in schema["paths"]["/api/v1/opportunities/"]["get"]["parameters"]
    }
    assert {"mission", "status", "kind", "cooperation_level", "open_now", "page"} <= (
        parameters
    )


def test_api_docs_render_swagger_ui_from_our_static_files(client):
    response = client.get("/api/docs/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in content
    assert "/static/drf_spectacular_sidecar/" in content
