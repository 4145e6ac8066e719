import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.enums import SCORE_DESCRIPTIONS, DecisionOutcome, Score
from reviews.models import (
    Decision,
    DecisionLetterTemplate,
    ReviewAssignment,
    ReviewerProfile,
    ReviewScore,
    split_keywords,
)
from tests.factories import (
    EvaluationCriterionFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
)


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("Radon, lunar  dust; regolith", ["radon", "lunar dust", "regolith"]),
        ("月壤，氡、尘埃", ["月壤", "氡", "尘埃"]),
        ("radon, Radon, ,", ["radon"]),
        ("", []),
    ],
)
def test_split_keywords_normalises(text, keywords):
    assert split_keywords(text) == keywords


def test_score_scale_has_a_description_for_every_step():
    assert [int(step) for step in Score] == [1, 2, 3, 4, 5]
    assert [str(step.label) for step in Score] == [
        "1 — Poor",
        "2 — Fair",
        "3 — Good",
        "4 — Very good",
        "5 — Excellent",
    ]
    assert set(SCORE_DESCRIPTIONS) == set(Score)


def test_decision_outcomes_are_proposal_statuses():
    from proposals.enums import ProposalStatus  # noqa: PLC0415

    assert set(DecisionOutcome.values) <= set(ProposalStatus.values)


@pytest.mark.django_db
def test_profile_lists_keywords_and_affiliations():
    profile = ReviewerProfile(
        user=ReviewerFactory(),
        expertise="Mass spectrometry, radon",
        other_institutions="ESA ESTEC\n\n  University of Bern  \n",
    )

    assert profile.expertise_keywords == ["mass spectrometry", "radon"]
    assert profile.other_institution_names == ["ESA ESTEC", "University of Bern"]


@pytest.mark.django_db
def test_one_active_assignment_per_reviewer_proposal_and_stage():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignmentFactory(
            version=assignment.version, reviewer=assignment.reviewer
        )


@pytest.mark.django_db
def test_an_ended_assignment_does_not_block_a_new_one():
    declined = ReviewAssignmentFactory(status="declined")

    again = ReviewAssignmentFactory(
        version=declined.version, reviewer=declined.reviewer
    )

    assert again.pk != declined.pk


@pytest.mark.django_db
def test_a_conflict_states_its_reason():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.filter(pk=assignment.pk).update(status="conflict")


@pytest.mark.django_db
def test_unknown_status_refused_by_the_database():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.filter(pk=assignment.pk).update(status="lost")


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6])
def test_scores_run_from_1_to_5(score):
    review = ReviewFactory()
    criterion = EvaluationCriterionFactory(
        opportunity=review.assignment.proposal.opportunity
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewScore.objects.create(review=review, criterion=criterion, score=score)


@pytest.mark.django_db
def test_one_score_per_criterion():
    review = ReviewFactory()
    criterion = EvaluationCriterionFactory(
        opportunity=review.assignment.proposal.opportunity
    )
    ReviewScore.objects.create(review=review, criterion=criterion, score=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewScore.objects.create(review=review, criterion=criterion, score=4)


@pytest.mark.django_db
def test_a_submitted_review_has_its_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(status="submitted", submitted_at=None)


@pytest.mark.django_db
def test_a_conditional_decision_states_its_conditions():
    proposal = ProposalFactory(submitted=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            proposal=proposal,
            outcome=DecisionOutcome.CONDITIONALLY_SELECTED,
            letter="Dear…",
            decided_at=timezone.now(),
        )


@pytest.mark.django_db
def test_one_letter_template_per_outcome_and_call():
    opportunity = ProposalFactory().opportunity
    DecisionLetterTemplate.objects.create(
        opportunity=opportunity, outcome="selected", body="A"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionLetterTemplate.objects.create(
            opportunity=opportunity, outcome="selected", body="B"
        )


@pytest.mark.django_db
def test_str_names_the_proposal_and_the_reviewer():
    review = ReviewFactory(assignment__reviewer__full_name="Dr Eva Jansen")
    reference = review.assignment.proposal.reference

    assert str(review.assignment) == f"{reference} → Dr Eva Jansen"
    assert str(review) == f"{reference} → Dr Eva Jansen"
