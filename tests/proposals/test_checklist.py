from decimal import Decimal

import pytest

from catalogue.enums import ResourcePolicy
from proposals.checklist import completeness, completion_percentage, team_entities
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _state(items) -> list[tuple[str, str, bool]]:
    return [(item.section, item.label, item.done) for item in items]


def test_completeness_of_a_new_full_draft():
    proposal = ProposalFactory(principal_investigator=UserFactory(country="FR"))
    RequiredDocumentFactory(opportunity=proposal.opportunity, name_en="Full proposal")

    items = completeness(proposal)

    assert _state(items) == [
        ("summary", "Summary", False),
        ("objectives", "Science and technology objectives", False),
        ("payload", "Payload description and maturity", False),
        ("resources", "Resources requested", False),
        ("resources", "Within the carrier's envelope", True),
        ("team", "Your institution and country", True),
        ("team", "Every team member has confirmed", True),
        ("funding", "Funding", False),
        ("documents", "Full proposal", False),
    ]
    # The title: one of the 17 fields and documents the researcher provides.
    assert completion_percentage(items) == 5


def test_completeness_of_a_letter_asks_for_less(letter_call):
    proposal = ProposalFactory(opportunity=letter_call, stage="loi", complete=True)
    proposal.objectives = proposal.relevance = proposal.funding_statement = ""
    proposal.trl = None
    RequiredDocumentFactory(opportunity=letter_call, stage="full")

    items = completeness(proposal)

    assert [item.section for item in items] == [
        "summary",
        "payload",
        "resources",
        "resources",
        "team",
        "team",
    ]
    assert completion_percentage(items) == 100


def test_completeness_of_a_ready_proposal_is_100(ready_proposal):
    assert completion_percentage(completeness(ready_proposal())) == 100


def test_completeness_skips_optional_documents():
    proposal = ProposalFactory(complete=True)
    RequiredDocumentFactory(opportunity=proposal.opportunity, is_mandatory=False)

    assert [item.section for item in completeness(proposal)].count("documents") == 0


def test_completeness_over_the_envelope_under_warn_policy_is_done():
    proposal = ProposalFactory(
        complete=True,
        opportunity=OpportunityFactory(resource_policy=ResourcePolicy.WARN),
        mass_kg=Decimal("50"),
    )

    envelope = next(i for i in completeness(proposal) if i.label.startswith("Within"))

    assert (envelope.done, envelope.message) == (True, "")


def test_team_entities_count_the_pi_and_each_institution_once():
    pi = UserFactory(institution="Università di Padova")
    proposal = ProposalFactory(principal_investigator=pi)
    TeamMemberFactory(proposal=proposal, institution="università  di padova")
    TeamMemberFactory(proposal=proposal, institution="ESA ESTEC")

    assert team_entities(proposal) == {"università di padova", "esa estec"}
