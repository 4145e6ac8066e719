"""Uploads per person an hour, for proposal documents and for the answers to a
payload's conditions: past the limit a 429 says when to try again and no file
is stored; the answer typed stays in the form."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from payloads.models import ConditionDocument
from proposals.models import ProposalDocument
from tests.factories import ProposalFactory, RequiredDocumentFactory, make_pdf
from tests.payloads.factories import ConditionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_two_an_hour")]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def _two_an_hour():
    with override_settings(AO_LIMITS={"invitation": "10/h", "upload": "2/h"}):
        yield


def _pdf(name: str = "proposal.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(pages=1), "application/pdf")


@pytest.fixture
def draft(client):
    proposal = ProposalFactory(title="Radon monitor")
    required = RequiredDocumentFactory(opportunity=proposal.opportunity)
    client.force_login(proposal.principal_investigator)
    url = f"/proposals/{proposal.pk}/documents/{required.pk}/upload/"
    return proposal, url, f"document-{required.pk}-file"


def test_proposal_uploads_past_the_limit_are_refused(client, draft):
    proposal, url, field = draft
    for name in ("first.pdf", "second.pdf"):
        assert client.post(url, {field: _pdf(name)}, **HTMX).status_code == 200

    response = client.post(url, {field: _pdf("third.pdf")}, **HTMX)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Try again in" in response.content.decode()
    current = ProposalDocument.objects.get(proposal=proposal, replaced_at=None)
    assert current.original_name == "second.pdf"
    assert not ProposalDocument.objects.filter(original_name="third.pdf").exists()


def test_proposal_upload_refused_without_htmx_shows_the_editor(client, draft):
    _proposal, url, field = draft
    client.post(url, {field: _pdf()})
    client.post(url, {field: _pdf()})

    response = client.post(url, {field: _pdf("third.pdf")})

    assert response.status_code == 429
    assert "Try again in" in response.content.decode()


def test_the_limit_is_per_person(client, draft):
    _proposal, url, field = draft
    client.post(url, {field: _pdf()}, **HTMX)
    client.post(url, {field: _pdf()}, **HTMX)
    other = ProposalFactory()
    required = RequiredDocumentFactory(opportunity=other.opportunity)
    client.force_login(other.principal_investigator)

    response = client.post(
        f"/proposals/{other.pk}/documents/{required.pk}/upload/",
        {f"document-{required.pk}-file": _pdf()},
        **HTMX,
    )

    assert response.status_code == 200


def _answer(client, condition, *, text: str, files: list):
    prefix = f"condition-{condition.pk}"
    return client.post(
        f"/payloads/{condition.payload_id}/conditions/{condition.pk}/answer/",
        {f"{prefix}-answer": text, f"{prefix}-documents": files},
    )


def test_payload_answer_uploads_past_the_limit_keep_the_text(client, draft):
    proposal, url, field = draft
    client.post(url, {field: _pdf()}, **HTMX)
    client.post(url, {field: _pdf()}, **HTMX)
    condition = ConditionFactory(payload__proposal=proposal)
    pending_before = default_storage.listdir("")

    response = _answer(
        client, condition, text="The mass is now 3.9 kg.", files=[_pdf("mass.pdf")]
    )

    assert response.status_code == 429
    assert "Try again in" in response.content.decode()
    form = response.context["conditions"][0]["form"]
    assert form["answer"].value() == "The mass is now 3.9 kg."
    assert ConditionDocument.objects.count() == 0
    condition.refresh_from_db()
    assert condition.answer == ""
    assert default_storage.listdir("") == pending_before


def test_payload_answer_without_files_is_not_counted(client, draft):
    proposal, url, field = draft
    client.post(url, {field: _pdf()}, **HTMX)
    client.post(url, {field: _pdf()}, **HTMX)
    condition = ConditionFactory(payload__proposal=proposal)

    response = _answer(client, condition, text="Done, see the report.", files=[])

    assert response.status_code == 302
