"""The administrators' review panel: who may open it, its index and the entry
points. The builders here are shared by the other test_admin_* files of the
panel (assignment, ranking, manifest, decisions)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.enums import ProposalStatus
from tests.factories import (
    CarrierFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
    make_review_administrator,
)
from tests.mfa import enable_totp, login_with_mfa

pytestmark = pytest.mark.django_db


# --- builders shared by the panel's tests ------------------------------------------


def administrator_client(client, **kwargs):
    """A client signed in, past the second factor, as a review administrator
    (the Administrators group, not a superuser)."""
    user = make_review_administrator(**kwargs)
    enable_totp(user)
    login_with_mfa(client, user)
    client.user = user
    return client


def reviewer_client(client):
    reviewer = ReviewerFactory()
    enable_totp(reviewer)
    login_with_mfa(client, reviewer)
    client.user = reviewer
    return client


def closed_call(**kwargs):
    """A closed call with three weighted criteria (40, 30, 30) and one carrier."""
    opportunity = OpportunityFactory(closed=True, **kwargs)
    for order, (name, weight) in enumerate(
        [("Science", "40"), ("Feasibility", "30"), ("Collaboration", "30")]
    ):
        EvaluationCriterionFactory(
            opportunity=opportunity, name_en=name, weight=Decimal(weight), order=order
        )
    CarrierFactory(opportunity=opportunity, name_en="Lander")
    return opportunity


def criteria_of(opportunity):
    return list(opportunity.criteria.order_by("order"))


def submitted_proposal(opportunity, **proposal):
    """A proposal under review in `opportunity` with its frozen version, on
    the call's first carrier."""
    proposal.setdefault("carrier", opportunity.carriers.first())
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity,
        proposal__status=ProposalStatus.UNDER_REVIEW,
        **{f"proposal__{key}": value for key, value in proposal.items()},
    )
    return version.proposal


def reviewed_proposal(opportunity, reviews, **proposal):
    """A proposal with one submitted review per item of `reviews`: a score for
    every criterion (an int), or a tuple of scores in the criteria's order."""
    made = submitted_proposal(opportunity, **proposal)
    version = made.versions.get()
    criteria = criteria_of(opportunity)
    for given in reviews:
        scores = given if isinstance(given, tuple) else (given,) * len(criteria)
        ReviewFactory(
            assignment__version=version,
            submitted=True,
            scores=dict(zip(criteria, scores, strict=True)),
        )
    return made


def panel_url(name, *args):
    return reverse(f"admin:reviews_panel_{name}", args=args)


# --- who may open the panel ------------------------------------------------------


def _panel_urls(opportunity, proposal):
    return [
        panel_url("index"),
        panel_url("bidding", opportunity.pk),
        panel_url("assign", opportunity.pk),
        panel_url("auto", opportunity.pk),
        panel_url("ranking", opportunity.pk),
        panel_url("export", opportunity.pk, "csv"),
        panel_url("export", opportunity.pk, "xlsx"),
        panel_url("proposal", opportunity.pk, proposal.pk),
        panel_url("manifest", opportunity.pk),
        panel_url("letters", opportunity.pk),
        panel_url("decisions", opportunity.pk),
        panel_url("letter", opportunity.pk, proposal.pk),
        panel_url("templates", opportunity.pk),
        panel_url("release", opportunity.pk),
        panel_url("discussion", opportunity.pk),
        panel_url("thread", opportunity.pk, proposal.pk),
        panel_url("settings", opportunity.pk),
    ]


@pytest.fixture
def call_with_proposal():
    opportunity = closed_call(loi_deadline=timezone.now() - timedelta(days=60))
    proposal = reviewed_proposal(opportunity, [4, 3])
    return opportunity, proposal


def test_panel_pages_open_for_a_review_administrator(client, call_with_proposal):
    opportunity, proposal = call_with_proposal
    administrator_client(client)

    statuses = {
        url: client.get(url).status_code for url in _panel_urls(opportunity, proposal)
    }

    assert set(statuses.values()) == {200}, statuses


