from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from proposals.enums import ProposalStatus
from proposals.models import Proposal, ProposalEvent
from reviews import services
from reviews.enums import AssignmentStatus, ReviewStatus
from reviews.models import (
    AssignmentEvent,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewEvent,
    ReviewScore,
)
from reviews.services import (
    AssignmentRefused,
    ReviewIncomplete,
    ReviewLocked,
)
from reviews.workflow import TransitionNotAllowed
from tests.factories import (
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _due(days=14):
    return timezone.now() + timedelta(days=days)


def _submitted_proposal(**kwargs):
    """A submitted proposal (not yet under review) of a closed call, with v1."""
    return ProposalVersionFactory(**kwargs).proposal


# --- assigning ------------------------------------------------------------------


def test_assign_reviewer_invites_on_the_version_for_review(admin_user):
    proposal = _submitted_proposal()
    ProposalVersionFactory(
        proposal=proposal,
        submitted_at=proposal.opportunity.proposal_deadline + timedelta(hours=1),
    )  # after the deadline: not the one reviewed
    reviewer = ReviewerFactory()
    due = _due()

    assignment = services.assign_reviewer(
        proposal=proposal, reviewer=reviewer, due=due, actor=admin_user
    )

    stored = ReviewAssignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.stage, stored.version.number, stored.due_at) == (
        AssignmentStatus.INVITED,
        "full",
        1,
        due,
    )
    assert stored.assigned_by == admin_user
    event = AssignmentEvent.objects.get(assignment=assignment)
    assert (event.from_status, event.to_status, event.actor) == (
        "",
        "invited",
        admin_user,
    )


def test_assign_reviewer_moves_a_submitted_proposal_under_review(admin_user):
    proposal = _submitted_proposal()

    services.assign_reviewer(
        proposal=proposal, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
    )

    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.UNDER_REVIEW
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.from_status, event.to_status, event.note) == (
        "submitted",
        "under_review",
        "Review started.",
    )


def test_assign_reviewer_is_for_administrators_only():
    proposal = _submitted_proposal()

    with pytest.raises(PermissionDenied):
        services.assign_reviewer(
            proposal=proposal,
            reviewer=ReviewerFactory(),
            due=_due(),
            actor=ReviewerFactory(),
        )

    assert not ReviewAssignment.objects.exists()


def test_assign_reviewer_refuses_a_conflict_with_its_reason(admin_user):
    proposal = _submitted_proposal()
    reviewer = ReviewerFactory()
    TeamMemberFactory(proposal=proposal, user=reviewer, name="Dr Eva Jansen")

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal, reviewer=reviewer, due=_due(), actor=admin_user
        )

    assert refusal.value.messages == [
        "The reviewer is on the proposal's team (Dr Eva Jansen)."
    ]
    assert not ReviewAssignment.objects.exists()
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED


def test_assign_reviewer_to_a_letter_once_its_deadline_has_passed(admin_user):
    opportunity = OpportunityFactory(
        loi_deadline=timezone.now() - timedelta(days=1),
        opens_at=timezone.now() - timedelta(days=30),
    )
    letter = ProposalVersionFactory(
        proposal__opportunity=opportunity, proposal__stage="loi"
    ).proposal

    assignment = services.assign_reviewer(
        proposal=letter, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
    )

    assert (assignment.stage, assignment.version.stage) == ("loi", "loi")
    assert Proposal.objects.get(pk=letter.pk).status == ProposalStatus.UNDER_REVIEW


def test_assign_reviewer_refuses_before_the_deadline(admin_user):
    proposal = ProposalVersionFactory(
        proposal__opportunity=OpportunityFactory()
    ).proposal

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
        )

    assert refusal.value.messages[0].startswith(
        "Reviewers are assigned once the deadline has passed ("
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "This proposal is draft: only submitted proposals are reviewed."),
        (
            "withdrawn",
            "This proposal is withdrawn: only submitted proposals are reviewed.",
        ),
        (
            "selected",
            "This proposal is selected: only submitted proposals are reviewed.",
        ),
    ],
)
def test_assign_reviewer_refuses_proposals_not_in_review(admin_user, status, message):
    proposal = _submitted_proposal(proposal__status=status)

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
        )

    assert refusal.value.messages == [message]


def test_assign_reviewer_refuses_a_decided_call(admin_user):
    proposal = _submitted_proposal(
        proposal__opportunity=OpportunityFactory(decided=True)
    )

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
        )

    assert refusal.value.messages == ["The call is decided."]


