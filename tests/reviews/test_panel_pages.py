"""The review panel rebuilt: one refusal hierarchy, one door for a letter's
decision, the new pages (bidding, discussion, thread, settings), the release
asking for the outstanding reviews, and list pages whose query count and size
stay those of one page of proposals."""

import importlib
import inspect
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import OpportunityStatus
from config.admin_site import refusal_messages
from config.refusals import Refused
from proposals.enums import ProposalStage, ProposalStatus
from reviews import services
from reviews.enums import AssignmentStatus, PhaseStatus
from reviews.models import DiscussionPost, Panel, ReviewAssignment
from reviews.panel.base import PER_PAGE
from tests.factories import (
    BidFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
    make_review_administrator,
)
from tests.mfa import login_with_mfa
from tests.reviews.test_admin_panel import (
    administrator_client,
    closed_call,
    panel_url,
    reviewed_proposal,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


# --- one refusal hierarchy ---------------------------------------------------------

SERVICE_MODULES = [
    "catalogue.services",
    "catalogue.workflow",
    "catalogue.seed.demo",
    "proposals.documents",
    "proposals.services.common",
    "proposals.services.drafting",
    "proposals.services.submission",
    "proposals.services.team",
    "proposals.workflow",
    "reviews.services.common",
    "reviews.services.bidding",
    "reviews.services.discussing",
    "reviews.workflow",
]


def _refusal_classes():
    """Every exception class our service and workflow modules define."""
    found = {}
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == module.__name__
            ):
                found[f"{name}.{value.__name__}"] = value
    return found


def test_every_refusal_class_is_a_refused():
    classes = _refusal_classes()

    assert {name for name, cls in classes.items() if not issubclass(cls, Refused)} == (
        set()
    )
    assert len(classes) >= 15


def test_a_refusal_keeps_its_sentences():
    from proposals.services import SubmissionRefused  # noqa: PLC0415
    from reviews.workflow import PhaseNotAllowed  # noqa: PLC0415

    many = SubmissionRefused(["No title.", "No abstract."])
    phase = PhaseNotAllowed(
        phase="bidding", current=PhaseStatus.OPEN, to=PhaseStatus.OPEN
    )

    assert many.messages == ["No title.", "No abstract."]
    assert str(many) == "No title. No abstract."
    assert phase.messages == [str(phase)]


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (Refused(["One.", "Two."]), ["One.", "Two."]),
        (PermissionDenied("Not yours."), ["Not yours."]),
        (ValidationError({"field": ["Wrong."]}), ["Wrong."]),
    ],
)
def test_a_refusal_is_shown_one_way(refusal, expected):
    assert refusal_messages(refusal) == expected


# --- one door for a letter's decision ----------------------------------------------


def _letter_with_open_assignment():
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=30))
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.proposal_deadline = timezone.now() + timedelta(days=30)
    opportunity.save()
    letter = ProposalFactory(
        opportunity=opportunity, stage=ProposalStage.LETTER_OF_INTENT, submitted=True
    )
    version = ProposalVersionFactory(proposal=letter)
    assignment = ReviewAssignmentFactory(version=version, accepted=True)
    return opportunity, letter, assignment


def _decide_on_the_panel(client, opportunity, letter):
    client.post(
        panel_url("letters", opportunity.pk),
        {f"p{letter.pk}-choice": "shortlist", f"p{letter.pk}-note": ""},
    )


def _decide_in_the_proposals_admin(client, _opportunity, letter):
    client.post(
        reverse("admin:proposals_proposal_changelist"),
        {
            "action": "shortlist_letters",
            "_selected_action": [letter.pk],
            "post": "yes",
        },
    )


@pytest.mark.parametrize(
    "decide", [_decide_on_the_panel, _decide_in_the_proposals_admin]
)
def test_both_letter_buttons_cancel_the_open_assignments(client, decide):
    opportunity, letter, assignment = _letter_with_open_assignment()
    administrator_client(client)
    # The proposals' admin opens to administrators holding
    # proposals.view_proposal too (the seeded Administrators group does).
    client.user.groups.get().permissions.add(
        Permission.objects.get(
            content_type__app_label="proposals", codename="view_proposal"
        )
    )

    decide(client, opportunity, letter)

    letter.refresh_from_db()
    assignment.refresh_from_db()
    assert (letter.stage, letter.status) == (ProposalStage.FULL, ProposalStatus.DRAFT)
    assert assignment.status == AssignmentStatus.CANCELLED


