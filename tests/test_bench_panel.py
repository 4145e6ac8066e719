"""The panel bench's data builder, at a tiny scale (no server)."""

from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator

from accounts.models import User
from bench import panel_data
from bench.panel import panel_pages, resolve
from catalogue.models import EvaluationCriterion, Opportunity
from proposals.models import Proposal, ProposalVersion
from reviews.models import Panel, ReviewAssignment
from reviews.permissions import is_review_administrator, is_reviewer

pytestmark = pytest.mark.django_db


def test_build_panel_call_creates_the_call_it_describes():
    call = panel_data.build_panel_call(proposals=5, reviewers=6, threads=2)

    counts = panel_data.counts(call.opportunity_id)
    assert {
        key: counts[key]
        for key in (
            "proposals",
            "team_members",
            "versions",
            "criteria",
            "assignments",
            "consensus_reports",
            "decisions",
            "panels",
        )
    } == {
        "proposals": 5,
        "team_members": 10,
        "versions": 5,
        "criteria": 3,
        "assignments": 15,
        "consensus_reports": 2,
        "decisions": 1,
        "panels": 1,
    }
    assert counts["reviews_submitted"] + counts["reviews_draft"] <= 15
    assert counts["scores"] >= 3 * counts["reviews_submitted"]
    assert counts["bids"] >= counts["assignments"]
    assert counts["discussion_posts"] >= 2 * counts["consensus_reports"]


def test_build_panel_call_gives_a_closed_call_with_criteria_summing_to_100():
    call = panel_data.build_panel_call(proposals=3, reviewers=4, threads=1)

    opportunity = Opportunity.objects.get(pk=call.opportunity_id)
    weights = EvaluationCriterion.objects.filter(opportunity=opportunity)
    panel = Panel.objects.get(opportunity=opportunity)
    assert (opportunity.status, panel.bidding, panel.discussion) == (
        "closed",
        "open",
        "open",
    )
    assert sum(c.weight for c in weights) == Decimal(100)
    assert all(
        v.snapshot["reference"] == v.reference
        for v in ProposalVersion.objects.filter(proposal__opportunity=opportunity)
    )


def test_build_panel_call_signs_people_in_with_two_factors_and_no_staff_reviewers():
    call = panel_data.build_panel_call(proposals=3, reviewers=4, threads=1)

    administrator = User.objects.get(pk=call.administrator_id)
    reviewer = User.objects.get(pk=call.reviewer_id)
    assert is_review_administrator(administrator)
    assert is_reviewer(reviewer)
    assert reviewer.is_staff is False
    assert Authenticator.objects.filter(type="totp").count() == 5
    assert ReviewAssignment.objects.get(pk=call.assignment_id).proposal_id == (
        call.proposal_id
    )


def test_find_panel_call_finds_the_call_built_before():
    built = panel_data.build_panel_call(proposals=3, reviewers=4, threads=1)

    assert panel_data.find_panel_call(proposals=3) == built
    assert panel_data.find_panel_call(proposals=4) is None


def test_build_call_twice_on_one_mission_numbers_references_on():
    administrator = panel_data.ensure_administrator()
    reviewers = panel_data.ensure_reviewers(4)

    for slug in ("first", "second"):
        panel_data.build_call(
            slug=slug,
            proposals=2,
            reviewer_ids=reviewers,
            administrator_id=administrator,
            threads=1,
        )

    references = Proposal.objects.filter(opportunity__mission__code="BP").values_list(
        "reference", flat=True
    )
    assert sorted(reference.rsplit("-", 1)[1] for reference in references) == [
        "0001",
        "0002",
        "0003",
        "0004",
    ]


def test_every_page_the_bench_times_resolves():
    call = panel_data.build_panel_call(proposals=3, reviewers=4, threads=1)

    assert [page.label for page in panel_pages(call) if resolve(page) is None] == []
