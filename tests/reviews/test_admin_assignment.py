"""Assigning reviewers from the panel: by hand (conflicts refused with their
reason), in bulk, and automatically with the plan shown before it is saved."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.conflicts import conflict_reasons
from reviews.enums import AssignmentStatus
from reviews.models import AssignmentEvent, ReviewAssignment
from reviews.panel_forms import sign_plan
from tests.factories import ReviewAssignmentFactory, ReviewerFactory, UserFactory
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def _due_day() -> date:
    return (timezone.now().astimezone(BEIJING) + timedelta(days=20)).date()


def _active(proposal) -> list:
    return sorted(
        ReviewAssignment.objects.filter(
            proposal=proposal, status__in=["invited", "accepted"]
        ).values_list("reviewer__email", flat=True)
    )


# --- by hand -----------------------------------------------------------------------


def test_assign_by_hand_invites_the_reviewer_due_at_end_of_day_beijing(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    reviewer = ReviewerFactory()
    administrator_client(client)
    day = _due_day()

    response = client.post(
        panel_url("assign", opportunity.pk),
        {"proposals": [proposal.pk], "reviewer": reviewer.pk, "due": day.isoformat()},
    )

    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(proposal=proposal)
    assert (assignment.reviewer, assignment.status, assignment.assigned_by) == (
        reviewer,
        AssignmentStatus.INVITED,
        client.user,
    )
    assert assignment.due_at == datetime.combine(day, time(23, 59), tzinfo=BEIJING)


def test_assign_by_hand_refuses_a_conflict_and_shows_the_reason(client):
    opportunity = closed_call()
    pi = UserFactory(full_name="Amina Haddad", institution="University of Bern")
    proposal = submitted_proposal(opportunity, principal_investigator=pi)
    reviewer = ReviewerFactory(institution="University of Bern")
    administrator_client(client)

    response = client.post(
        panel_url("assign", opportunity.pk),
        {
            "proposals": [proposal.pk],
            "reviewer": reviewer.pk,
            "due": _due_day().isoformat(),
        },
    )

    assert response.status_code == 200
    assert not ReviewAssignment.objects.filter(proposal=proposal).exists()
    errors = [str(error) for error in response.context["form"].non_field_errors()]
    assert errors == [
        f"Not assigned: {proposal.reference}, {reviewer.get_full_name()}: "
        "The reviewer shares the institution “University of Bern” with Amina Haddad."
    ]
    assert "shares the institution" in response.content.decode()


def test_assign_refuses_a_due_date_in_the_past(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    administrator_client(client)

    response = client.post(
        panel_url("assign", opportunity.pk),
        {
            "proposals": [proposal.pk],
            "reviewer": ReviewerFactory().pk,
            "due": "2020-01-01",
        },
    )

    assert response.context["form"].errors == {
        "due": ["The due date must be in the future."]
    }
    assert not ReviewAssignment.objects.exists()


def test_assign_in_bulk_assigns_each_ticked_proposal_and_reports_refusals(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    opportunity = closed_call()
    reviewer = ReviewerFactory(institution="Observatory of Paris")
    fine = [submitted_proposal(opportunity) for _ in range(3)]
    conflicting = submitted_proposal(
        opportunity,
        principal_investigator=UserFactory(institution="Observatory of Paris"),
    )
    administrator_client(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            panel_url("assign", opportunity.pk),
            {
                "proposals": [p.pk for p in [*fine, conflicting]],
                "reviewer": reviewer.pk,
                "due": _due_day().isoformat(),
            },
            follow=True,
        )

    assert [_active(p) for p in fine] == [[reviewer.email]] * 3
    assert _active(conflicting) == []
    notes = [str(message) for message in response.context["messages"]]
    assert notes[0] == f"{reviewer.get_full_name()} is assigned 3 proposals."
    assert notes[1].startswith(f"Not assigned: {conflicting.reference}")
    assert [message.to for message in mailoutbox] == [[reviewer.email]] * 3


def test_assign_page_lists_proposals_with_their_reviewers_and_loads(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    assignment = ReviewAssignmentFactory(version=proposal.versions.get())
    administrator_client(client)

    response = client.get(panel_url("assign", opportunity.pk))

    row = next(r for r in response.context["rows"] if r["proposal"] == proposal)
    assert (row["active"], row["missing"]) == (1, 1)
    loads = {r["reviewer"]: r["load"] for r in response.context["reviewer_rows"]}
    assert loads[assignment.reviewer] == 1


def test_assign_page_cancels_an_assignment(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    assignment = ReviewAssignmentFactory(version=proposal.versions.get())
    administrator_client(client)

    response = client.post(
        panel_url("assign", opportunity.pk), {"cancel": assignment.pk}
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED
    assert AssignmentEvent.objects.filter(
        assignment=assignment, to_status=AssignmentStatus.CANCELLED, actor=client.user
    ).exists()


def test_cancel_action_on_the_assignments_changelist(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    assignment = ReviewAssignmentFactory(version=proposal.versions.get())
    administrator_client(client)

    client.post(
        reverse("admin:reviews_reviewassignment_changelist"),
        {
            "action": "cancel_assignments",
            "_selected_action": [assignment.pk],
            "apply": "yes",
            "reason": "The reviewer is on leave.",
        },
    )

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED
    assert (
        AssignmentEvent.objects.get(
            assignment=assignment, to_status=AssignmentStatus.CANCELLED
        ).note
        == "The reviewer is on leave."
    )


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_assign_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        proposal = submitted_proposal(opportunity)
        ReviewAssignmentFactory(version=proposal.versions.get())
    administrator_client(client)
    url = panel_url("assign", opportunity.pk)

    with django_assert_num_queries(12):
        response = client.get(url)

    assert len(response.context["rows"]) == item_count


# --- automatically -----------------------------------------------------------------


@pytest.fixture
def call_to_plan():
    """Three proposals needing two reviewers each, four reviewers, one of whom
    shares an institution with the first proposal's investigator."""
    opportunity = closed_call(reviewers_per_proposal=2)
    proposals = [
        submitted_proposal(
            opportunity,
            principal_investigator=UserFactory(institution="Lunar Institute"),
            keywords="radon, regolith",
        ),
        submitted_proposal(opportunity, keywords="seismology"),
        submitted_proposal(opportunity, keywords="dust, plasma"),
    ]
    reviewers = [
        ReviewerFactory(institution="Lunar Institute", expertise="radon"),
        ReviewerFactory(expertise="seismology"),
        ReviewerFactory(expertise="dust, plasma"),
        ReviewerFactory(expertise="regolith, radon"),
    ]
    return opportunity, proposals, reviewers


