"""Assigning reviewers from the panel: by hand (conflicts refused with their
reason), in bulk, and automatically with the plan shown before it is saved."""

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.conflicts import conflict_reasons
from reviews.enums import AssignmentStatus
from reviews.models import AssignmentEvent, AssignmentPlanRun, ReviewAssignment
from tests.factories import (
    BidFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.mfa import login_with_mfa
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
    # The loads table: the reviewer's row shows their one active assignment.
    reviewer = assignment.reviewer
    assert re.search(
        rf'<tr><th scope="row">{re.escape(reviewer.get_full_name())}</th>'
        r'<td>[^<]*</td><td>[^<]*</td><td class="number">1</td></tr>',
        str(response.context["reviewer_rows"]),
    )


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

    # session, user, two-factor check, the user's and group's permissions, call,
    # page count, page of proposals, their assignments, the reviewers and their
    # loads (once each, for the select and the table)
    with django_assert_num_queries(11):
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


def _compute(client, opportunity, capture):
    """Press "Compute the plan"; the task runs once the request commits."""
    with capture(execute=True) as callbacks:
        response = client.post(panel_url("auto", opportunity.pk), {"compute": "1"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    return AssignmentPlanRun.objects.filter(opportunity=opportunity).latest("pk")


def _save(client, opportunity, plan, *, follow=False, **data):
    return client.post(
        panel_url("auto", opportunity.pk),
        {
            "plan": plan.pk,
            "fingerprint": plan.fingerprint,
            "due": _due_day().isoformat(),
            **data,
        },
        follow=follow,
    )


def _notes(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_automatic_plan_page_offers_to_compute_the_plan_first(client, call_to_plan):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)

    response = client.get(panel_url("auto", opportunity.pk))

    page = response.content.decode()
    assert response.context["plan"] is None
    assert 'name="compute" value="Compute the plan"' in page
    assert "Save this plan" not in page
    assert not AssignmentPlanRun.objects.exists()


def test_automatic_plan_is_computed_stored_and_shown_before_anything_is_saved(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, proposals, _reviewers = call_to_plan
    administrator_client(client)

    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)
    response = client.get(panel_url("auto", opportunity.pk))

    assert (plan.status, plan.requested_by, plan.planned_count) == (
        "ready",
        client.user,
        6,
    )
    assert response.context["plan"] == plan
    assert not response.context["outdated"]
    rows = response.context["rows"]
    assert [row["proposal"] for row in rows] == proposals
    assert [len(row["planned"]) for row in rows] == [2, 2, 2]
    assert sorted(load["after"] for load in response.context["loads"]) == [1, 1, 2, 2]
    assert not ReviewAssignment.objects.exists()
    page = response.content.decode()
    assert "Save this plan" in page
    assert "Recompute the plan" in page
    assert "Computed 0\xa0minutes ago" in page


def test_automatic_plan_saved_gives_each_proposal_its_reviewers_without_conflict(
    client, mailoutbox, django_capture_on_commit_callbacks, call_to_plan
):
    opportunity, proposals, reviewers = call_to_plan
    administrator_client(client)
    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = _save(client, opportunity, plan)

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
    plan.refresh_from_db()
    assert (plan.status, plan.applied_by) == ("applied", client.user)
    saved = {
        (a.proposal_id, a.reviewer_id, a.fit) for a in ReviewAssignment.objects.all()
    }
    assert saved == {(p.proposal_id, p.reviewer_id, p.fit) for p in plan.pairs.all()}


def test_automatic_plan_is_not_saved_twice(
    client, django_capture_on_commit_callbacks, call_to_plan
):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)
    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)
    _save(client, opportunity, plan)

    response = _save(client, opportunity, plan)

    assert response.status_code == 200
    assert _notes(response) == [
        "6 assignments saved; the reviewers are emailed.",
        "This plan is saved already.",
    ]
    assert ReviewAssignment.objects.count() == 6


def test_automatic_plan_out_of_date_is_shown_with_a_warning_and_not_saved(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, proposals, reviewers = call_to_plan
    administrator_client(client)
    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)
    ReviewAssignmentFactory(version=proposals[1].versions.get(), reviewer=reviewers[1])

    shown = client.get(panel_url("auto", opportunity.pk))
    response = _save(client, opportunity, plan)

    assert shown.context["outdated"]
    page = shown.content.decode()
    assert "This plan is out of date" in page
    assert "Save this plan" not in page
    assert 'value="Recompute the plan" class="default"' in page
    assert response.status_code == 200
    assert ReviewAssignment.objects.count() == 1
    assert _notes(response) == [
        "This plan is out of date: an assignment, a bid, a reviewer or a proposal "
        "changed since it was computed. Compute it again, check it and save it."
    ]
    plan.refresh_from_db()
    assert plan.status == "ready"


def test_automatic_plan_recomputed_after_a_change_can_be_saved(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, proposals, reviewers = call_to_plan
    administrator_client(client)
    old = _compute(client, opportunity, django_capture_on_commit_callbacks)
    ReviewAssignmentFactory(version=proposals[1].versions.get(), reviewer=reviewers[1])

    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)
    response = _save(client, opportunity, plan)

    assert response.status_code == 302
    assert plan.planned_count == 5
    assert ReviewAssignment.objects.count() == 6
    # The plan replaced is deleted once the new one is ready.
    assert not AssignmentPlanRun.objects.filter(pk=old.pk).exists()


def test_automatic_plan_refuses_a_forged_or_foreign_plan(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, _proposals, _reviewers = call_to_plan
    other = closed_call()
    administrator_client(client)
    foreign = _compute(client, other, django_capture_on_commit_callbacks)
    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)

    forged = client.post(
        panel_url("auto", opportunity.pk),
        {"plan": "forged", "fingerprint": "x", "due": _due_day().isoformat()},
    )
    altered = _save(client, opportunity, plan, fingerprint="0" * 64)
    elsewhere = _save(client, opportunity, foreign, follow=True)

    assert forged.status_code == 200
    assert forged.context["form"].errors == {"plan": ["Enter a whole number."]}
    assert _notes(altered)[-1].startswith("This plan is out of date")
    assert _notes(elsewhere)[-1] == "This plan no longer exists: compute it again."
    assert not ReviewAssignment.objects.exists()


def test_automatic_plan_lists_unfillable_slots_with_reasons(
    client, django_capture_on_commit_callbacks
):
    opportunity = closed_call(reviewers_per_proposal=2)
    proposal = submitted_proposal(
        opportunity, principal_investigator=UserFactory(institution="Lunar Institute")
    )
    ReviewerFactory(institution="Lunar Institute")
    only = ReviewerFactory()
    administrator_client(client)
    plan = _compute(client, opportunity, django_capture_on_commit_callbacks)

    response = client.get(panel_url("auto", opportunity.pk))

    assert [(p.proposal, p.reviewer) for p in plan.pairs.all()] == [(proposal, only)]
    [row] = response.context["rows"]
    assert row["unfilled"].missing == 1
    page = response.content.decode()
    assert "1 reviewer is still needed" in page
    assert "shares the institution" in page


def test_automatic_plan_shows_the_bids_of_the_reviewers_planned(
    client, django_capture_on_commit_callbacks
):
    opportunity = closed_call(reviewers_per_proposal=1)
    proposal = submitted_proposal(opportunity, keywords="radon")
    expert = ReviewerFactory(expertise="radon")
    eager = ReviewerFactory(expertise="seismology")
    BidFactory(proposal=proposal, reviewer=eager, preference="eager")
    administrator_client(client)
    _compute(client, opportunity, django_capture_on_commit_callbacks)

    response = client.get(panel_url("auto", opportunity.pk))

    [row] = response.context["rows"]
    assert [(pair["name"], bid) for pair, bid in row["planned"]] == [
        (eager.get_full_name(), "Eager")
    ]
    assert expert.get_full_name() in response.content.decode()  # in the loads
    assert "bid: Eager" in response.content.decode()


def test_automatic_plan_is_computed_once_at_a_time(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)
    url = panel_url("auto", opportunity.pk)

    with django_capture_on_commit_callbacks(execute=False) as first:
        client.post(url, {"compute": "1"})
    with django_capture_on_commit_callbacks(execute=False) as second:
        response = client.post(url, {"compute": "1"}, follow=True)

    assert (len(first), len(second)) == (1, 0)
    [plan] = AssignmentPlanRun.objects.all()
    assert plan.status == "computing"
    assert _notes(response)[0].startswith("The plan is already being computed")
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "The plan is being computed" in page
    assert "Recompute the plan" not in page


def test_automatic_plan_given_up_after_a_long_computation_is_started_again(
    client, call_to_plan, django_capture_on_commit_callbacks
):
    opportunity, _proposals, _reviewers = call_to_plan
    administrator_client(client)
    stuck = AssignmentPlanRun.objects.create(
        opportunity=opportunity,
        requested_at=timezone.now() - timedelta(hours=1),
        status="computing",
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(panel_url("auto", opportunity.pk), {"compute": "1"})

    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == (
        "failed",
        "The computation did not finish; it was started again.",
    )
    assert len(callbacks) == 1
    assert AssignmentPlanRun.objects.filter(status="computing").count() == 1


def test_automatic_plan_that_failed_shows_its_message(client, call_to_plan):
    opportunity, _proposals, _reviewers = call_to_plan
    AssignmentPlanRun.objects.create(
        opportunity=opportunity,
        requested_at=timezone.now(),
        status="failed",
        error="The solver ran out of memory.",
    )
    administrator_client(client)

    response = client.get(panel_url("auto", opportunity.pk))

    page = response.content.decode()
    assert "The plan could not be computed: The solver ran out of memory." in page
    assert 'value="Recompute the plan" class="default"' in page
    assert "Save this plan" not in page


def test_automatic_plan_refuses_a_reviewer_computation(client, call_to_plan):
    opportunity, _proposals, reviewers = call_to_plan
    login_with_mfa(client, reviewers[1])

    response = client.post(panel_url("auto", opportunity.pk), {"compute": "1"})

    assert response.status_code in {302, 403}
    assert not AssignmentPlanRun.objects.exists()


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_automatic_plan_page_query_count_is_constant(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        submitted_proposal(opportunity)
        ReviewerFactory(expertise="radon")
    administrator_client(client)
    _compute(client, opportunity, django_capture_on_commit_callbacks)
    url = panel_url("auto", opportunity.pk)

    # session, user, two-factor check, the user's and group's permissions, call,
    # plan, fingerprint, page count, page of proposals, its pairs, its
    # shortfalls, the loads
    with django_assert_num_queries(13):
        response = client.get(url)

    assert len(response.context["rows"]) == item_count
    planned = sum(len(row["planned"]) for row in response.context["rows"])
    assert planned == item_count * min(item_count, 2)  # two each, when two exist
