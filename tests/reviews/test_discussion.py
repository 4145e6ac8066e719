"""The panel's discussion: who posts, what each reader sees, revisions during
the discussion phase, the consensus report, and the hourly digest."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from proposals.enums import ProposalStatus
from reviews import services
from reviews.models import (
    ConsensusReport,
    DiscussionPost,
    DiscussionReader,
    Review,
    ReviewAssignment,
    ReviewEvent,
)
from reviews.selectors import (
    discussions_waiting,
    other_reviews_visible_to,
    review_revisions,
    thread,
    threads_for_call,
)
from reviews.services import DiscussionRefused, ReviewIncomplete, ReviewLocked
from tests.factories import (
    DiscussionPostFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
    make_review_administrator,
)

pytestmark = pytest.mark.django_db


def _reviewer(**kwargs):
    """A reviewer as the portal now has them: in the Reviewers group, not staff."""
    return ReviewerFactory(is_staff=False, **kwargs)


def _discussed(*, reviewers: int = 3, dual_anonymous: bool = True):
    """A full proposal under review in a closed call, each of its reviewers'
    reviews submitted; returns (proposal, [review, …]) in assignment order."""
    opportunity = OpportunityFactory(closed=True, dual_anonymous=dual_anonymous)
    EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Science", weight=Decimal(60)
    )
    EvaluationCriterionFactory(
        opportunity=opportunity, name_en="Feasibility", weight=Decimal(40)
    )
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity, proposal__status=ProposalStatus.UNDER_REVIEW
    )
    reviews = [
        ReviewFactory(
            assignment__version=version,
            assignment__reviewer=_reviewer(),
            submitted=True,
            scores=4,
        )
        for _ in range(reviewers)
    ]
    return version.proposal, reviews


def _author(review):
    return review.assignment.reviewer


@pytest.fixture
def administrator(db):
    return make_review_administrator(full_name="Gan Yu")


# --- posting ---------------------------------------------------------------------


def test_post_message_by_a_reviewer_who_submitted(administrator):
    proposal, reviews = _discussed()
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)

    post = services.post_message(
        proposal=proposal, actor=_author(reviews[0]), body="  Is 8 W enough?  "
    )

    assert (post.body, post.stage, post.author) == (
        "Is 8 W enough?",
        "full",
        _author(reviews[0]),
    )
    reader = DiscussionReader.objects.get(user=_author(reviews[0]))
    assert reader.seen_until == post.created_at


def test_post_message_by_an_administrator_without_assignment(administrator):
    proposal, _reviews = _discussed()

    post = services.post_message(proposal=proposal, actor=administrator, body="Hi.")

    assert DiscussionPost.objects.get() == post


def test_post_message_refused_before_the_reviewer_submitted():
    proposal, _reviews = _discussed(reviewers=1)
    draft = ReviewFactory(
        assignment__version=proposal.versions.get(),
        assignment__reviewer=_reviewer(),
    )

    with pytest.raises(DiscussionRefused) as refusal:
        services.post_message(proposal=proposal, actor=_author(draft), body="Hi.")

    assert refusal.value.messages == [
        "Submit your review to take part in the discussion."
    ]
    assert DiscussionPost.objects.count() == 0


@pytest.mark.parametrize("status", ["conflict", "cancelled", "declined"])
def test_post_message_refused_to_a_reviewer_whose_assignment_ended(status):
    proposal, reviews = _discussed()
    ReviewAssignment.objects.filter(pk=reviews[0].assignment_id).update(
        status=status, conflict_reason="Co-author."
    )

    with pytest.raises(PermissionDenied):
        services.post_message(proposal=proposal, actor=_author(reviews[0]), body="x")


def test_post_message_refused_to_the_proposer_and_other_reviewers():
    proposal, _reviews = _discussed()

    for outsider in (proposal.principal_investigator, _reviewer(), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.post_message(proposal=proposal, actor=outsider, body="x")

    assert DiscussionPost.objects.count() == 0


def test_post_message_refused_once_the_discussion_is_closed(administrator):
    proposal, reviews = _discussed()
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
    services.close_discussion(opportunity=proposal.opportunity, actor=administrator)

    for actor in (_author(reviews[0]), administrator):
        with pytest.raises(DiscussionRefused) as refusal:
            services.post_message(proposal=proposal, actor=actor, body="Late.")
        assert refusal.value.messages == ["The discussion of this call is closed."]


def test_post_message_refuses_an_empty_message(administrator):
    proposal, reviews = _discussed()

    with pytest.raises(DiscussionRefused) as refusal:
        services.post_message(proposal=proposal, actor=_author(reviews[0]), body=" ")

    assert refusal.value.messages == ["Write a message."]


def test_discussion_refusal_is_the_shared_refusal():
    from config.refusals import Refused  # noqa: PLC0415

    assert issubclass(DiscussionRefused, Refused)


# --- reading ---------------------------------------------------------------------


@pytest.mark.parametrize("dual_anonymous", [True, False])
def test_thread_labels_reviewers_by_number_for_reviewers(administrator, dual_anonymous):
    proposal, reviews = _discussed(dual_anonymous=dual_anonymous)
    first, second, third = (_author(review) for review in reviews)
    for author in (third, administrator, first, second):
        services.post_message(proposal=proposal, actor=author, body=f"By {author.pk}")

    shown = thread(user=second, proposal=proposal)

    assert [post.author_label for post in shown.posts] == [
        "Reviewer 3",
        "CNSA administrators",
        "Reviewer 1",
        "You",
    ]
    others = other_reviews_visible_to(reviewer=second, proposal=proposal)
    assert [review.label for review in others] == ["Reviewer 1", "Reviewer 3"]
    text = " ".join(post.author_label for post in shown.posts)
    for person in (first, third, administrator):
        assert person.get_full_name() not in text
    assert shown.can_post is True


def test_thread_names_everyone_to_administrators(administrator):
    proposal, reviews = _discussed(reviewers=2)
    first = _author(reviews[0])
    services.post_message(proposal=proposal, actor=first, body="Mine.")
    services.post_message(proposal=proposal, actor=administrator, body="Ours.")

    shown = thread(user=administrator, proposal=proposal)

    assert [post.author_label for post in shown.posts] == [
        f"{first.get_full_name()} (Reviewer 1)",
        "You",
    ]


def test_thread_is_hidden_from_proposers_and_reviewers_who_have_not_submitted():
    proposal, _reviews = _discussed()
    draft = ReviewFactory(
        assignment__version=proposal.versions.get(), assignment__reviewer=_reviewer()
    )

    for outsider in (proposal.principal_investigator, _author(draft), _reviewer()):
        with pytest.raises(Http404):
            thread(user=outsider, proposal=proposal)


def test_thread_marks_new_messages_until_read(administrator):
    proposal, reviews = _discussed(reviewers=2)
    reader = _author(reviews[0])
    services.post_message(proposal=proposal, actor=reader, body="Mine.")
    first_new = services.post_message(
        proposal=proposal, actor=_author(reviews[1]), body="New 1."
    )
    services.post_message(proposal=proposal, actor=administrator, body="New 2.")

    before = thread(user=reader, proposal=proposal)
    services.mark_thread_read(proposal=proposal, stage="full", user=reader)
    after = thread(user=reader, proposal=proposal)

    assert (before.unread_count, before.first_new_pk) == (2, first_new.pk)
    assert [post.is_new for post in before.posts] == [False, True, True]
    assert (after.unread_count, after.first_new_pk) == (0, None)


def test_thread_cannot_be_posted_in_once_closed(administrator):
    proposal, reviews = _discussed()
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
    services.close_discussion(opportunity=proposal.opportunity, actor=administrator)

    shown = thread(user=_author(reviews[0]), proposal=proposal)

    assert (shown.can_post, shown.discussion_status) == (False, "closed")


@pytest.mark.parametrize("post_count", [1, 3, 10])
def test_thread_query_count_is_constant(
    django_assert_num_queries, administrator, post_count
):
    proposal, reviews = _discussed()
    authors = [_author(review) for review in reviews] + [administrator]
    for number in range(post_count):
        DiscussionPostFactory(proposal=proposal, author=authors[number % 4])
    reader = _author(reviews[0])

    # assignment, panel, posts (authors), numbering, reader row, released?
    with django_assert_num_queries(6):
        shown = thread(user=reader, proposal=proposal)

    assert len(shown.posts) == post_count


@pytest.mark.parametrize("thread_count", [1, 3, 10])
def test_discussions_waiting_lists_unread_threads_in_one_query(
    django_assert_num_queries, administrator, thread_count
):
    reviewer = _reviewer()
    expected = []
    for _ in range(thread_count):
        proposal, reviews = _discussed(reviewers=1)
        own = ReviewFactory(
            assignment__version=proposal.versions.get(),
            assignment__reviewer=reviewer,
            submitted=True,
        )
        DiscussionPostFactory(proposal=proposal, author=_author(reviews[0]))
        DiscussionPostFactory(proposal=proposal, author=administrator)
        expected.append(own.assignment_id)
    read, read_reviews = _discussed(reviewers=1)
    read_own = ReviewFactory(
        assignment__version=read.versions.get(),
        assignment__reviewer=reviewer,
        submitted=True,
    )
    DiscussionPostFactory(proposal=read, author=_author(read_reviews[0]))
    services.mark_thread_read(proposal=read, stage="full", user=reviewer)
    DiscussionPostFactory(proposal=read, author=reviewer)  # own: not unread

    with django_assert_num_queries(2):  # the Reviewers group, the threads
        waiting = list(discussions_waiting(reviewer=reviewer))

    assert sorted(a.pk for a in waiting) == sorted(expected)
    assert {a.unread_messages for a in waiting} == {2}
    assert read_own.assignment_id not in [a.pk for a in waiting]
    assert all(a.proposal.opportunity.title_en for a in waiting)


def test_discussions_waiting_is_empty_for_others():
    proposal, reviews = _discussed()
    DiscussionPostFactory(proposal=proposal, author=_author(reviews[0]))

    assert list(discussions_waiting(reviewer=UserFactory())) == []


@pytest.mark.parametrize("proposal_count", [1, 3, 10])
def test_threads_for_call_counts_messages_in_one_query(
    django_assert_num_queries, administrator, proposal_count
):
    opportunity = OpportunityFactory(closed=True)
    for _ in range(proposal_count):
        version = ProposalVersionFactory(
            proposal__opportunity=opportunity,
            proposal__status=ProposalStatus.UNDER_REVIEW,
        )
        review = ReviewFactory(assignment__version=version, submitted=True)
        ReviewAssignmentFactory(version=version)
        DiscussionPostFactory(proposal=version.proposal, author=administrator)
        DiscussionPostFactory(proposal=version.proposal, author=_author(review))
    ProposalVersionFactory(proposal__opportunity=opportunity)  # never assigned

    with django_assert_num_queries(1):
        rows = list(threads_for_call(opportunity=opportunity))

    assert [(row.message_count, row.reviews_in) for row in rows] == [
        (2, 1)
    ] * proposal_count
    assert all(row.last_message_at for row in rows)


# --- revisions -------------------------------------------------------------------


def _content(review, **changes):
    criteria = list(review.assignment.proposal.opportunity.criteria.order_by("pk"))
    content = {
        "scores": {criteria[0].pk: 2, criteria[1].pk: 3},
        "comments_for_proposer": "The thermal design fails at night.",
        "confidential_comments": "Reviewer 2 convinced me.",
        "recommendation": "do_not_select",
        "reason": "Reviewer 2's point on the lunar night.",
    }
    return {**content, **changes}


def test_revise_review_keeps_each_earlier_content(administrator):
    proposal, reviews = _discussed()
    review = reviews[0]
    author = _author(review)
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
    first_submitted = Review.objects.get(pk=review.pk).submitted_at

    services.revise_review(review=review, actor=author, **_content(review))
    services.revise_review(
        review=review,
        actor=author,
        **_content(review, comments_for_proposer="Second thoughts.", reason=""),
    )

    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.comments_for_proposer, stored.recommendation) == (
        "submitted",
        "Second thoughts.",
        "do_not_select",
    )
    assert stored.submitted_at > first_submitted
    assert sorted(stored.scores.values_list("score", flat=True)) == [2, 3]
    revisions = review_revisions(review=stored)
    assert [
        (r.number, r.scores, r.recommendation, r.comments_for_proposer, r.reason)
        for r in revisions
    ] == [
        (
            1,
            (("Science", 4), ("Feasibility", 4)),
            "select",
            "A clear case; the thermal design needs detail.",
            "Reviewer 2's point on the lunar night.",
        ),
        (
            2,
            (("Science", 2), ("Feasibility", 3)),
            "do_not_select",
            "The thermal design fails at night.",
            "",
        ),
    ]
    assert revisions[0].submitted_at == first_submitted
    events = list(
        ReviewEvent.objects.filter(review=review).values_list(
            "from_status", "to_status", "note"
        )
    )
    assert events == [
        (
            "submitted",
            "submitted",
            "Revised during the discussion (revision 1). Reviewer 2's point on "
            "the lunar night.",
        ),
        ("submitted", "submitted", "Revised during the discussion (revision 2)."),
    ]


@pytest.mark.parametrize("phase", ["not_opened", "closed"])
def test_revise_review_refused_unless_the_discussion_is_open(administrator, phase):
    proposal, reviews = _discussed()
    if phase == "closed":
        services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
        services.close_discussion(opportunity=proposal.opportunity, actor=administrator)

    with pytest.raises(ReviewLocked) as refusal:
        services.revise_review(
            review=reviews[0], actor=_author(reviews[0]), **_content(reviews[0])
        )

    assert refusal.value.messages == [
        "A submitted review is revised only while the discussion is open."
    ]
    assert review_revisions(review=reviews[0]) == []


def test_revise_review_refused_when_incomplete(administrator):
    proposal, reviews = _discussed()
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
    review = reviews[0]
    criteria = list(proposal.opportunity.criteria.order_by("pk"))

    with pytest.raises(ReviewIncomplete) as refusal:
        services.revise_review(
            review=review,
            actor=_author(review),
            **_content(
                review,
                scores={criteria[0].pk: 5},
                comments_for_proposer=" ",
                recommendation="",
            ),
        )

    assert refusal.value.messages == [
        "Score “Feasibility”.",
        "Give your recommendation.",
        "Write your comments for the proposer.",
    ]
    assert review_revisions(review=review) == []


def test_revise_review_refused_to_anyone_but_its_reviewer(administrator):
    proposal, reviews = _discussed()
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)

    for actor in (_author(reviews[1]), administrator):
        with pytest.raises(PermissionDenied):
            services.revise_review(
                review=reviews[0], actor=actor, **_content(reviews[0])
            )


# --- consensus -------------------------------------------------------------------


def test_write_consensus_by_an_administrator(administrator):
    proposal, _reviews = _discussed()

    report = services.write_consensus(
        proposal=proposal, body=" Strong science. ", actor=administrator
    )

    assert (report.body, report.updated_by) == ("Strong science.", administrator)


def test_write_consensus_by_the_designated_primary_reviewer_only(administrator):
    proposal, reviews = _discussed()
    primary, other = _author(reviews[0]), _author(reviews[1])
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)

    with pytest.raises(PermissionDenied):
        services.write_consensus(proposal=proposal, body="Mine.", actor=primary)
    services.designate_primary_reviewer(
        proposal=proposal, reviewer=primary, actor=administrator
    )
    services.write_consensus(proposal=proposal, body="The panel agrees.", actor=primary)
    with pytest.raises(PermissionDenied):
        services.write_consensus(proposal=proposal, body="No.", actor=other)
    with pytest.raises(PermissionDenied):
        services.write_consensus(
            proposal=proposal, body="No.", actor=proposal.principal_investigator
        )

    report = ConsensusReport.objects.get(proposal=proposal)
    assert (report.body, report.primary_reviewer, report.updated_by) == (
        "The panel agrees.",
        primary,
        primary,
    )


def test_primary_reviewer_stops_writing_once_the_discussion_closes(administrator):
    proposal, reviews = _discussed()
    primary = _author(reviews[0])
    services.designate_primary_reviewer(
        proposal=proposal, reviewer=primary, actor=administrator
    )
    services.open_discussion(opportunity=proposal.opportunity, actor=administrator)
    services.close_discussion(opportunity=proposal.opportunity, actor=administrator)

    with pytest.raises(DiscussionRefused):
        services.write_consensus(proposal=proposal, body="Late.", actor=primary)
    services.write_consensus(proposal=proposal, body="Final.", actor=administrator)

    assert ConsensusReport.objects.get().body == "Final."


def test_designate_primary_reviewer_refuses_someone_not_reviewing_it(administrator):
    proposal, reviews = _discussed()
    outsider = _reviewer(full_name="Dr Outsider")

    with pytest.raises(DiscussionRefused) as refusal:
        services.designate_primary_reviewer(
            proposal=proposal, reviewer=outsider, actor=administrator
        )
    with pytest.raises(PermissionDenied):
        services.designate_primary_reviewer(
            proposal=proposal, reviewer=_author(reviews[0]), actor=_author(reviews[0])
        )

    assert refusal.value.messages == ["Dr Outsider does not review this proposal."]


def test_designate_primary_reviewer_none_gives_it_back(administrator):
    proposal, reviews = _discussed()
    services.designate_primary_reviewer(
        proposal=proposal, reviewer=_author(reviews[0]), actor=administrator
    )

    report = services.designate_primary_reviewer(
        proposal=proposal, reviewer=None, actor=administrator
    )

    assert report.primary_reviewer is None


# --- the digest ------------------------------------------------------------------


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_digest_tells_the_other_participants_not_the_author(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    proposal, reviews = _discussed()
    first, second, third = (_author(review) for review in reviews)
    ReviewFactory(  # a draft: not a participant yet
        assignment__version=proposal.versions.get(), assignment__reviewer=_reviewer()
    )
    services.post_message(proposal=proposal, actor=first, body="Secret worry.")

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_discussion_digests(
            now=timezone.now() + timedelta(minutes=1)
        )

    assert sent == 3
    assert _recipients(mailoutbox) == sorted(
        [second.email, third.email, administrator.email]
    )
    to_second = next(m for m in mailoutbox if m.to == [second.email])
    content = to_second.subject + to_second.body + to_second.alternatives[0][0]
    assert to_second.subject == "New messages in 1 review discussion"
    assert "1 new message, from Reviewer 1" in to_second.body
    assert proposal.reference in to_second.body
    assert "Secret worry." not in content
    assert first.get_full_name() not in content
    assert first.email not in content
    to_admin = next(m for m in mailoutbox if m.to == [administrator.email])
    assert f"1 new message, from {first.get_full_name()}" in to_admin.body


def test_digest_at_most_once_per_person_per_hour(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    proposal, reviews = _discussed(reviewers=2)
    first, second = (_author(review) for review in reviews)
    hour = timezone.now().replace(minute=5, second=0, microsecond=0)
    hour += timedelta(hours=1)
    one = services.post_message(proposal=proposal, actor=first, body="One.")
    DiscussionPost.objects.filter(pk=one.pk).update(
        created_at=hour - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.send_discussion_digests(now=hour)
    after_first = _recipients(mailoutbox)
    two = services.post_message(proposal=proposal, actor=first, body="Two.")
    DiscussionPost.objects.filter(pk=two.pk).update(
        created_at=hour + timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.send_discussion_digests(now=hour + timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        next_hour = services.send_discussion_digests(now=hour + timedelta(hours=1))

    assert after_first == sorted([second.email, administrator.email])
    assert again == 0
    assert next_hour == 2
    assert _recipients(mailoutbox) == sorted([second.email, administrator.email] * 2)
    latest_to_second = [m for m in mailoutbox if m.to == [second.email]][-1]
    assert "1 new message, from Reviewer 1" in latest_to_second.body


def test_digest_leaves_out_what_was_read_or_emailed(
    administrator, django_capture_on_commit_callbacks, mailoutbox
):
    proposal, reviews = _discussed(reviewers=2)
    first, second = (_author(review) for review in reviews)
    services.post_message(proposal=proposal, actor=first, body="One.")
    services.mark_thread_read(proposal=proposal, stage="full", user=second)
    now = timezone.now() + timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_discussion_digests(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        later = services.send_discussion_digests(now=now + timedelta(hours=2))

    assert _recipients(mailoutbox) == [administrator.email]
    assert later == 0


def test_mark_thread_read_refused_to_the_proposer():
    proposal, _reviews = _discussed()

    with pytest.raises(PermissionDenied):
        services.mark_thread_read(
            proposal=proposal, stage="full", user=proposal.principal_investigator
        )


def test_digest_task_runs_hourly_from_beat(
    administrator, settings, django_capture_on_commit_callbacks, mailoutbox
):
    from reviews.tasks import send_discussion_digests_task  # noqa: PLC0415

    proposal, reviews = _discussed(reviewers=1)
    services.post_message(proposal=proposal, actor=_author(reviews[0]), body="Hi.")

    with django_capture_on_commit_callbacks(execute=True):
        queued = send_discussion_digests_task.apply().get()

    entry = settings.CELERY_BEAT_SCHEDULE["reviews-send-discussion-digests"]
    assert (entry["task"], entry["schedule"]) == (
        "reviews.tasks.send_discussion_digests",
        3600.0,
    )
    assert send_discussion_digests_task.name == entry["task"]
    assert queued == 1
    assert _recipients(mailoutbox) == [administrator.email]