def test_automatic_plan_is_shown_before_anything_is_saved(client, call_to_plan):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)

    response = client.get(panel_url("auto", opportunity.pk))

    plan = response.context["plan"]
    assert len(plan.assignments) == 6
    assert not ReviewAssignment.objects.exists()
    page = response.content.decode()
    assert "Save this plan" in page
    assert sorted(load.after for load in plan.loads) == [1, 1, 2, 2]


def test_automatic_plan_saved_gives_each_proposal_its_reviewers_without_conflict(
    client, mailoutbox, django_capture_on_commit_callbacks, call_to_plan
):
    opportunity, proposals, reviewers = call_to_plan
    administrator_client(client)
    shown = client.get(panel_url("auto", opportunity.pk))
    signed = shown.context["form"]["plan"].value()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            panel_url("auto", opportunity.pk),
            {"plan": signed, "due": _due_day().isoformat()},
        )

    assert response.status_code == 302
    for proposal in proposals:
        assignments = ReviewAssignment.objects.filter(proposal=proposal).select_related(
            "reviewer"
        )
        assert len(assignments) == opportunity.reviewers_per_proposal
        proposal.refresh_from_db()
        assert all(
            conflict_reasons(reviewer=a.reviewer, proposal=proposal) == []
            for a in assignments
        )
    assert reviewers[0].email not in _active(proposals[0])
    loads = Counter(ReviewAssignment.objects.values_list("reviewer_id", flat=True))
    assert max(loads.values()) - min(loads.values()) <= 1
    assert len(mailoutbox) == 6


def test_automatic_plan_is_not_saved_when_it_changed_since_shown(client, call_to_plan):
    opportunity, proposals, reviewers = call_to_plan
    administrator_client(client)
    shown = client.get(panel_url("auto", opportunity.pk))
    signed = shown.context["form"]["plan"].value()
    ReviewAssignmentFactory(version=proposals[1].versions.get(), reviewer=reviewers[1])

    response = client.post(
        panel_url("auto", opportunity.pk),
        {"plan": signed, "due": _due_day().isoformat()},
    )

    assert response.status_code == 200
    assert ReviewAssignment.objects.count() == 1
    notes = [str(message) for message in response.context["messages"]]
    assert notes[0].startswith("The plan has changed since it was shown")
    assert response.context["form"]["plan"].value() == sign_plan(
        response.context["plan"]
    )


def test_automatic_plan_refuses_a_forged_plan(client, call_to_plan):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)

    response = client.post(
        panel_url("auto", opportunity.pk),
        {"plan": "forged:plan", "due": _due_day().isoformat()},
    )

    assert response.status_code == 200
    assert not ReviewAssignment.objects.exists()


def test_automatic_plan_lists_unfillable_slots_with_reasons(client):
    opportunity = closed_call(reviewers_per_proposal=2)
    proposal = submitted_proposal(
        opportunity, principal_investigator=UserFactory(institution="Lunar Institute")
    )
    ReviewerFactory(institution="Lunar Institute")
    only = ReviewerFactory()
    administrator_client(client)

    response = client.get(panel_url("auto", opportunity.pk))

    plan = response.context["plan"]
    assert [(a.proposal, a.reviewer) for a in plan.assignments] == [(proposal, only)]
    assert [slot.missing for slot in plan.unfilled] == [1]
    page = response.content.decode()
    assert "1 reviewer is still needed" in page
    assert "shares the institution" in page


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_automatic_plan_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        submitted_proposal(opportunity)
        ReviewerFactory(expertise="radon")
    administrator_client(client)
    url = panel_url("auto", opportunity.pk)

    with django_assert_num_queries(14):
        response = client.get(url)

    assert len(response.context["rows"]) == item_count