def test_panel_pages_send_reviewers_to_the_login(client, call_with_proposal):
    """Reviewers are not staff: they have their own site and never reach
    /admin/, whether they read or post."""
    opportunity, proposal = call_with_proposal
    reviewer_client(client)

    responses = [
        *(client.get(url) for url in _panel_urls(opportunity, proposal)),
        *(client.post(url, {}) for url in _panel_urls(opportunity, proposal)),
    ]

    assert {response.status_code for response in responses} == {302}
    assert all(
        response["Location"].startswith(reverse("admin:login"))
        for response in responses
    )


@pytest.mark.parametrize("signed_in", [True, False])
def test_panel_pages_send_researchers_and_visitors_to_the_login(
    client, call_with_proposal, signed_in
):
    opportunity, proposal = call_with_proposal
    if signed_in:
        client.force_login(UserFactory())

    responses = [client.get(url) for url in _panel_urls(opportunity, proposal)]

    assert {response.status_code for response in responses} == {302}
    assert all(
        response["Location"].startswith(reverse("admin:login"))
        for response in responses
    )


def test_panel_forbids_other_staff_without_the_permission(client, call_with_proposal):
    opportunity, proposal = call_with_proposal
    staff = UserFactory(staff=True)
    enable_totp(staff)
    login_with_mfa(client, staff)

    statuses = {
        client.get(url).status_code for url in _panel_urls(opportunity, proposal)
    }

    assert statuses == {403}


def test_panel_index_lists_calls_with_their_progress(client, call_with_proposal):
    opportunity, _proposal = call_with_proposal
    administrator_client(client)

    response = client.get(panel_url("index"))

    row = next(r for r in response.context["rows"] if r["opportunity"] == opportunity)
    annotated = row["opportunity"]
    assert (
        annotated.in_review,
        annotated.assignments,
        annotated.reviews,
        annotated.decided,
    ) == (1, 2, 2, 0)
    assert [tab["name"] for tab in row["tabs"]] == [
        "bidding",
        "assign",
        "auto",
        "ranking",
        "discussion",
        "manifest",
        "letters",
        "decisions",
        "settings",
    ]


def test_opportunity_change_page_links_to_the_panel(client, admin_user):
    opportunity = closed_call()
    login_with_mfa(client, admin_user)

    page = client.get(
        reverse("admin:catalogue_opportunity_change", args=[opportunity.pk])
    ).content.decode()

    for name in ("assign", "ranking", "manifest", "decisions"):
        assert f'href="{panel_url(name, opportunity.pk)}"' in page


def test_decision_changelist_links_to_the_panel_index(client):
    administrator_client(client)

    page = client.get(reverse("admin:reviews_decision_changelist")).content.decode()

    assert f'href="{panel_url("index")}"' in page


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_panel_index_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        reviewed_proposal(closed_call(), [4, 3])
    administrator_client(client)

    with django_assert_num_queries(6):
        response = client.get(panel_url("index"))

    assert len(response.context["rows"]) == item_count


def test_reviewer_profile_admin_saves_through_the_service(client):
    reviewer = ReviewerFactory()
    administrator_client(client)

    response = client.post(
        reverse("admin:reviews_reviewerprofile_add"),
        {
            "user": reviewer.pk,
            "expertise": "Radon; lunar dust",
            "other_institutions": "University of Bern",
        },
    )

    assert response.status_code == 302
    reviewer.reviewer_profile.refresh_from_db()
    assert reviewer.reviewer_profile.expertise_keywords == ["radon", "lunar dust"]
    assert reviewer.reviewer_profile.other_institution_names == ["University of Bern"]


def test_letter_template_admin_saves_through_the_service(client):
    opportunity = closed_call()
    administrator_client(client)

    client.post(
        reverse("admin:reviews_decisionlettertemplate_add"),
        {
            "opportunity": opportunity.pk,
            "outcome": "not_selected",
            "body": "Dear {pi_name}, thank you.",
        },
    )

    template = opportunity.decision_letter_templates.get()
    assert (template.outcome, template.body, template.updated_by) == (
        "not_selected",
        "Dear {pi_name}, thank you.",
        client.user,
    )


def test_panel_models_are_out_of_reviewers_reach(client):
    reviewer_client(client)

    statuses = [
        client.get(reverse(f"admin:reviews_{model}_changelist")).status_code
        for model in ("reviewerprofile", "decision", "decisionlettertemplate")
    ]

    assert statuses == [302, 302, 302]
