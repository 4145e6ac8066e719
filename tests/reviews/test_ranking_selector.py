"""reviews.selectors.standings: the ranking computed in SQL — normalised scores
against a hand computation, ties, the panel's disagreement threshold and triage
line, completeness, the same figures as reviews.scoring on a random call, and
one query for a page of rows."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from proposals.enums import ProposalStage, ProposalStatus
from reviews import scoring
from reviews.enums import DecisionOutcome
from reviews.models import Decision, Panel
from reviews.selectors.standings import (
    RANKING_SORTS,
    RankingSummary,
    ranking_rows,
    ranking_summary,
)
from tests.factories import (
    ReviewerFactory,
)
from tests.reviews.ranking_calls import (
    make_call,
    make_proposal,
    submit_review,
)

pytestmark = pytest.mark.django_db


def _by_reference(rows):
    return {row.reference.removeprefix("AO-"): row for row in rows}


def test_ranking_rows_normalise_as_computed_by_hand(hand_call):
    opportunity, _made = hand_call

    rows = _by_reference(ranking_rows(opportunity=opportunity))

    assert {name: rows[name].normalised for name in "PQST"} == {
        "P": Decimal("-0.15"),
        "Q": Decimal("0.35"),
        "S": Decimal("-1.32"),
        "T": Decimal("1.11"),
    }
    assert {name: rows[name].weighted_mean for name in "PQST"} == {
        "P": Decimal("4.00"),
        "Q": Decimal("3.50"),
        "S": Decimal("2.50"),
        "T": Decimal("3.50"),
    }
    assert {name: rows[name].spread for name in "PQST"} == {
        "P": Decimal("2.00"),
        "Q": Decimal("3.00"),
        "S": Decimal("3.00"),
        "T": Decimal("1.00"),
    }


def test_ranking_rows_rank_ties_by_standard_competition(hand_call):
    opportunity, _made = hand_call

    rows = list(ranking_rows(opportunity=opportunity))

    assert [(row.reference, row.rank_mean) for row in rows] == [
        ("AO-P", 1),
        ("AO-Q", 2),
        ("AO-T", 2),
        ("AO-S", 4),
        ("AO-U", None),
        ("AO-V", None),
    ]
    assert {row.reference: row.rank_normalised for row in rows} == {
        "AO-T": 1,
        "AO-Q": 2,
        "AO-P": 3,
        "AO-S": 4,
        "AO-U": None,
        "AO-V": None,
    }


def test_ranking_rows_count_reviews_in_of_those_assigned(hand_call):
    opportunity, _made = hand_call

    rows = _by_reference(ranking_rows(opportunity=opportunity))

    assert {
        name: (row.reviews_in, row.reviews_assigned, row.incomplete)
        for name, row in rows.items()
    } == {
        "P": (2, 3, True),
        "Q": (2, 2, False),
        "S": (2, 2, False),
        "T": (2, 2, False),
        "U": (0, 1, True),
        "V": (0, 0, False),
    }
    assert (rows["U"].weighted_mean, rows["U"].normalised, rows["U"].spread) == (
        None,
        None,
        None,
    )


def test_ranking_rows_flag_disagreement_at_the_default_threshold(hand_call):
    opportunity, _made = hand_call

    rows = ranking_rows(opportunity=opportunity).filter(disagreement=True)

    assert sorted(row.reference for row in rows) == ["AO-P", "AO-Q", "AO-S"]


@pytest.mark.parametrize(
    ("threshold", "flagged"),
    [
        ("2.00", ["AO-P", "AO-Q", "AO-S"]),  # P's spread is exactly 2.00
        ("2.50", ["AO-Q", "AO-S"]),
        ("3.01", []),
    ],
)
def test_ranking_rows_flag_disagreement_at_the_panels_threshold(
    hand_call, threshold, flagged
):
    opportunity, _made = hand_call
    Panel.objects.create(
        opportunity=opportunity, disagreement_threshold=Decimal(threshold)
    )

    rows = ranking_rows(opportunity=opportunity).filter(disagreement=True)

    assert sorted(row.reference for row in rows) == flagged


@pytest.mark.parametrize(
    ("percent", "triaged"),
    [
        (None, []),
        (25, ["AO-S"]),  # 4 scored: cut ceil(4 × 75 / 100) = 3, rank 4 below it
        (50, ["AO-P", "AO-S"]),  # cut 2
        (90, ["AO-P", "AO-Q", "AO-S"]),  # cut ceil(0.4) = 1
    ],
)
def test_ranking_rows_triage_the_bottom_share_by_normalised_score(
    hand_call, percent, triaged
):
    opportunity, _made = hand_call
    Panel.objects.create(opportunity=opportunity, triage_percent=percent)

    rows = ranking_rows(opportunity=opportunity).filter(triaged=True)

    assert sorted(row.reference for row in rows) == triaged


def test_ranking_rows_keep_tied_proposals_above_the_triage_line():
    """Normalised ranks 1, 2, 2, 4 with a cut at 2 triage only the 4th: a
    single reviewer of four proposals, scores 5, 4, 4, 1."""
    opportunity = make_call()
    reviewer = ReviewerFactory()
    for name, score in zip("ABCD", (5, 4, 4, 1), strict=True):
        submit_review(make_proposal(opportunity, f"AO-{name}"), reviewer, score)
    Panel.objects.create(opportunity=opportunity, triage_percent=50)

    rows = ranking_rows(opportunity=opportunity)

    assert [(row.rank_normalised, row.triaged) for row in rows] == [
        (1, False),
        (2, False),
        (2, False),
        (4, True),
    ]


def test_ranking_rows_filtered_keep_their_ranks(hand_call):
    opportunity, _made = hand_call

    rows = ranking_rows(opportunity=opportunity).filter(reference="AO-S")

    assert [(row.rank_mean, row.rank_normalised) for row in rows] == [(4, 4)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rank_mean", ["P", "Q", "T", "S", "U", "V"]),
        ("rank_normalised", ["T", "Q", "P", "S", "U", "V"]),
        ("weighted_mean", ["P", "Q", "T", "S", "U", "V"]),
        ("normalised", ["T", "Q", "P", "S", "U", "V"]),
        ("spread", ["Q", "S", "P", "T", "U", "V"]),
        ("reference", ["P", "Q", "S", "T", "U", "V"]),
    ],
)
def test_ranking_rows_sort_in_the_database(hand_call, sort, expected):
    opportunity, made = hand_call
    # Ties fall back to the proposal id: make it the reference's order.
    assert [made[name].pk for name in "PQSTUV"] == sorted(
        made[name].pk for name in "PQSTUV"
    )

    rows = ranking_rows(opportunity=opportunity).order_by(*RANKING_SORTS[sort])

    assert [row.reference.removeprefix("AO-") for row in rows] == expected


def test_ranking_rows_work_as_a_subquery_and_count(hand_call):
    opportunity, made = hand_call
    rows = ranking_rows(opportunity=opportunity)
    flagged = rows.filter(disagreement=True).order_by(F("spread").desc())

    inner = type(made["P"]).objects.filter(pk__in=flagged.values("pk"))

    assert rows.count() == 6
    assert sorted(proposal.reference for proposal in inner) == [
        "AO-P",
        "AO-Q",
        "AO-S",
    ]
    assert list(rows.filter(rank_normalised__lte=2).values_list("reference")) == [
        ("AO-Q",),
        ("AO-T",),
    ]


def test_ranking_rows_leave_out_withdrawn_proposals_and_their_scores(hand_call):
    """R1 also scored a withdrawn proposal 1: it would lower R1's mean and move
    every z-score if it counted."""
    opportunity, made = hand_call
    r1 = made["P"].review_assignments.order_by("pk").first().reviewer
    submit_review(make_proposal(opportunity, "AO-W", ProposalStatus.WITHDRAWN), r1, 1)

    rows = _by_reference(ranking_rows(opportunity=opportunity))

    assert "W" not in rows
    assert rows["P"].normalised == Decimal("-0.15")


def test_ranking_rows_ignore_drafts_and_other_stages_and_calls(hand_call):
    opportunity, made = hand_call
    reviewer = ReviewerFactory()
    submit_review(made["V"], reviewer, 1, submitted=False)  # a draft
    other_call = make_call()
    submit_review(make_proposal(other_call, "AO-X"), reviewer, 5)

    rows = _by_reference(ranking_rows(opportunity=opportunity))

    assert (rows["V"].reviews_in, rows["V"].reviews_assigned) == (0, 1)
    assert rows["V"].weighted_mean is None
    assert "X" not in rows


def test_ranking_rows_rank_each_stage_apart():
    opportunity = make_call(loi_deadline=timezone.now() - timedelta(days=60))
    reviewer = ReviewerFactory()
    letter = make_proposal(opportunity, "AO-L", stage=ProposalStage.LETTER_OF_INTENT)
    submit_review(letter, reviewer, 4)
    submit_review(make_proposal(opportunity, "AO-F"), reviewer, 2)

    letters = ranking_rows(
        opportunity=opportunity, stage=ProposalStage.LETTER_OF_INTENT
    )
    full = ranking_rows(opportunity=opportunity)

    assert [(row.reference, row.weighted_mean, row.normalised) for row in letters] == [
        ("AO-L", Decimal("4.00"), Decimal("0.00"))  # one review at this stage: z 0
    ]
    assert [(row.reference, row.weighted_mean) for row in full] == [
        ("AO-F", Decimal("2.00"))
    ]


def test_ranking_rows_weigh_the_criteria():
    """Weights 40/30/30: (5, 4, 4) → (200 + 120 + 120) / 100 = 4.40 and
    (3, 3, 2) → (120 + 90 + 60) / 100 = 2.70: mean 3.55, spread 1.70."""
    opportunity = make_call()
    proposal = make_proposal(opportunity, "AO-A")
    criteria = list(opportunity.criteria.order_by("order"))
    for scores in ((5, 4, 4), (3, 3, 2)):
        submit_review(
            proposal, ReviewerFactory(), dict(zip(criteria, scores, strict=True))
        )

    row = ranking_rows(opportunity=opportunity).get()

    assert (row.weighted_mean, row.spread, row.normalised) == (
        Decimal("3.55"),
        Decimal("1.70"),
        Decimal("0.00"),  # each reviewer has one review: z = 0
    )


def test_ranking_summary_counts_the_call(hand_call):
    opportunity, _made = hand_call
    Panel.objects.create(opportunity=opportunity, triage_percent=25)

    summary = ranking_summary(opportunity=opportunity)

    assert summary == RankingSummary(
        proposals=6,
        scored=4,
        reviews_in=8,
        reviews_assigned=10,
        incomplete=2,
        disagreements=3,
        triaged=1,
    )
    assert summary.reviews_outstanding == 2


def test_ranking_summary_of_an_empty_call():
    assert ranking_summary(opportunity=make_call()) == RankingSummary(
        0, 0, 0, 0, 0, 0, 0
    )


def test_ranking_rows_equal_the_pure_functions_on_a_random_call():
    """30 proposals, 8 reviewers, 0–4 reviews each with random scores under
    uneven weights; a triage line at 30 %: the SQL figures equal
    reviews.scoring's."""
    rng = random.Random(8)
    opportunity = make_call(weights=("35", "25", "27.5", "12.5"))
    criteria = list(opportunity.criteria.order_by("order"))
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    Panel.objects.create(opportunity=opportunity, triage_percent=30)
    reviewers = ReviewerFactory.create_batch(8)
    harshness = {reviewer.pk: rng.choice((-1, 0, 0, 1)) for reviewer in reviewers}
    reviews_by_proposal = {}
    scored_reviews = []
    for number in range(30):
        proposal = make_proposal(opportunity, f"AO-{number:03}")
        reviews_by_proposal[proposal.pk] = []
        for reviewer in rng.sample(reviewers, rng.choice((0, 1, 2, 2, 3, 3, 3, 4))):
            scores = {
                criterion.pk: min(5, max(1, rng.randint(1, 5) + harshness[reviewer.pk]))
                for criterion in criteria
            }
            submit_review(
                proposal,
                reviewer,
                {criterion: scores[criterion.pk] for criterion in criteria},
            )
            reviews_by_proposal[proposal.pk].append(scores)
            scored_reviews.append(
                scoring.ScoredReview(
                    proposal.pk,
                    reviewer.pk,
                    scoring.weighted_score(weights=weights, scores=scores),
                )
            )

    lines = {
        line.proposal_id: line
        for line in scoring.rank_proposals(
            weights=weights, reviews_by_proposal=reviews_by_proposal
        )
    }
    normalised = scoring.normalised_means(scored_reviews)
    normalised_ranks = scoring.competition_ranks(
        {pk: normalised.get(pk) for pk in reviews_by_proposal}
    )
    scored = len(normalised)
    expected = {
        pk: (
            line.mean,
            normalised.get(pk),
            line.spread,
            line.rank,
            normalised_ranks[pk],
            line.review_count,
            line.disagreement,
            scoring.is_triaged(normalised_ranks[pk], scored=scored, percent=30),
        )
        for pk, line in lines.items()
    }

    rows = ranking_rows(opportunity=opportunity)

    assert {
        row.pk: (
            row.weighted_mean,
            row.normalised,
            row.spread,
            row.rank_mean,
            row.rank_normalised,
            row.reviews_in,
            row.disagreement,
            row.triaged,
        )
        for row in rows
    } == expected
    assert [row.pk for row in rows] == [line.proposal_id for line in lines.values()]
    assert 0 < sum(flags[-1] for flags in expected.values()) < scored


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_ranking_rows_page_query_count_is_constant(
    django_assert_num_queries, item_count
):
    opportunity = make_call()
    reviewers = ReviewerFactory.create_batch(2)
    for number in range(item_count):
        proposal = make_proposal(opportunity, f"AO-{number:03}")
        for reviewer in reviewers:
            submit_review(proposal, reviewer, 1 + number % 5)
        if number % 2:
            Decision.objects.create(
                proposal=proposal,
                outcome=DecisionOutcome.SELECTED,
                letter="Dear team",
                decided_at=timezone.now(),
            )

    list(ranking_rows(opportunity=opportunity))  # computes and keeps the figures
    # Two: the kept figures' set, then the page's rows in one query.
    with django_assert_num_queries(2):
        rows = list(ranking_rows(opportunity=opportunity)[:50])
        shown = [
            (
                row.principal_investigator.full_name,
                row.carrier.name,
                getattr(row, "decision", None),
                row.weighted_mean,
                row.normalised,
            )
            for row in rows
        ]

    assert len(shown) == item_count
