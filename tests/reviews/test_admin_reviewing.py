"""A reviewer's work on the reviewers' site (/review/): their assignments, the
answers (accept with no conflict, decline, declare a conflict), the review form
(draft, submit, locked), the other reviews, the downloads; and the
administrators' read-only view on /admin/."""

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from reviews import services
from reviews.enums import AssignmentStatus, ReviewStatus
from reviews.models import Review, ReviewAssignment
from tests.factories import ReviewFactory
from tests.mfa import login_with_mfa
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.django_db

CHANGELIST = "/review/reviews/reviewassignment/"
ADMIN_CHANGELIST = "/admin/reviews/reviewassignment/"


def page(assignment) -> str:
    return reverse("review:reviews_reviewassignment_change", args=[assignment.pk])


def url(name: str, assignment, *args) -> str:
    return reverse(
        f"review:reviews_reviewassignment_{name}", args=[assignment.pk, *args]
    )


def admin_page(assignment) -> str:
    return reverse("admin:reviews_reviewassignment_change", args=[assignment.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(assignment) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related("review").get(pk=assignment.pk)


@pytest.fixture
def reviewer():
    return build.reviewer(full_name="Dr Eva Jansen")


@pytest.fixture
def reviewer_client(client, reviewer):
    login_with_mfa(client, reviewer)
    return client


@pytest.fixture
def assignment(reviewer):
    version = build.frozen_proposal(opportunity=build.call(), identity=build.Identity())
    return build.assignment_for(reviewer, version=version)


@pytest.fixture
def accepted(assignment, reviewer):
    services.accept_assignment(assignment=assignment, actor=reviewer)
    return fresh(assignment)


def review_data(assignment, *, score: int | str = 4, **overrides) -> dict:
    criteria = assignment.proposal.opportunity.criteria.all()
    data = {f"score_{criterion.pk}": score for criterion in criteria}
    data |= {
        "recommendation": "select",
        "comments_for_proposer": "Sound science; the thermal design needs detail.",
        "confidential_comments": "The schedule looks tight.",
    }
    return data | overrides


# The list -----------------------------------------------------------------------


def test_changelist_shows_only_the_reviewers_own_assignments(
    reviewer_client, reviewer, assignment
):
    other = build.assignment_for(
        build.reviewer(), version=build.frozen_proposal(opportunity=build.call())
    )

    response = reviewer_client.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [assignment]
    assert response.context["title"] == "My assignments"
    content = response.content.decode()
    assert assignment.proposal.reference in content
    assert other.proposal.reference not in content
    assert "Beijing time (UTC+8)" in content


def test_changelist_offers_a_reviewer_no_action_and_no_add(reviewer_client, assignment):
    response = reviewer_client.get(CHANGELIST)

    assert response.context["action_form"] is None
    assert 'name="action"' not in response.content.decode()
    assert response.context["has_add_permission"] is False


def test_reviewers_site_lists_only_the_assignments_for_a_reviewer(reviewer_client):
    response = reviewer_client.get("/review/reviews/")

    models = [
        model["admin_url"]
        for app in response.context["app_list"]
        for model in app["models"]
    ]
    assert models == [CHANGELIST]


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_reviewer_changelist_query_count_is_constant(
    reviewer_client, reviewer, django_assert_num_queries, item_count
):
    opportunity = build.call()
    for _ in range(item_count):
        assignment = build.assignment_for(
            reviewer, version=build.frozen_proposal(opportunity=opportunity)
        )
        services.accept_assignment(assignment=assignment, actor=reviewer)

    with django_assert_num_queries(7):
        response = reviewer_client.get(CHANGELIST)

    assert response.context["cl"].result_count == item_count


# Before the declaration -----------------------------------------------------------


def test_only_the_summary_is_readable_before_the_declaration(
    reviewer_client, assignment
):
    snapshot = assignment.version.snapshot
    document_pk = snapshot["documents"][0]["id"]

    response = reviewer_client.get(page(assignment))
    pdf = reviewer_client.get(url("pdf", assignment))
    document = reviewer_client.get(url("document", assignment, document_pk))

    content = response.content.decode()
    assert assignment.proposal.reference in content
    assert "Accept and declare no conflict" in content
    # The abstract and keywords of the frozen version, to judge fit.
    assert snapshot["summary"]["abstract"] in content
    assert snapshot["summary"]["keywords"] in content
    assert snapshot["objectives"]["objectives"] not in content
    assert snapshot["payload"]["payload_description"] not in content
    assert url("pdf", assignment) not in content
    assert (pdf.status_code, document.status_code) == (404, 404)


def test_the_team_is_shown_for_the_declaration_in_an_open_call(
    reviewer_client, assignment
):
    identity = build.Identity()

    content = reviewer_client.get(page(assignment)).content.decode()

    assert identity.pi_name in content
    assert identity.member_institution in content


def test_accepting_needs_the_no_conflict_box(reviewer_client, assignment):
    response = reviewer_client.post(url("answer", assignment), {"answer": "accept"})

    assert "Tick the box to declare that you have no conflict." in (
        response.content.decode()
    )
    assert fresh(assignment).status == AssignmentStatus.INVITED


# The flow -------------------------------------------------------------------------


def test_reviewer_accepts_scores_a_draft_submits_and_the_review_locks(
    reviewer_client,
    reviewer,
    assignment,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    contact = assignment.proposal.opportunity.contacts.create(
        name="GAN Yong", email="gany@cnsa.example.org"
    )

    accepted = reviewer_client.post(
        url("answer", assignment), {"answer": "accept", "accept-no_conflict": "on"}
    )
    opened = reviewer_client.get(page(assignment))
    draft = reviewer_client.post(
        url("review", assignment), review_data(assignment, score=3)
    )
    asked = reviewer_client.post(
        url("review", assignment), review_data(assignment) | {"_submit": "1"}
    )
    confirmation = reviewer_client.get(url("submit", assignment))
    with django_capture_on_commit_callbacks(execute=True):
        submitted = reviewer_client.post(url("submit", assignment))
    locked = reviewer_client.get(page(assignment))

    assert accepted["Location"] == page(assignment)
    assert "Your review" in opened.content.decode()
    assert draft["Location"] == f"{page(assignment)}#review"
    assert asked["Location"] == url("submit", assignment)
    assert "Yes, submit my review" in confirmation.content.decode()
    assert submitted["Location"] == f"{page(assignment)}#review"
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert sorted(review.scores.values_list("score", flat=True)) == [4, 4, 4]
    assert review.recommendation == "select"
    content = locked.content.decode()
    assert "Locked." in content
    assert 'id="review-form"' not in content
    assert "4 — Very good" in content
    assert [message.to for message in mailoutbox] == [[contact.email]]


def test_a_draft_keeps_unscored_criteria_empty(reviewer_client, accepted):
    criteria = list(accepted.proposal.opportunity.criteria.all())
    data = review_data(accepted) | {f"score_{criteria[0].pk}": ""}

    reviewer_client.post(url("review", accepted), data)

    review = Review.objects.get(assignment=accepted)
    assert review.status == ReviewStatus.DRAFT
    assert sorted(review.scores.values_list("criterion_id", flat=True)) == [
        criterion.pk for criterion in criteria[1:]
    ]


def test_submitting_an_incomplete_review_lists_what_is_missing(
    reviewer_client, accepted
):
    data = review_data(accepted, score="") | {"_submit": "1", "recommendation": ""}

    response = reviewer_client.post(url("review", accepted), data)

    content = response.content.decode()
    assert "Your draft is saved. To submit it:" in content
    assert "Score “Scientific value”." in content
    assert "Give your recommendation." in content
    assert Review.objects.get(assignment=accepted).status == ReviewStatus.DRAFT


def test_the_review_form_shows_every_step_of_the_scale_with_its_meaning(
    reviewer_client, accepted
):
    content = reviewer_client.get(page(accepted)).content.decode()

    for criterion in accepted.proposal.opportunity.criteria.all():
        assert content.count(f'name="score_{criterion.pk}"') == 5
    assert "1 — Poor" in content
    assert "Serious weaknesses; the criterion is not met." in content
    assert "Meets every aspect of the criterion; no real weakness." in content


def test_a_submitted_review_cannot_be_changed_by_posting(
    reviewer_client, reviewer, accepted
):
    reviewer_client.post(url("review", accepted), review_data(accepted))
    services.submit_review(review=fresh(accepted).review, actor=reviewer)

    response = reviewer_client.post(
        url("review", accepted), review_data(accepted, score=1)
    )

    assert messages_of(response)[-1] == "This review cannot be changed now."
    scores = Review.objects.get(assignment=accepted).scores
    assert sorted(scores.values_list("score", flat=True)) == [4, 4, 4]


def test_a_reopened_review_says_why_and_is_editable_again(
    reviewer_client, reviewer, accepted
):
    reviewer_client.post(url("review", accepted), review_data(accepted))
    review = fresh(accepted).review
    services.submit_review(review=review, actor=reviewer)
    services.reopen_review(
        review=review,
        actor=build.administrator(),
        reason="Please justify the feasibility score.",
    )

    content = reviewer_client.get(page(accepted)).content.decode()

    assert "An administrator reopened your review: Please justify the feasibility" in (
        content
    )
    assert 'id="review-form"' in content


# Declining and conflicts -----------------------------------------------------------


def test_declaring_a_conflict_ends_the_assignment_and_tells_the_administrators(
    reviewer_client, assignment, mailoutbox, django_capture_on_commit_callbacks
):
    first = build.administrator(email="chief@cnsa.example.org")
    second = build.administrator(email="deputy@cnsa.example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            url("answer", assignment),
            {"answer": "conflict", "conflict-reason": "I co-authored with the PI."},
        )

    assignment = fresh(assignment)
    assert assignment.status == AssignmentStatus.CONFLICT
    assert assignment.conflict_reason == "I co-authored with the PI."
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [first.email, second.email]
    )
    assert messages_of(response) == [
        "You declared a conflict of interest: the assignment has ended and the "
        "administrators have been told."
    ]
    after = reviewer_client.get(page(assignment)).content.decode()
    assert "the assignment has ended" in after
    assert 'id="answer-accept"' not in after


def test_a_conflict_needs_a_reason(reviewer_client, assignment):
    response = reviewer_client.post(
        url("answer", assignment), {"answer": "conflict", "conflict-reason": " "}
    )

    assert "Describe the conflict of interest." in response.content.decode()
    assert fresh(assignment).status == AssignmentStatus.INVITED


def test_a_conflict_found_after_accepting_ends_the_assignment(
    reviewer_client, accepted
):
    reviewer_client.post(
        url("answer", accepted),
        {"answer": "conflict", "conflict-reason": "The PI is my former student."},
    )

    assert fresh(accepted).status == AssignmentStatus.CONFLICT
    assert reviewer_client.get(url("pdf", accepted)).status_code == 404


def test_declining_records_the_reason(reviewer_client, assignment):
    reviewer_client.post(
        url("answer", assignment),
        {"answer": "decline", "decline-reason": "Not my field."},
    )

    assignment = fresh(assignment)
    assert (assignment.status, assignment.decline_reason) == (
        AssignmentStatus.DECLINED,
        "Not my field.",
    )


def test_answering_twice_is_refused_with_a_message(reviewer_client, accepted):
    response = reviewer_client.post(
        url("answer", accepted), {"answer": "decline", "decline-reason": "Too late."}
    )

    assert messages_of(response) == ["Only the invited reviewer can decline."]
    assert fresh(accepted).status == AssignmentStatus.ACCEPTED


# Other reviewers and other people ---------------------------------------------------


def test_another_reviewer_gets_404_on_every_page_of_the_assignment(client, accepted):
    login_with_mfa(client, build.reviewer())
    document_pk = accepted.version.snapshot["documents"][0]["id"]

    statuses = [
        client.get(page(accepted)).status_code,
        client.get(url("history", accepted)).status_code,
        client.get(url("pdf", accepted)).status_code,
        client.get(url("document", accepted, document_pk)).status_code,
        client.get(url("submit", accepted)).status_code,
        client.post(url("review", accepted), review_data(accepted)).status_code,
        client.post(
            url("answer", accepted), {"answer": "conflict", "conflict-reason": "x"}
        ).status_code,
    ]

    assert statuses == [404] * 7
    assert fresh(accepted).status == AssignmentStatus.ACCEPTED


def test_other_reviews_appear_only_once_the_reviewers_own_is_submitted(
    reviewer_client, reviewer, accepted
):
    ReviewFactory(
        assignment=build.assignment_for(
            build.reviewer(full_name="Prof. Lukas Meier"),
            version=accepted.version,
            accepted=True,
        ),
        submitted=True,
        scores=5,
        comments_for_proposer="Outstanding heritage from DORN.",
    )
    reviewer_client.post(url("review", accepted), review_data(accepted))

    before = reviewer_client.get(page(accepted)).content.decode()
    services.submit_review(review=fresh(accepted).review, actor=reviewer)
    after = reviewer_client.get(page(accepted)).content.decode()

    assert "Outstanding heritage from DORN." not in before
    assert "Outstanding heritage from DORN." in after
    assert "Reviewer 2" in after  # numbered among the counted reviews, own first
    assert "Prof. Lukas Meier" not in after


def test_the_reviewers_history_names_nobody_else(reviewer_client, accepted):
    chief = build.administrator(full_name="Director Wenceslas Ironmonger")
    services.change_due_date(
        assignment=accepted, due=accepted.due_at + timedelta(days=7), actor=chief
    )

    content = reviewer_client.get(url("history", accepted)).content.decode()

    assert "The administrators" in content
    assert "No conflict of interest declared." in content
    assert "Ironmonger" not in content


def test_a_reviewer_cannot_open_the_reviews_list(reviewer_client, accepted):
    response = reviewer_client.get("/admin/reviews/review/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Downloads --------------------------------------------------------------------------


def test_a_document_downloads_under_the_calls_name_for_it(reviewer_client, accepted):
    document = accepted.version.snapshot["documents"][0]

    response = reviewer_client.get(url("document", accepted, document["id"]))

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Document%201" in disposition
    assert accepted.proposal.reference in disposition
    assert build.Identity().document_name not in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_the_version_pdf_of_an_open_call_names_the_team(reviewer_client, accepted):
    response = reviewer_client.get(url("pdf", accepted))

    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert build.Identity().pi_name in text
    assert response["Content-Disposition"] == (
        f'attachment; filename="{accepted.version.reference}-v1.pdf"'
    )


# Administrators ---------------------------------------------------------------------


def test_administrators_see_every_assignment_with_the_reviewer(client, accepted):
    other = build.assignment_for(
        build.reviewer(), version=build.frozen_proposal(opportunity=build.call())
    )
    login_with_mfa(client, build.administrator())

    response = client.get(ADMIN_CHANGELIST)

    assert set(response.context["cl"].result_list) == {accepted, other}
    assert accepted.reviewer.email in response.content.decode()


def test_administrators_read_the_submitted_review_and_its_history(
    client, reviewer, accepted
):
    reviewer_admin = client
    login_with_mfa(reviewer_admin, reviewer)
    reviewer_admin.post(url("review", accepted), review_data(accepted))
    services.submit_review(review=fresh(accepted).review, actor=reviewer)
    login_with_mfa(client, build.administrator())

    content = client.get(admin_page(accepted)).content.decode()
    history = client.get(
        reverse("admin:reviews_reviewassignment_history", args=[accepted.pk])
    ).content.decode()

    assert "and locked." in content
    assert "Sound science; the thermal design needs detail." in content
    assert "Review: Draft → Submitted" in history
    assert "Dr Eva Jansen" in history


def _submitted_reviews(count: int) -> None:
    opportunity = build.call()
    for _ in range(count):
        ReviewFactory(
            assignment=build.assignment_for(
                build.reviewer(),
                version=build.frozen_proposal(opportunity=opportunity),
                accepted=True,
            ),
            submitted=True,
            scores=4,
        )


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_administrators_assignment_changelist_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    _submitted_reviews(item_count)
    login_with_mfa(client, build.administrator())

    with django_assert_num_queries(8):
        response = client.get(ADMIN_CHANGELIST)

    assert response.context["cl"].result_count == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_administrators_review_changelist_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    _submitted_reviews(item_count)
    login_with_mfa(client, build.administrator())

    with django_assert_num_queries(7):
        response = client.get("/admin/reviews/review/")

    assert response.context["cl"].result_count == item_count
