"""The completeness figure counts what the researcher has done: 0 % for a new,
empty proposal, 100 % only when it can be submitted."""

import pytest
from django.utils import timezone

from proposals import services
from proposals.checklist import completeness, completion_percentage
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


def _percentage(proposal) -> int:
    return completion_percentage(completeness(proposal))


def test_a_new_empty_proposal_is_at_zero(researcher):
    opportunity = OpportunityFactory()
    RequiredDocumentFactory(opportunity=opportunity)
    StatementFactory(opportunity=opportunity)

    proposal = services.start_proposal(opportunity=opportunity, actor=researcher)

    assert _percentage(proposal) == 0


def test_the_editor_of_a_new_proposal_shows_zero(client, researcher):
    opportunity = OpportunityFactory()
    proposal = services.start_proposal(opportunity=opportunity, actor=researcher)
    client.force_login(researcher)

    page = client.get(f"/proposals/{proposal.pk}/edit/").content.decode()

    assert "0 % complete" in page
    assert 'value="0"' in page


def test_each_field_document_and_statement_counts_once():
    # 17 units: 3 summary, 2 objectives, 2 payload, 8 resources, 1 funding, 1
    # document; the factory's proposal has a title (1) and an abstract (2).
    proposal = ProposalFactory(abstract="Radon at the landing site.")
    RequiredDocumentFactory(opportunity=proposal.opportunity)

    assert _percentage(proposal) == 100 * 2 // 17


def test_invited_members_count_once_they_confirm():
    proposal = ProposalFactory(complete=True)
    TeamMemberFactory(proposal=proposal, confirmed=True)
    TeamMemberFactory(proposal=proposal)

    items = completeness(proposal)

    # 16 fields done and 1 of 2 members: 17 of 18, held under 100 %.
    assert completion_percentage(items) == 94
    TeamMemberFactory._meta.model.objects.filter(proposal=proposal).update(
        confirmed_at=timezone.now()
    )
    assert _percentage(proposal) == 100


def test_a_condition_not_met_holds_the_figure_under_100():
    proposal = ProposalFactory(complete=True)
    proposal.principal_investigator.institution = ""
    proposal.principal_investigator.save()

    assert _percentage(proposal) == 99


def test_a_ready_proposal_is_at_100(ready_proposal):
    assert _percentage(ready_proposal()) == 100
