"""Fixtures of the proposal tests: PDFs made in code and proposals ready to submit."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from proposals.models import StatementAcceptance
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
    make_pdf,
)


@pytest.fixture
def pdf_file():
    """An upload of a real PDF: pdf_file(pages=3, name="x.pdf", password="")."""

    def build(*, pages: int = 1, name: str = "proposal.pdf", password: str = ""):
        return SimpleUploadedFile(
            name, make_pdf(pages=pages, password=password), "application/pdf"
        )

    return build


@pytest.fixture
def ready_proposal(db):
    """A complete full-stage draft that submit_proposal accepts, with a confirmed
    co-investigator, on a call with a mandatory document, a statement and two
    CNSA contacts (made once per call): ready_proposal(**ProposalFactory kwargs)."""

    def build(**overrides):
        opportunity = overrides.pop("opportunity", None) or OpportunityFactory()
        if not opportunity.contacts.exists():
            opportunity.contacts.add(ContactFactory(), ContactFactory())
        required = opportunity.required_documents.first() or RequiredDocumentFactory(
            opportunity=opportunity, page_limit=10
        )
        statement = opportunity.statements.first() or StatementFactory(
            opportunity=opportunity
        )
        pi = overrides.pop("principal_investigator", None) or UserFactory(
            institution="Institut de Recherche en Astrophysique", country="FR"
        )
        proposal = ProposalFactory(
            complete=True,
            opportunity=opportunity,
            principal_investigator=pi,
            **overrides,
        )
        ProposalDocumentFactory(proposal=proposal, required_document=required)
        StatementAcceptance.objects.create(
            proposal=proposal, statement=statement, accepted_by=pi
        )
        TeamMemberFactory(proposal=proposal, confirmed=True)
        return proposal

    return build


@pytest.fixture
def letter_call(db):
    """A call whose letters of intent are due in 5 days, proposals in 30."""
    now = timezone.now()
    return OpportunityFactory(
        opens_at=now - timedelta(days=10),
        loi_deadline=now + timedelta(days=5),
        proposal_deadline=now + timedelta(days=30),
    )
