"""The read-only API of a researcher's own proposals."""

import pytest
import yaml
from rest_framework.authtoken.models import Token

from proposals.services import submit_proposal
from tests.factories import (
    ProposalDocumentFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/proposals/"


def test_list_has_the_users_own_and_team_proposals_only(client):
    user = UserFactory()
    led = ProposalFactory(principal_investigator=user, title="Led")
    on_team = ProposalFactory(title="On the team")
    TeamMemberFactory(
        proposal=on_team,
        user=user,
        email=user.email,
        role="collaborator",
        confirmed=True,
    )
    ProposalFactory(title="Someone else's")
    client.force_login(user)

    response = client.get(LIST)

    results = response.json()["results"]
    assert [(r["id"], r["title"], r["my_role"]) for r in results] == [
        (on_team.pk, "On the team", "collaborator"),
        (led.pk, "Led", "principal_investigator"),
    ]
    assert results[1]["opportunity"]["slug"] == led.opportunity.slug
    assert results[1]["status"] == "draft"


def test_detail_shows_sections_team_documents_and_versions(client, ready_proposal):
    proposal = ready_proposal(title="Radon monitor")
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    document = proposal.documents.get()
    client.force_login(proposal.principal_investigator)

    data = client.get(f"{LIST}{proposal.pk}/").json()

    assert data["reference"] == version.reference
    assert data["resources"]["mass_kg"] == 4.5
    assert data["trl"] == 6
    assert [m["confirmed"] for m in data["team"]] == [True]
    assert [d["id"] for d in data["documents"]] == [document.pk]
    assert data["documents"][0]["download_url"].endswith(
        f"/proposals/documents/{document.pk}/"
    )
    assert [(v["number"], v["reference"]) for v in data["versions"]] == [
        (1, version.reference)
    ]
    assert data["versions"][0]["pdf_url"].endswith(
        f"/proposals/{proposal.pk}/versions/1/pdf/"
    )
    assert data["completeness"] == 100


def test_detail_of_someone_elses_proposal_is_not_found(client):
    proposal = ProposalFactory(title="Secret payload")
    client.force_login(UserFactory())

    response = client.get(f"{LIST}{proposal.pk}/")

    assert response.status_code == 404
    assert "Secret payload" not in response.content.decode()


def test_administrator_lists_only_their_own_proposals_through_the_api(client):
    ProposalFactory(title="A researcher's proposal")
    client.force_login(UserFactory(superuser=True))

    response = client.get(LIST)

    assert response.json()["count"] == 0


@pytest.mark.parametrize("url", [LIST, f"{LIST}1/"])
def test_anonymous_request_is_refused(client, url):
    ProposalFactory(pk=1, title="Hidden")

    response = client.get(url)

    assert response.status_code in {401, 403}
    assert "Hidden" not in response.content.decode()


def test_token_authentication_reads_the_users_proposals(client):
    proposal = ProposalFactory(title="By token")
    token = Token.objects.create(user=proposal.principal_investigator)

    response = client.get(LIST, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert [r["title"] for r in response.json()["results"]] == ["By token"]


def test_the_api_is_read_only(client):
    proposal = ProposalFactory(title="Unchanged")
    client.force_login(proposal.principal_investigator)

    response = client.patch(
        f"{LIST}{proposal.pk}/", {"title": "Changed"}, content_type="application/json"
    )

    assert response.status_code == 405
    proposal.refresh_from_db()
    assert proposal.title == "Unchanged"


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_list_query_count_is_constant(client, django_assert_num_queries, item_count):
    user = UserFactory()
    for _ in range(item_count):
        proposal = ProposalFactory(complete=True, principal_investigator=user)
        TeamMemberFactory(proposal=proposal, confirmed=True)
        ProposalDocumentFactory(proposal=proposal)
    client.force_login(user)

    with django_assert_num_queries(9):
        response = client.get(LIST)

    assert response.json()["count"] == item_count


def test_schema_documents_the_proposals_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    assert {"/api/v1/proposals/", "/api/v1/proposals/{id}/"} <= set(schema["paths"])
    operation = schema["paths"]["/api/v1/proposals/"]["get"]
    assert operation["summary"] == "List my proposals"
    assert "ProposalStatusEnum" in schema["components"]["schemas"]
