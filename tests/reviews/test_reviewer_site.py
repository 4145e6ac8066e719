"""The reviewers' own admin site (/review/): who gets in, its index (the
reviewer's work), and the pages added for the panel's phases — bidding, the
discussion thread, revising during the discussion phase, the consensus report —
and the review form's weights and weighted score, the "next assignment" link."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.enums import AssignmentStatus, BidPreference, ReviewStatus
from reviews.models import (
    Bid,
    ConsensusReport,
    DiscussionPost,
    Review,
    ReviewAssignment,
    ReviewRevision,
)
from tests.factories import ReviewerFactory, ReviewFactory
from tests.mfa import current_code, enable_totp, login_with_mfa
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.django_db

INDEX = "/review/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(assignment) -> str:
    return reverse("review:reviews_reviewassignment_change", args=[assignment.pk])


def fresh(assignment) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related("review").get(pk=assignment.pk)


def review_data(assignment, *, score=4, **overrides) -> dict:
    criteria = assignment.proposal.opportunity.criteria.all()
    data = {f"score_{criterion.pk}": score for criterion in criteria}
    data |= {
        "recommendation": "select",
        "comments_for_proposer": "Sound science; the thermal design needs detail.",
        "confidential_comments": "The schedule looks tight.",
    }
    return data | overrides


def submitted_assignment(reviewer, *, version=None, opportunity=None):
    """An accepted assignment whose review the reviewer submitted."""
    version = version or build.frozen_proposal(opportunity=opportunity or build.call())
    assignment = build.assignment_for(reviewer, version=version, accepted=True)
    ReviewFactory(assignment=assignment, submitted=True, scores=4)
    return fresh(assignment)


@pytest.fixture
def reviewer():
    return build.reviewer(full_name="Dr Eva Jansen")


@pytest.fixture
def reviewer_client(client, reviewer):
    login_with_mfa(client, reviewer)
    return client


# Who gets in ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_allauths_sign_in(client):
    response = client.get(INDEX)
    login = client.get(response["Location"])

    assert response["Location"] == "/review/login/?next=/review/"
    assert login["Location"] == f"{reverse('account_login')}?next=%2Freview%2F"


def test_a_reviewer_who_passed_two_factor_gets_in(reviewer_client):
    response = reviewer_client.get(INDEX)

    assert response.status_code == 200
    assert response.context["site_header"] == "AO Portal review"
    assert "Assignments to answer" in response.content.decode()


def test_a_reviewer_is_not_staff_and_never_reaches_the_administration(
    reviewer_client, reviewer
):
    responses = [
        reviewer_client.get(path)
        for path in ("/admin/", "/admin/reviews/reviewassignment/", "/admin/login/")
    ]

    assert reviewer.is_staff is False
    assert [response.status_code for response in responses] == [302, 302, 403]
    assert responses[0]["Location"] == "/admin/login/?next=/admin/"


def test_an_administrator_outside_the_reviewers_group_gets_403(client):
    login_with_mfa(client, build.administrator())

    responses = [
        client.get(path)
        for path in (INDEX, "/review/reviews/reviewassignment/", "/review/login/")
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]


def test_a_researcher_gets_403(client):
    client.force_login(build.researcher())

    assert client.get(INDEX).status_code == 403


def test_a_reviewer_without_an_authenticator_is_sent_to_set_one_up(client):
    reviewer = ReviewerFactory()
    login_with_mfa(client, reviewer)

    response = client.get(INDEX)

    assert response["Location"] == reverse("mfa_activate_totp")
    assert messages_of(response) == [
        "Reviewers must turn on two-factor authentication before using the "
        "reviewers' site. Confirm your password if asked, then set up an "
        "authenticator app."
    ]


def test_a_reviewer_whose_session_skipped_two_factor_is_refused_then_asked_a_code(
    client,
):
    reviewer = ReviewerFactory()
    login_with_mfa(client, reviewer)  # signed in before turning TOTP on
    enable_totp(reviewer)

    refused = client.get("/review/reviews/reviewassignment/")
    asked = client.get(refused["Location"])
    answered = client.post(refused["Location"], {"code": current_code()})
    inside = client.get("/review/reviews/reviewassignment/")

    assert refused.status_code == 302
    assert refused["Location"] == (
        f"{reverse('mfa_reauthenticate')}?next=%2Freview%2Freviews%2Freviewassignment%2F"
    )
    assert messages_of(refused)[-1].startswith(
        "You signed in without your authenticator code."
    )
    assert asked.status_code == 200
    assert answered["Location"] == "/review/reviews/reviewassignment/"
    assert inside.status_code == 200


def test_the_login_page_sends_a_signed_in_reviewer_on(reviewer_client):
    response = reviewer_client.get("/review/login/?next=/review/bidding/")

    assert response["Location"] == "/review/bidding/"


def test_the_password_change_page_is_the_accounts(reviewer_client):
    response = reviewer_client.get(reverse("review:password_change"))

    assert response["Location"] == reverse("account_change_password")


# The index: the reviewer's work ---------------------------------------------------


def test_the_index_lists_the_reviewers_work_with_due_dates(reviewer_client, reviewer):
    opportunity = build.call()
    invited = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=opportunity)
    )
    to_write = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=opportunity)
    )
    services.accept_assignment(assignment=to_write, actor=reviewer)
    done = submitted_assignment(reviewer, opportunity=opportunity)
    cancelled = build.assignment_for(
        reviewer,
        version=build.frozen_proposal(opportunity=opportunity),
        status=AssignmentStatus.CANCELLED,
    )

    response = reviewer_client.get(INDEX)

    assert [a for a, _due in response.context["to_answer"]] == [invited]
    assert [a for a, _due in response.context["to_write"]] == [fresh(to_write)]
    content = response.content.decode()
    assert (
        f'<th scope="row" class="review-ref"><a href="{page(invited)}">'
        f"{invited.proposal.reference}</a></th>"
        f"<td>{invited.proposal.title}</td>"
        f"<td>{invited.proposal.opportunity.title}</td>"
    ) in content
    assert f'<a href="{page(to_write)}#review">{to_write.proposal.reference}</a>' in (
        content
    )
    assert page(done) not in content
    assert page(cancelled) not in content
    assert "Beijing time (UTC+8)" in content
    assert "data-local-time" in content


def test_the_index_shows_discussions_waiting_and_calls_open_for_bidding(
    reviewer_client, reviewer
):
    administrator = build.administrator()
    mine = submitted_assignment(reviewer)
    colleague = build.reviewer()
    theirs = submitted_assignment(colleague, version=mine.version)
    services.post_message(
        proposal=theirs.proposal, actor=colleague, body="Is the power budget right?"
    )
    bidding_call = build.call()
    services.open_bidding(opportunity=bidding_call, actor=administrator)

    response = reviewer_client.get(INDEX)

    content = response.content.decode()
    assert reverse("review:thread", args=[mine.pk]) in content
    assert reverse("review:bid_sheet", args=[bidding_call.pk]) in content


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_the_index_query_count_is_constant(
    reviewer_client, reviewer, django_assert_num_queries, item_count
):
    opportunity = build.call()
    services.open_bidding(opportunity=opportunity, actor=build.administrator())
    for _ in range(item_count):
        build.assignment_for(
            reviewer, version=build.frozen_proposal(opportunity=opportunity)
        )
        accepted = build.assignment_for(
            reviewer, version=build.frozen_proposal(opportunity=opportunity)
        )
        services.accept_assignment(assignment=accepted, actor=reviewer)
        submitted_assignment(reviewer, opportunity=opportunity)

    with django_assert_num_queries(8):
        response = reviewer_client.get(INDEX)

    assert len(response.context["to_answer"]) == item_count
    assert len(response.context["to_write"]) == item_count


# The review form ------------------------------------------------------------------


def test_the_review_form_shows_weights_in_percent_and_the_saved_weighted_score(
    reviewer_client, reviewer
):
    assignment = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=build.call())
    )
    services.accept_assignment(assignment=assignment, actor=reviewer)
    criteria = list(assignment.proposal.opportunity.criteria.all())
    data = review_data(assignment) | {f"score_{criteria[0].pk}": 1}
    expected = sum(c.weight * (1 if c == criteria[0] else 4) for c in criteria) / sum(
        c.weight for c in criteria
    )

    before = reviewer_client.get(page(assignment)).content.decode()
    reviewer_client.post(
        reverse("review:reviews_reviewassignment_review", args=[assignment.pk]), data
    )
    after = reviewer_client.get(page(assignment)).content.decode()

    assert f"weight {criteria[0].weight.normalize():f} %" in before
    assert "data-weighted-score>—</output>" in before
    assert f"data-weighted-score>{expected:.2f}</output>" in after
    assert "js/review-score.js" in after


def test_after_submitting_the_page_links_to_the_next_assignment(
    reviewer_client, reviewer
):
    opportunity = build.call()
    assignment = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=opportunity)
    )
    services.accept_assignment(assignment=assignment, actor=reviewer)
    later = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=opportunity)
    )
    ReviewAssignment.objects.filter(pk=later.pk).update(
        due_at=timezone.now() + timedelta(days=30)
    )
    reviewer_client.post(
        reverse("review:reviews_reviewassignment_review", args=[assignment.pk]),
        review_data(assignment),
    )

    reviewer_client.post(
        reverse("review:reviews_reviewassignment_submit", args=[assignment.pk])
    )
    content = reviewer_client.get(page(assignment)).content.decode()

    assert Review.objects.get(assignment=assignment).status == ReviewStatus.SUBMITTED
    assert f'href="{page(later)}"' in content
    assert f"Next assignment: {later.proposal.reference}" in content


def test_a_dual_anonymous_declaration_shows_the_summary_but_no_team(
    reviewer_client, reviewer
):
    identity = build.Identity()
    version = build.frozen_proposal(
        opportunity=build.call(dual_anonymous=True), identity=identity
    )
    assignment = build.assignment_for(reviewer, version=version)

    content = reviewer_client.get(page(assignment)).content.decode()

    assert version.snapshot["summary"]["abstract"] in content
    assert version.snapshot["summary"]["keywords"] in content
    assert identity.pi_name not in content
    assert identity.member_institution not in content


# Bidding --------------------------------------------------------------------------


@pytest.fixture
def bidding_call():
    opportunity = build.call()
    services.open_bidding(opportunity=opportunity, actor=build.administrator())
    return opportunity


def bid_field(proposal_pk) -> str:
    return f"bid_{proposal_pk}"


def test_the_bid_sheet_lists_every_proposal_with_its_summary(
    reviewer_client, bidding_call
):
    versions = [build.frozen_proposal(opportunity=bidding_call) for _ in range(2)]

    response = reviewer_client.get(reverse("review:bid_sheet", args=[bidding_call.pk]))

    content = response.content.decode()
    assert [row.pk for row, _field in response.context["form"].row_fields()] == sorted(
        (v.proposal_id for v in versions),
        key=lambda pk: next(
            v.proposal.reference for v in versions if v.proposal_id == pk
        ),
    )
    assert versions[0].snapshot["summary"]["abstract"] in content
    assert versions[0].snapshot["summary"]["keywords"] in content
    assert content.count('value="eager"') == 2


def test_one_post_saves_the_pages_bids(reviewer_client, reviewer, bidding_call):
    first, second = (
        build.frozen_proposal(opportunity=bidding_call).proposal for _ in range(2)
    )
    url = reverse("review:bid_sheet", args=[bidding_call.pk])

    response = reviewer_client.post(
        url,
        {bid_field(first.pk): BidPreference.EAGER, bid_field(second.pk): "conflict"},
    )

    assert response["Location"] == f"{url}?page=1"
    assert dict(
        Bid.objects.filter(reviewer=reviewer).values_list("proposal_id", "preference")
    ) == {first.pk: "eager", second.pk: "conflict"}


def test_the_bid_sheet_is_paginated_25_to_a_page(reviewer_client, bidding_call):
    for _ in range(26):
        build.frozen_proposal(opportunity=bidding_call)
    url = reverse("review:bid_sheet", args=[bidding_call.pk])

    first = reviewer_client.get(url)
    second = reviewer_client.get(url, {"page": 2})

    assert len(first.context["form"].rows) == 25
    assert len(second.context["form"].rows) == 1


def test_bids_posted_after_bidding_closed_are_not_saved(
    reviewer_client, reviewer, bidding_call
):
    proposal = build.frozen_proposal(opportunity=bidding_call).proposal
    url = reverse("review:bid_sheet", args=[bidding_call.pk])
    reviewer_client.get(url)
    services.close_bidding(opportunity=bidding_call, actor=build.administrator())

    response = reviewer_client.post(url, {bid_field(proposal.pk): "willing"})

    assert response.status_code == 404  # the call is no longer open for bidding
    assert Bid.objects.filter(reviewer=reviewer).count() == 0


def test_a_call_not_open_for_bidding_has_no_bid_sheet(reviewer_client):
    opportunity = build.call()

    response = reviewer_client.get(reverse("review:bid_sheet", args=[opportunity.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_the_bid_sheet_query_count_is_constant(
    reviewer_client, bidding_call, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        build.frozen_proposal(opportunity=bidding_call)
    url = reverse("review:bid_sheet", args=[bidding_call.pk])

    with django_assert_num_queries(8):
        response = reviewer_client.get(url)

    assert len(response.context["form"].rows) == item_count


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_the_bidding_page_query_count_is_constant(
    reviewer_client, django_assert_num_queries, item_count
):
    administrator = build.administrator()
    for _ in range(item_count):
        opportunity = build.call()
        build.frozen_proposal(opportunity=opportunity)
        services.open_bidding(opportunity=opportunity, actor=administrator)

    with django_assert_num_queries(5):
        response = reviewer_client.get(reverse("review:bidding"))

    assert len(response.context["calls"]) == item_count


# The discussion -------------------------------------------------------------------


def test_the_thread_shows_the_other_reviewers_as_numbers_and_takes_a_message(
    reviewer_client, reviewer
):
    mine = submitted_assignment(reviewer)
    colleague = build.reviewer(full_name="Prof. Lukas Meier")
    submitted_assignment(colleague, version=mine.version)
    services.post_message(
        proposal=mine.proposal, actor=colleague, body="Is the power budget right?"
    )
    url = reverse("review:thread", args=[mine.pk])

    read = reviewer_client.get(url)
    posted = reviewer_client.post(url, {"body": "It is, with the night margin."})
    after = reviewer_client.get(url).content.decode()

    content = read.content.decode()
    assert "Is the power budget right?" in content
    assert "Prof. Lukas Meier" not in content
    assert "Reviewer " in content
    assert posted["Location"] == f"{url}#latest"
    assert list(
        DiscussionPost.objects.filter(author=reviewer).values_list("body", flat=True)
    ) == ["It is, with the night margin."]
    assert "You" in after
    assert reviewer_client.get(INDEX).context["discussions"].count() == 0


def test_an_empty_message_is_refused_on_the_form(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)

    response = reviewer_client.post(
        reverse("review:thread", args=[mine.pk]), {"body": "  "}
    )

    assert response.status_code == 200
    assert "Write a message before posting." in response.content.decode()
    assert DiscussionPost.objects.count() == 0


def test_a_reviewer_who_has_not_submitted_cannot_read_the_thread(
    reviewer_client, reviewer
):
    assignment = build.assignment_for(
        reviewer, version=build.frozen_proposal(opportunity=build.call())
    )
    services.accept_assignment(assignment=assignment, actor=reviewer)

    response = reviewer_client.get(reverse("review:thread", args=[assignment.pk]))

    assert response.status_code == 403


def test_a_closed_discussion_refuses_a_message_and_keeps_it(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)
    administrator = build.administrator()
    opportunity = mine.proposal.opportunity
    services.open_discussion(opportunity=opportunity, actor=administrator)
    url = reverse("review:thread", args=[mine.pk])
    reviewer_client.get(url)
    services.close_discussion(opportunity=opportunity, actor=administrator)

    response = reviewer_client.post(url, {"body": "One more thought."})

    assert response.status_code == 200
    assert messages_of(response) == ["The discussion of this call is closed."]
    assert "One more thought." in response.content.decode()
    assert DiscussionPost.objects.count() == 0


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_the_thread_query_count_is_constant(
    reviewer_client, reviewer, django_assert_num_queries, item_count
):
    mine = submitted_assignment(reviewer)
    for _ in range(item_count):
        colleague = build.reviewer()
        submitted_assignment(colleague, version=mine.version)
        services.post_message(proposal=mine.proposal, actor=colleague, body="A point.")
    url = reverse("review:thread", args=[mine.pk])

    with django_assert_num_queries(20):
        response = reviewer_client.get(url)

    assert len(response.context["thread"].posts) == item_count


# Revising and the consensus -------------------------------------------------------


def test_revising_during_the_discussion_keeps_the_earlier_review(
    reviewer_client, reviewer
):
    mine = submitted_assignment(reviewer)
    services.open_discussion(
        opportunity=mine.proposal.opportunity, actor=build.administrator()
    )
    url = reverse("review:revise", args=[mine.pk])

    form = reviewer_client.get(url)
    revised = reviewer_client.post(
        url, review_data(mine, score=2) | {"reason": "The discussion convinced me."}
    )
    content = reviewer_client.get(page(mine)).content.decode()

    assert 'id="review-form"' in form.content.decode()
    assert revised["Location"] == f"{page(mine)}#review"
    revision = ReviewRevision.objects.get(review=mine.review)
    assert (revision.number, revision.reason) == (1, "The discussion convinced me.")
    assert sorted(mine.review.scores.values_list("score", flat=True)) == [2, 2, 2]
    assert "Earlier versions of your review" in content
    assert "The discussion convinced me." in content


def test_a_revision_without_a_reason_keeps_what_was_typed(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)
    services.open_discussion(
        opportunity=mine.proposal.opportunity, actor=build.administrator()
    )

    response = reviewer_client.post(
        reverse("review:revise", args=[mine.pk]),
        review_data(mine, score=2, comments_for_proposer="A new, careful comment."),
    )

    content = response.content.decode()
    assert "Say why you revise your review." in content
    assert "A new, careful comment." in content
    assert ReviewRevision.objects.count() == 0


def test_revising_outside_the_discussion_phase_is_refused(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)

    response = reviewer_client.get(reverse("review:revise", args=[mine.pk]))

    assert response.status_code == 403


def test_a_revision_posted_after_the_phase_closed_keeps_what_was_typed(
    reviewer_client, reviewer
):
    mine = submitted_assignment(reviewer)
    administrator = build.administrator()
    opportunity = mine.proposal.opportunity
    services.open_discussion(opportunity=opportunity, actor=administrator)
    url = reverse("review:revise", args=[mine.pk])
    reviewer_client.get(url)
    services.close_discussion(opportunity=opportunity, actor=administrator)

    response = reviewer_client.post(
        url,
        review_data(mine, score=2, comments_for_proposer="My revised comment.")
        | {"reason": "Convinced."},
    )

    assert response.status_code == 200
    assert messages_of(response) != []
    assert "My revised comment." in response.content.decode()
    assert ReviewRevision.objects.count() == 0


def test_the_primary_reviewer_writes_the_consensus_report(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)
    administrator = build.administrator()
    services.designate_primary_reviewer(
        proposal=mine.proposal, reviewer=reviewer, actor=administrator
    )
    url = reverse("review:consensus", args=[mine.pk])

    form = reviewer_client.get(url)
    saved = reviewer_client.post(url, {"body": "Strong science; fix the thermal."})

    assert form.status_code == 200
    assert saved["Location"] == page(mine)
    assert ConsensusReport.objects.get(proposal=mine.proposal).body == (
        "Strong science; fix the thermal."
    )
    assert reverse("review:consensus", args=[mine.pk]) in (
        reviewer_client.get(page(mine)).content.decode()
    )


def test_another_reviewer_cannot_write_the_consensus_report(reviewer_client, reviewer):
    mine = submitted_assignment(reviewer)
    colleague = build.reviewer()
    submitted_assignment(colleague, version=mine.version)
    services.designate_primary_reviewer(
        proposal=mine.proposal, reviewer=colleague, actor=build.administrator()
    )

    response = reviewer_client.post(
        reverse("review:consensus", args=[mine.pk]), {"body": "Mine."}
    )

    assert response.status_code == 403
    assert ConsensusReport.objects.get(proposal=mine.proposal).body == ""


# Emails ---------------------------------------------------------------------------


def test_the_assignment_email_links_to_the_reviewers_site(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    version = build.frozen_proposal(opportunity=build.call())

    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_reviewer(
            proposal=version.proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=14),
            actor=build.administrator(),
        )

    emails = [message for message in mailoutbox if message.to == [reviewer.email]]
    assert len(emails) == 1
    assert page(assignment) in emails[0].body
    assert "/admin/" not in emails[0].body