def test_letters_are_decided_with_the_one_decision_permission(client):
    """Holding proposals.change_proposal is not enough: deciding is
    reviews.manage_reviews, wherever the button is."""
    opportunity, letter, _assignment = _letter_with_open_assignment()
    editor = UserFactory(staff=True)
    group, _created = Group.objects.get_or_create(name="Proposal editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="proposals",
            codename__in=["view_proposal", "change_proposal"],
        )
    )
    editor.groups.add(group)
    login_with_mfa(client, editor)

    _decide_in_the_proposals_admin(client, opportunity, letter)

    letter.refresh_from_db()
    assert letter.stage == ProposalStage.LETTER_OF_INTENT
    with pytest.raises(PermissionDenied):
        services.decide_letter(proposal=letter, shortlist=True, actor=editor)


# --- bidding -------------------------------------------------------------------------


def test_bidding_page_opens_and_closes_bidding(client):
    opportunity = closed_call()
    administrator_client(client)
    url = panel_url("bidding", opportunity.pk)

    client.post(url, {"move": "open"})
    opened = Panel.objects.get(opportunity=opportunity).bidding
    client.post(url, {"move": "close"})

    assert (opened, Panel.objects.get(opportunity=opportunity).bidding) == (
        PhaseStatus.OPEN,
        PhaseStatus.CLOSED,
    )


def test_bidding_page_counts_the_bids_per_proposal(client):
    opportunity = closed_call()
    proposal = submitted_proposal(opportunity)
    for preference in ("eager", "eager", "willing", "conflict"):
        BidFactory(proposal=proposal, preference=preference)
    administrator_client(client)

    response = client.get(panel_url("bidding", opportunity.pk))

    row = response.context["rows"][0]
    assert (row.eager, row.willing, row.not_willing, row.conflict) == (2, 1, 0, 1)


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_bidding_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        BidFactory(proposal=submitted_proposal(opportunity))
    administrator_client(client)

    with django_assert_num_queries(BIDDING_QUERIES):
        response = client.get(panel_url("bidding", opportunity.pk))

    assert len(response.context["rows"]) == item_count


BIDDING_QUERIES = 9


# --- discussion, thread, settings ------------------------------------------------


def test_discussion_page_opens_the_discussion_and_lists_the_threads(client):
    opportunity = closed_call()
    proposal = reviewed_proposal(opportunity, [4, 3])
    administrator_client(client)
    url = panel_url("discussion", opportunity.pk)

    client.post(url, {"move": "open"})
    response = client.get(url)

    assert Panel.objects.get(opportunity=opportunity).discussion == PhaseStatus.OPEN
    assert [row["proposal"] for row in response.context["rows"]] == [proposal]


def test_thread_page_posts_designates_and_writes_the_consensus(client):
    opportunity = closed_call()
    proposal = reviewed_proposal(opportunity, [4, 3])
    reviewer = ReviewAssignment.objects.filter(proposal=proposal).first().reviewer
    administrator_client(client)
    services.open_discussion(opportunity=opportunity, actor=client.user)
    url = panel_url("thread", opportunity.pk, proposal.pk)

    client.post(url, {"post": "1", "body": "Please discuss the thermal design."})
    client.post(url, {"primary": "1", "reviewer": reviewer.pk})
    client.post(url, {"consensus": "1", "consensus-body": "A strong proposal."})
    response = client.get(url)

    assert list(DiscussionPost.objects.values_list("body", flat=True)) == [
        "Please discuss the thermal design."
    ]
    report = proposal.consensus_report
    report.refresh_from_db()
    assert (report.primary_reviewer, report.body) == (reviewer, "A strong proposal.")
    assert [post.body for post in response.context["thread"].posts] == [
        "Please discuss the thermal design."
    ]


def test_settings_page_saves_the_threshold_and_the_triage_line(client):
    opportunity = closed_call()
    administrator_client(client)

    client.post(
        panel_url("settings", opportunity.pk),
        {"disagreement_threshold": "1.25", "triage_percent": "20"},
    )

    panel = Panel.objects.get(opportunity=opportunity)
    assert (panel.disagreement_threshold, panel.triage_percent) == (
        Decimal("1.25"),
        20,
    )


def test_settings_page_shows_a_refusal(client):
    opportunity = closed_call()
    administrator_client(client)

    response = client.post(
        panel_url("settings", opportunity.pk),
        {"disagreement_threshold": "5", "triage_percent": ""},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The disagreement threshold lies between 0 and 4."
    ]