def test_assign_reviewer_refuses_without_a_version_before_the_deadline(admin_user):
    proposal = ProposalFactory(
        submitted=True, opportunity=OpportunityFactory(closed=True)
    )

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal, reviewer=ReviewerFactory(), due=_due(), actor=admin_user
        )

    assert refusal.value.messages == [
        "This proposal has no version submitted before its deadline."
    ]


def test_assign_reviewer_gives_every_reason_at_once(admin_user):
    proposal = _submitted_proposal()
    stranger = UserFactory(full_name="Jo Bloggs", staff=True)
    TeamMemberFactory(proposal=proposal, user=stranger, name="Jo Bloggs")

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=proposal,
            reviewer=stranger,
            due=timezone.now() - timedelta(days=1),
            actor=admin_user,
        )

    assert refusal.value.messages == [
        "Jo Bloggs is not a reviewer: reviewers are active staff accounts in the "
        "Reviewers group.",
        "The reviewer is on the proposal's team (Jo Bloggs).",
        "The due date must be in the future.",
    ]


def test_assign_reviewer_refuses_the_same_reviewer_twice(admin_user):
    assignment = ReviewAssignmentFactory()

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=assignment.proposal,
            reviewer=assignment.reviewer,
            due=_due(),
            actor=admin_user,
        )

    assert refusal.value.messages == [
        f"{assignment.reviewer.get_full_name()} is already assigned to this proposal."
    ]


def test_assign_reviewer_after_a_decline_asks_again(admin_user):
    declined = ReviewAssignmentFactory(status="declined")

    again = services.assign_reviewer(
        proposal=declined.proposal,
        reviewer=declined.reviewer,
        due=_due(),
        actor=admin_user,
    )

    assert again.pk != declined.pk


def test_assign_reviewer_refuses_after_a_declared_conflict(admin_user):
    earlier = ReviewAssignmentFactory(status="conflict", conflict_reason="Friend.")

    with pytest.raises(AssignmentRefused) as refusal:
        services.assign_reviewer(
            proposal=earlier.proposal,
            reviewer=earlier.reviewer,
            due=_due(),
            actor=admin_user,
        )

    assert refusal.value.messages == [
        "The reviewer declared a conflict of interest on this proposal."
    ]


def test_assign_reviewers_makes_the_good_pairs_and_reports_the_others(admin_user):
    first, second = _submitted_proposal(), _submitted_proposal()
    reviewer = ReviewerFactory()
    TeamMemberFactory(proposal=second, user=reviewer, name="Dr Own")

    result = services.assign_reviewers(
        pairs=[(first, reviewer), (second, reviewer)], due=_due(), actor=admin_user
    )

    assert [a.proposal for a in result.assigned] == [first]
    assert result.refused == [
        (second, reviewer, ["The reviewer is on the proposal's team (Dr Own)."])
    ]
    assert ReviewAssignment.objects.count() == 1


def test_accept_assignment_opens_the_review(admin_user):
    assignment = ReviewAssignmentFactory()

    services.accept_assignment(assignment=assignment, actor=assignment.reviewer)

    assert ReviewAssignment.objects.get(pk=assignment.pk).status == "accepted"
    assert Review.objects.get(assignment=assignment).status == ReviewStatus.DRAFT
    assert AssignmentEvent.objects.get(assignment=assignment).note == (
        "No conflict of interest declared."
    )


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_invited_reviewer_answers(admin_user, action):
    assignment = ReviewAssignmentFactory()
    answer = getattr(services, f"{action}_assignment")

    for intruder in (ReviewerFactory(), admin_user):
        with pytest.raises(PermissionDenied):
            answer(assignment=assignment, actor=intruder)

    assert ReviewAssignment.objects.get(pk=assignment.pk).status == "invited"


def test_decline_assignment_keeps_the_reason():
    assignment = ReviewAssignmentFactory()

    services.decline_assignment(
        assignment=assignment, actor=assignment.reviewer, reason=" On leave. "
    )

    stored = ReviewAssignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.decline_reason) == ("declined", "On leave.")


def test_declare_conflict_needs_a_reason():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(ValidationError) as error:
        services.declare_conflict(
            assignment=assignment, actor=assignment.reviewer, reason="  "
        )

    assert error.value.message_dict == {"reason": ["Give a reason."]}
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == "invited"


def test_declare_conflict_after_accepting_ends_the_assignment():
    review = ReviewFactory()
    assignment = review.assignment

    services.declare_conflict(
        assignment=assignment, actor=assignment.reviewer, reason="We co-author."
    )

    stored = ReviewAssignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.conflict_reason) == ("conflict", "We co-author.")


def test_declare_conflict_only_by_the_reviewer():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            assignment=assignment, actor=ReviewerFactory(), reason="x"
        )


