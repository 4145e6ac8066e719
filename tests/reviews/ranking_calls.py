"""Calls with reviews for the ranking's tests: a hand-computed call and the
pieces to build others (used by test_ranking_selector and test_ranking_kept)."""

from decimal import Decimal

import pytest

from proposals.enums import ProposalStage, ProposalStatus
from tests.factories import (
    CarrierFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
)


def make_call(weights=("40", "30", "30"), **call):
    opportunity = OpportunityFactory(closed=True, **call)
    for order, weight in enumerate(weights):
        EvaluationCriterionFactory(
            opportunity=opportunity, weight=Decimal(weight), order=order
        )
    CarrierFactory(opportunity=opportunity)
    return opportunity


def make_proposal(
    opportunity,
    reference,
    status=ProposalStatus.UNDER_REVIEW,
    stage=ProposalStage.FULL,
):
    version = ProposalVersionFactory(
        proposal__opportunity=opportunity,
        proposal__status=status,
        proposal__stage=stage,
        proposal__reference=reference,
        proposal__carrier=opportunity.carriers.first(),
        reference=reference,
    )
    return version.proposal


def submit_review(proposal, reviewer, score, **review):
    """A submitted review scoring every criterion `score` (or a dict)."""
    assignment = ReviewAssignmentFactory(
        version=proposal.versions.get(), reviewer=reviewer, accepted=True
    )
    return ReviewFactory(
        assignment=assignment, scores=score, **({"submitted": True} | review)
    )


def assign(proposal, reviewer, status="invited"):
    return ReviewAssignmentFactory(
        version=proposal.versions.get(), reviewer=reviewer, status=status
    )


@pytest.fixture
def hand_call():
    """Three reviewers, four scored proposals, every review one score on every
    criterion (so its weighted score is that score). By hand:

    R1 (lenient) P 5, Q 5, S 4: mean 14/3, deviations 1/3, 1/3, −2/3,
       variance (1/9 + 1/9 + 4/9) / 3 = 2/9, sd √2/3 = 0.471405;
       z: P +0.707107, Q +0.707107, S −1.414214.
    R2 (harsh) Q 2, S 1, T 3: mean 2, deviations 0, −1, +1, variance 2/3,
       sd 0.816497; z: Q 0, S −1.224745, T +1.224745.
    R3 P 3, T 4: mean 3.5, deviations ∓0.5, variance 0.25, sd 0.5;
       z: P −1, T +1.

    Per proposal (mean, spread; normalised = mean z):
    P: 5, 3 → 4.00, 2.00; (0.707107 − 1) / 2 = −0.146447 → −0.15
    Q: 5, 2 → 3.50, 3.00; (0.707107 + 0) / 2 = 0.353553 → 0.35
    S: 4, 1 → 2.50, 3.00; (−1.414214 − 1.224745) / 2 = −1.319479 → −1.32
    T: 3, 4 → 3.50, 1.00; (1.224745 + 1) / 2 = 1.112372 → 1.11
    rank_mean: P 1, Q 2, T 2, S 4; rank_normalised: T 1, Q 2, P 3, S 4.

    Besides: P also has an invited assignment (2 of 3 in: incomplete), Q a
    declined one and T a cancelled one (neither assigned), U only an invited
    one (0 of 1, unscored) and V, at the stage but unassigned, nothing.
    """
    opportunity = make_call()
    r1, r2, r3, r4 = ReviewerFactory.create_batch(4)
    made = {name: make_proposal(opportunity, f"AO-{name}") for name in "PQSTUV"}
    for reviewer, scores in (
        (r1, {"P": 5, "Q": 5, "S": 4}),
        (r2, {"Q": 2, "S": 1, "T": 3}),
        (r3, {"P": 3, "T": 4}),
    ):
        for name, score in scores.items():
            submit_review(made[name], reviewer, score)
    assign(made["P"], r4)
    assign(made["Q"], r4, status="declined")
    assign(made["T"], r4, status="cancelled")
    assign(made["U"], r4)
    return opportunity, made