# --- ranking -------------------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_ranking_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = closed_call()
    for _ in range(item_count):
        reviewed_proposal(opportunity, [4, 3])
    administrator_client(client)
    client.get(panel_url("ranking", opportunity.pk))  # computes the figures

    with django_assert_num_queries(RANKING_QUERIES):
        response = client.get(panel_url("ranking", opportunity.pk))

    assert len(response.context["lines"]) == item_count


RANKING_QUERIES = 9  # the summary, order, review scores, panel kept in the cache


def test_ranking_page_shows_one_page_of_proposals(client):
    opportunity = closed_call()
    for _ in range(PER_PAGE + 1):
        submitted_proposal(opportunity)
    administrator_client(client)

    first = client.get(panel_url("ranking", opportunity.pk))
    second = client.get(panel_url("ranking", opportunity.pk), {"page": 2})

    assert (len(first.context["lines"]), len(second.context["lines"])) == (
        PER_PAGE,
        1,
    )


def test_ranking_page_sorts_by_either_score_and_flags_incomplete_reviews(client):
    opportunity = closed_call()
    strong = reviewed_proposal(opportunity, [5, 4])
    weak = reviewed_proposal(opportunity, [2, 2])
    ReviewAssignmentFactory(version=weak.versions.get())
    administrator_client(client)
    url = panel_url("ranking", opportunity.pk)

    by_mean = client.get(url, {"sort": "mean"})
    by_normalised = client.get(url, {"sort": "normalised"})
    incomplete = client.get(url, {"show": "incomplete"})

    assert [line["row"] for line in by_mean.context["lines"]] == [strong, weak]
    assert [line["row"] for line in by_normalised.context["lines"]] == [strong, weak]
    assert [line["row"] for line in incomplete.context["lines"]] == [weak]


def test_ranking_page_flags_from_the_panel_threshold_and_marks_the_triage_line(
    client,
):
    opportunity = closed_call()
    first, second = ReviewerFactory(), ReviewerFactory()
    strong, weak = submitted_proposal(opportunity), submitted_proposal(opportunity)
    for proposal, scores in ((strong, (5, 4)), (weak, (2, 2))):
        for reviewer, score in zip((first, second), scores, strict=True):
            ReviewFactory(
                assignment__version=proposal.versions.get(),
                assignment__reviewer=reviewer,
                submitted=True,
                scores=score,
            )
    administrator_client(client)
    services.update_panel_settings(
        opportunity=opportunity,
        actor=client.user,
        disagreement_threshold=Decimal("0.50"),
        triage_percent=50,
    )

    response = client.get(panel_url("ranking", opportunity.pk))

    flags = {
        line["row"]: (line["row"].disagreement, line["row"].triaged)
        for line in response.context["lines"]
    }
    assert flags == {strong: (True, False), weak: (False, True)}
    assert 'class="show-triaged"' in response.content.decode()


# --- release -------------------------------------------------------------------------


def _decided_call(item_count, *, outstanding=0):
    opportunity = closed_call()
    administrator = make_review_administrator()
    proposals = [reviewed_proposal(opportunity, [4, 3]) for _ in range(item_count)]
    for proposal in proposals:
        services.record_decision(
            proposal=proposal, outcome="selected", actor=administrator
        )
    for proposal in proposals[:outstanding]:
        ReviewAssignmentFactory(version=proposal.versions.get())
    return opportunity


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_release_page_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    opportunity = _decided_call(item_count)
    administrator_client(client)

    with django_assert_num_queries(RELEASE_QUERIES):
        response = client.get(panel_url("release", opportunity.pk))

    assert len(response.context["decisions"]) == item_count


RELEASE_QUERIES = 12


def test_release_names_the_outstanding_reviews_and_asks_for_their_number(client):
    opportunity = _decided_call(2, outstanding=1)
    administrator_client(client)
    url = panel_url("release", opportunity.pk)

    shown = client.get(url)
    refused = client.post(url, {"outstanding": "0"}, follow=True)
    opportunity.refresh_from_db()
    status_after_refusal = opportunity.status
    released = client.post(url, {"outstanding": "1"})

    assert shown.context["outstanding"].outstanding == 1
    assert "1 of 5 assigned reviews is outstanding" in shown.content.decode()
    assert status_after_refusal == OpportunityStatus.CLOSED
    assert "outstanding" in " ".join(str(m) for m in refused.context["messages"])
    assert released.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DECIDED