def test_cancel_assignment_by_an_administrator(admin_user):
    assignment = ReviewAssignmentFactory()

    services.cancel_assignment(assignment=assignment, actor=admin_user, reason="Ill.")

    assert ReviewAssignment.objects.get(pk=assignment.pk).status == "cancelled"
    with pytest.raises(TransitionNotAllowed):
        services.cancel_assignment(assignment=assignment, actor=admin_user)


def test_cancel_assignment_refused_to_the_reviewer():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(PermissionDenied):
        services.cancel_assignment(assignment=assignment, actor=assignment.reviewer)


def test_change_due_date_records_it(admin_user):
    assignment = ReviewAssignmentFactory()
    due = _due(30)

    services.change_due_date(assignment=assignment, due=due, actor=admin_user)

    assert ReviewAssignment.objects.get(pk=assignment.pk).due_at == due
    event = AssignmentEvent.objects.get(assignment=assignment)
    assert (event.from_status, event.to_status) == ("invited", "invited")
    assert event.note.startswith("Due date moved to ")


def test_change_due_date_refuses_the_past_and_ended_assignments(admin_user):
    assignment = ReviewAssignmentFactory()
    ended = ReviewAssignmentFactory(status="declined")

    with pytest.raises(AssignmentRefused) as past:
        services.change_due_date(
            assignment=assignment, due=timezone.now(), actor=admin_user
        )
    with pytest.raises(AssignmentRefused) as over:
        services.change_due_date(assignment=ended, due=_due(), actor=admin_user)

    assert past.value.messages == ["The due date must be in the future."]
    assert over.value.messages == ["This assignment is declined."]


def test_update_reviewer_profile_by_the_reviewer_or_an_administrator(admin_user):
    reviewer = ReviewerFactory()

    services.update_reviewer_profile(
        reviewer=reviewer, actor=reviewer, expertise="radon, dust "
    )
    services.update_reviewer_profile(
        reviewer=reviewer,
        actor=admin_user,
        expertise="radon, dust",
        other_institutions="ESA ESTEC",
    )
    with pytest.raises(PermissionDenied):
        services.update_reviewer_profile(
            reviewer=reviewer, actor=ReviewerFactory(), expertise="x"
        )

    profile = ReviewerProfile.objects.get(user=reviewer)
    assert profile.expertise_keywords == ["radon", "dust"]
    assert profile.other_institution_names == ["ESA ESTEC"]


# --- scoring --------------------------------------------------------------------


def _review_with_criteria(count=2, **kwargs):
    review = ReviewFactory(**kwargs)
    opportunity = review.assignment.proposal.opportunity
    criteria = EvaluationCriterionFactory.create_batch(count, opportunity=opportunity)
    return review, criteria


def _complete(review, criteria, **extra):
    return services.save_review_draft(
        review=review,
        actor=review.assignment.reviewer,
        scores={c.pk: 4 for c in criteria},
        comments_for_proposer="Solid science case.",
        confidential_comments="Budget optimistic.",
        recommendation="select",
        **extra,
    )


def test_save_review_draft_stores_scores_and_comments():
    review, (first, second) = _review_with_criteria()

    services.save_review_draft(
        review=review,
        actor=review.assignment.reviewer,
        scores={str(first.pk): "5", second.pk: None},
        comments_for_proposer=" Clear. ",
        confidential_comments="Between us.",
        recommendation="select_with_conditions",
    )

    stored = Review.objects.get(pk=review.pk)
    assert dict(ReviewScore.objects.values_list("criterion_id", "score")) == {
        first.pk: 5
    }
    assert (
        stored.comments_for_proposer,
        stored.confidential_comments,
        stored.recommendation,
        stored.status,
    ) == ("Clear.", "Between us.", "select_with_conditions", "draft")


def test_save_review_draft_replaces_the_scores():
    review, (first, second) = _review_with_criteria()
    _complete(review, [first, second])

    services.save_review_draft(
        review=review, actor=review.assignment.reviewer, scores={second.pk: 2}
    )

    assert dict(ReviewScore.objects.values_list("criterion_id", "score")) == {
        second.pk: 2
    }


@pytest.mark.parametrize("value", [0, 6, "good", 3.5])
def test_save_review_draft_refuses_scores_outside_1_to_5(value):
    review, (criterion, _other) = _review_with_criteria()

    with pytest.raises(ValidationError) as error:
        services.save_review_draft(
            review=review,
            actor=review.assignment.reviewer,
            scores={criterion.pk: value},
        )

    assert error.value.message_dict == {
        "scores": [
            f"The score for “{criterion.name}” must be a whole number from 1 to 5."
        ]
    }
    assert not ReviewScore.objects.exists()


