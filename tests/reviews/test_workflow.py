import re
from pathlib import Path

import pytest
from django.utils import timezone

from reviews import workflow
from reviews.enums import AssignmentStatus, ReviewStatus
from reviews.models import AssignmentEvent, Review, ReviewAssignment, ReviewEvent
from tests.factories import (
    EvaluationCriterionFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

A = AssignmentStatus
R = ReviewStatus

ASSIGNMENT_ALLOWED = {
    (A.INVITED, A.ACCEPTED),
    (A.INVITED, A.DECLINED),
    (A.INVITED, A.CONFLICT),
    (A.INVITED, A.CANCELLED),
    (A.ACCEPTED, A.CONFLICT),
    (A.ACCEPTED, A.CANCELLED),
}
ASSIGNMENT_MOVES = [(a, b) for a in A.values for b in A.values]

REVIEW_ALLOWED = {
    (R.DRAFT, R.SUBMITTED),
    (R.SUBMITTED, R.REOPENED),
    (R.REOPENED, R.SUBMITTED),
}
REVIEW_MOVES = [(a, b) for a in R.values for b in R.values]


def test_assignment_table_is_the_documented_one():
    allowed = {
        (current, target)
        for current, targets in workflow.ASSIGNMENT_TRANSITIONS.items()
        for target in targets
    }

    assert allowed == ASSIGNMENT_ALLOWED
    assert set(workflow.ASSIGNMENT_TRANSITIONS) == set(A.values)


def test_review_table_is_the_documented_one():
    allowed = {
        (current, target)
        for current, targets in workflow.REVIEW_TRANSITIONS.items()
        for target in targets
    }

    assert allowed == REVIEW_ALLOWED
    assert set(workflow.REVIEW_TRANSITIONS) == set(R.values)


@pytest.mark.parametrize(("current", "target"), ASSIGNMENT_MOVES)
def test_assignment_transition_follows_the_table(current, target):
    assignment = ReviewAssignmentFactory(
        status=current, conflict_reason="Earlier" if current == A.CONFLICT else ""
    )
    actor = UserFactory()

    if (current, target) in ASSIGNMENT_ALLOWED:
        workflow.transition(assignment, to=target, actor=actor, note="Because.")
        stored = ReviewAssignment.objects.get(pk=assignment.pk)
        event = AssignmentEvent.objects.get(assignment=assignment)
        assert stored.status == target
        assert assignment.status == target
        assert (event.from_status, event.to_status, event.actor) == (
            current,
            target,
            actor,
        )
        assert event.note == "Because."
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.transition(assignment, to=target, actor=actor)
        assert ReviewAssignment.objects.get(pk=assignment.pk).status == current
        assert not AssignmentEvent.objects.filter(assignment=assignment).exists()


@pytest.mark.parametrize(("current", "target"), REVIEW_MOVES)
def test_review_transition_follows_the_table(current, target):
    review = ReviewFactory(
        status=current, submitted_at=timezone.now() if current == R.SUBMITTED else None
    )
    actor = UserFactory()

    if (current, target) in REVIEW_ALLOWED:
        workflow.transition(review, to=target, actor=actor, note="Why.")
        stored = Review.objects.get(pk=review.pk)
        event = ReviewEvent.objects.get(review=review)
        assert stored.status == target
        assert (event.from_status, event.to_status, event.actor, event.note) == (
            current,
            target,
            actor,
            "Why.",
        )
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.transition(review, to=target, actor=actor)
        assert Review.objects.get(pk=review.pk).status == current
        assert not ReviewEvent.objects.filter(review=review).exists()


def test_accepting_opens_a_draft_review():
    assignment = ReviewAssignmentFactory()

    workflow.transition(assignment, to=A.ACCEPTED, actor=assignment.reviewer)

    review = Review.objects.get(assignment=assignment)
    assert review.status == R.DRAFT
    assert ReviewAssignment.objects.get(pk=assignment.pk).responded_at is not None


def test_conflict_keeps_the_note_as_its_reason():
    assignment = ReviewAssignmentFactory()

    workflow.transition(
        assignment, to=A.CONFLICT, actor=assignment.reviewer, note="Former student."
    )

    stored = ReviewAssignment.objects.get(pk=assignment.pk)
    assert stored.conflict_reason == "Former student."
    assert stored.responded_at is not None


def test_declining_keeps_the_note_as_its_reason():
    assignment = ReviewAssignmentFactory()

    workflow.transition(
        assignment, to=A.DECLINED, actor=assignment.reviewer, note="No time."
    )

    assert ReviewAssignment.objects.get(pk=assignment.pk).decline_reason == "No time."


def test_submitting_sets_the_time():
    EvaluationCriterionFactory()
    review = ReviewFactory()

    workflow.transition(review, to=R.SUBMITTED, actor=review.assignment.reviewer)

    assert Review.objects.get(pk=review.pk).submitted_at is not None


def test_transition_refuses_other_objects():
    with pytest.raises(TypeError):
        workflow.transition(UserFactory(), to="x", actor=None)


def test_allowed_targets_reads_the_table():
    assignment = ReviewAssignmentFactory(accepted=True)

    assert workflow.allowed_targets(assignment) == {A.CONFLICT, A.CANCELLED}
    assert workflow.allowed_targets(ReviewFactory(assignment=assignment)) == {
        R.SUBMITTED
    }


def test_only_the_workflow_assigns_a_status():
    """Nothing but workflow.transition assigns ReviewAssignment.status or
    Review.status in the reviews app."""
    root = Path(__file__).resolve().parents[2] / "reviews"
    assignment = re.compile(r"\.status\s*=[^=]")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path.name != "workflow.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if assignment.search(line)
    ]

    assert offenders == []