def test_save_review_draft_refuses_criteria_of_another_call():
    review, _criteria = _review_with_criteria()
    foreign = EvaluationCriterionFactory()

    with pytest.raises(ValidationError) as error:
        services.save_review_draft(
            review=review, actor=review.assignment.reviewer, scores={foreign.pk: 3}
        )

    assert error.value.message_dict == {
        "scores": ["A score was given for a criterion of another call."]
    }


@pytest.mark.parametrize("who", ["other reviewer", "administrator", "investigator"])
def test_only_the_reviewer_scores(admin_user, who):
    review, criteria = _review_with_criteria()
    actor = {
        "other reviewer": ReviewerFactory(),
        "administrator": admin_user,
        "investigator": review.assignment.proposal.principal_investigator,
    }[who]

    with pytest.raises(PermissionDenied):
        services.save_review_draft(
            review=review, actor=actor, scores={criteria[0].pk: 3}
        )
    with pytest.raises(PermissionDenied):
        services.submit_review(review=review, actor=actor)


def test_submit_review_lists_everything_missing():
    review, (first, second) = _review_with_criteria()
    services.save_review_draft(
        review=review, actor=review.assignment.reviewer, scores={first.pk: 3}
    )

    with pytest.raises(ReviewIncomplete) as refusal:
        services.submit_review(review=review, actor=review.assignment.reviewer)

    assert refusal.value.messages == [
        f"Score “{second.name}”.",
        "Give your recommendation.",
        "Write your comments for the proposer.",
    ]
    assert Review.objects.get(pk=review.pk).status == "draft"


def test_submitted_review_is_locked():
    review, criteria = _review_with_criteria()
    _complete(review, criteria)

    services.submit_review(review=review, actor=review.assignment.reviewer)

    stored = Review.objects.get(pk=review.pk)
    assert stored.status == "submitted"
    assert stored.submitted_at is not None
    with pytest.raises(ReviewLocked) as refusal:
        _complete(review, criteria)
    assert refusal.value.messages == [
        "This review is submitted and locked; an administrator can reopen it."
    ]


def test_scoring_needs_the_declaration_of_no_conflict():
    assignment = ReviewAssignmentFactory()
    review = Review.objects.create(assignment=assignment)  # opened out of order

    with pytest.raises(PermissionDenied):
        services.save_review_draft(review=review, actor=assignment.reviewer, scores={})


def test_scoring_stops_when_the_proposal_leaves_review():
    review, criteria = _review_with_criteria()
    Proposal.objects.filter(pk=review.assignment.proposal_id).update(
        status=ProposalStatus.NOT_SELECTED
    )

    with pytest.raises(ReviewLocked) as refusal:
        _complete(review, criteria)

    assert refusal.value.messages == ["This proposal is no longer in review."]


def test_scoring_stops_when_a_newer_version_is_to_be_reviewed():
    review, criteria = _review_with_criteria()
    # The deadline was extended and the proposal submitted again before it.
    ProposalVersionFactory(proposal=review.assignment.proposal)

    with pytest.raises(ReviewLocked) as refusal:
        _complete(review, criteria)

    assert refusal.value.messages == [
        "The proposal was submitted again after this assignment was made; an "
        "administrator must assign the new version."
    ]


def test_reopen_review_is_recorded_with_who_when_and_why(admin_user):
    review, criteria = _review_with_criteria()
    _complete(review, criteria)
    services.submit_review(review=review, actor=review.assignment.reviewer)

    services.reopen_review(review=review, actor=admin_user, reason="Score the annex.")
    _complete(review, criteria)
    services.submit_review(review=review, actor=review.assignment.reviewer)

    history = list(
        ReviewEvent.objects.filter(review=review).values_list(
            "from_status", "to_status", "actor", "note"
        )
    )
    reviewer = review.assignment.reviewer.pk
    assert history == [
        ("draft", "submitted", reviewer, ""),
        ("submitted", "reopened", admin_user.pk, "Score the annex."),
        ("reopened", "submitted", reviewer, ""),
    ]
    assert all(event.at for event in ReviewEvent.objects.filter(review=review))


def test_reopen_review_needs_an_administrator_and_a_reason(admin_user):
    review = ReviewFactory(submitted=True)

    with pytest.raises(PermissionDenied):
        services.reopen_review(
            review=review, actor=review.assignment.reviewer, reason="x"
        )
    with pytest.raises(ValidationError):
        services.reopen_review(review=review, actor=admin_user, reason=" ")

    assert Review.objects.get(pk=review.pk).status == "submitted"


def test_reopen_review_refuses_a_draft(admin_user):
    review = ReviewFactory()

    with pytest.raises(PermissionDenied):
        services.reopen_review(review=review, actor=admin_user, reason="x")
