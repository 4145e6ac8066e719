from decimal import Decimal

import pytest
from django_countries import countries

from reviews.scoring import (
    REGIONS,
    Region,
    ScoredReview,
    Tally,
    aggregate,
    competition_ranks,
    country_summary,
    is_triaged,
    normalised_means,
    rank_proposals,
    region_for,
    region_summary,
    triage_cut,
    weighted_score,
    z_scores,
)

WEIGHTS = {"science": Decimal(50), "feasibility": Decimal(30), "team": Decimal(20)}


def _review(science, feasibility, team):
    return {"science": science, "feasibility": feasibility, "team": team}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (_review(5, 3, 1), Decimal("3.6")),  # (250 + 90 + 20) / 100
        (_review(4, 4, 4), Decimal(4)),
        (_review(1, 2, 5), Decimal("2.1")),  # (50 + 60 + 100) / 100
        ({"science": 5, "feasibility": 3}, Decimal("4.25")),  # (250 + 90) / 80
    ],
)
def test_weighted_score_is_the_weighted_mean_of_the_scored_criteria(scores, expected):
    assert weighted_score(weights=WEIGHTS, scores=scores) == expected


@pytest.mark.parametrize("bad", [0, 6])
def test_weighted_score_refuses_a_score_outside_one_to_five(bad):
    with pytest.raises(ValueError, match="is not 1–5"):
        weighted_score(weights=WEIGHTS, scores=_review(bad, 3, 3))


def test_weighted_score_refuses_a_review_without_weighted_criteria():
    with pytest.raises(ValueError, match="at least one scored criterion"):
        weighted_score(weights=WEIGHTS, scores={"unknown": 3})


def test_aggregate_computes_mean_median_spread_and_deviation():
    reviews = [_review(5, 3, 1), _review(4, 4, 4), _review(1, 2, 5)]

    line = aggregate(proposal_id=1, weights=WEIGHTS, reviews=reviews)

    # Review scores 3.6, 4.0 and 2.1: mean 9.7 / 3, spread 1.9.
    assert line.review_scores == (Decimal("3.60"), Decimal("4.00"), Decimal("2.10"))
    assert line.review_count == 3
    assert line.mean == Decimal("3.23")
    assert line.median == Decimal("3.60")
    assert line.spread == Decimal("1.90")
    assert line.std_dev == Decimal("0.82")  # √(2.006667 / 3)
    assert line.disagreement is True


def test_aggregate_flags_no_disagreement_below_the_threshold():
    reviews = [_review(4, 4, 4), _review(5, 3, 1)]

    line = aggregate(proposal_id=1, weights=WEIGHTS, reviews=reviews)

    assert (line.spread, line.disagreement) == (Decimal("0.40"), False)


def test_aggregate_flags_disagreement_at_exactly_the_threshold():
    reviews = [_review(4, 4, 4), _review(3, 2, 2)]  # 4.0 and 2.5

    line = aggregate(
        proposal_id=1, weights=WEIGHTS, reviews=reviews, threshold=Decimal("1.5")
    )

    assert (line.spread, line.disagreement) == (Decimal("1.50"), True)


def test_aggregate_takes_the_middle_pair_for_an_even_median():
    reviews = [_review(4, 4, 4), _review(2, 2, 2), _review(3, 3, 3), _review(5, 5, 5)]

    line = aggregate(proposal_id=1, weights=WEIGHTS, reviews=reviews)

    assert (line.mean, line.median) == (Decimal("3.50"), Decimal("3.50"))


def test_aggregate_of_a_proposal_without_reviews_is_empty():
    line = aggregate(proposal_id=1, weights=WEIGHTS, reviews=[])

    assert (line.review_count, line.mean, line.spread, line.disagreement) == (
        0,
        None,
        None,
        False,
    )


def test_rank_proposals_shares_ranks_between_ties_and_leaves_gaps():
    reviews_by_proposal = {
        14: [_review(3, 3, 3)],
        11: [_review(4, 4, 4)],
        12: [_review(4, 4, 4), _review(3, 3, 3)],  # 4.0 and 3.0: mean 3.5
        13: [_review(3, 4, 4), _review(4, 3, 3)],  # 3.5 and 3.5
        15: [],
        10: [],
    }

    lines = rank_proposals(weights=WEIGHTS, reviews_by_proposal=reviews_by_proposal)

    assert [(line.proposal_id, line.rank, line.mean) for line in lines] == [
        (11, 1, Decimal("4.00")),
        (12, 2, Decimal("3.50")),
        (13, 2, Decimal("3.50")),
        (14, 4, Decimal("3.00")),
        (10, None, None),
        (15, None, None),
    ]


def test_rank_proposals_ties_means_that_round_to_the_same_figure():
    weights = {"a": Decimal("33.33"), "b": Decimal("66.67")}
    reviews_by_proposal = {
        1: [{"a": 4, "b": 3}],  # exactly 3.3333
        2: [{"a": 3, "b": 3}, {"a": 3, "b": 3}, {"a": 4, "b": 4}],  # 3.3333…
    }

    lines = rank_proposals(weights=weights, reviews_by_proposal=reviews_by_proposal)

    assert [(line.rank, line.mean) for line in lines] == [
        (1, Decimal("3.33")),
        (1, Decimal("3.33")),
    ]


def test_region_table_covers_every_country_django_countries_knows():
    codes = {country.code for country in countries}

    unmapped = {code for code in codes if region_for(code) is None}

    assert unmapped == {"AQ"}
    assert set(REGIONS) == codes - {"AQ"}


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("CN", Region.ASIA),
        ("TW", Region.ASIA),
        ("RU", Region.EUROPE),
        ("TR", Region.ASIA),
        ("EG", Region.AFRICA),
        ("MX", Region.AMERICAS),
        ("GL", Region.AMERICAS),
        ("NC", Region.OCEANIA),
        ("RE", Region.AFRICA),
        ("cy", Region.ASIA),
        ("AQ", None),
        ("", None),
    ],
)
def test_region_for_follows_un_m49(code, region):
    assert region_for(code) == region


def test_country_summary_counts_proposals_and_selected_per_country():
    rows = [("FR", True), ("CN", False), ("FR", False), ("CN", True), ("CN", True)]

    tallies = country_summary(rows)

    assert tallies == [Tally("CN", 3, 2), Tally("FR", 2, 1)]
    assert tallies[0].selected_percent == Decimal("66.7")


def test_region_summary_lists_every_region_and_antarctica_apart():
    rows = [("FR", True), ("DE", False), ("BR", True), ("AQ", False)]

    tallies = region_summary(rows)

    assert tallies == [
        Tally(Region.AFRICA, 0, 0),
        Tally(Region.AMERICAS, 1, 1),
        Tally(Region.ASIA, 0, 0),
        Tally(Region.EUROPE, 2, 1),
        Tally(Region.OCEANIA, 0, 0),
        Tally(None, 1, 0),
    ]
    assert tallies[0].selected_percent is None


# --- normalised scores and the triage line ---------------------------------------


def _scored(*lines):
    return [
        ScoredReview(proposal, reviewer, Decimal(score))
        for proposal, reviewer, score in lines
    ]


# Three reviewers, four proposals (the hand computation of
# tests/reviews/test_ranking_selector.py::hand_call):
# R1 P 5, Q 5, S 4: mean 14/3, variance 2/9, sd √2/3; z +1/√2, +1/√2, −√2.
# R2 Q 2, S 1, T 3: mean 2, variance 2/3, sd √(2/3); z 0, −√1.5, +√1.5.
# R3 P 3, T 4: mean 3.5, sd 0.5; z −1, +1.
HAND = _scored(
    ("P", "R1", 5),
    ("Q", "R1", 5),
    ("S", "R1", 4),
    ("Q", "R2", 2),
    ("S", "R2", 1),
    ("T", "R2", 3),
    ("P", "R3", 3),
    ("T", "R3", 4),
)


def test_z_scores_standardise_each_reviewer_by_hand():
    places = Decimal("0.000001")

    zs = [z.quantize(places) for z in z_scores(HAND)]

    assert zs == [
        Decimal("0.707107"),  # (5 − 14/3) / (√2/3) = 1/√2
        Decimal("0.707107"),
        Decimal("-1.414214"),  # (4 − 14/3) / (√2/3) = −√2
        Decimal("0.000000"),
        Decimal("-1.224745"),  # (1 − 2) / √(2/3) = −√1.5
        Decimal("1.224745"),
        Decimal("-1.000000"),  # (3 − 3.5) / 0.5
        Decimal("1.000000"),
    ]


def test_normalised_means_average_the_z_scores_per_proposal_by_hand():
    assert normalised_means(HAND) == {
        "P": Decimal("-0.15"),  # (0.707107 − 1) / 2 = −0.146447
        "Q": Decimal("0.35"),  # (0.707107 + 0) / 2 = 0.353553
        "S": Decimal("-1.32"),  # (−1.414214 − 1.224745) / 2 = −1.319479
        "T": Decimal("1.11"),  # (1.224745 + 1) / 2 = 1.112372
    }


def test_z_scores_are_zero_for_a_single_review_or_no_spread():
    reviews = _scored(("P", "R1", "4.4"), ("P", "R2", 3), ("Q", "R2", 3))

    assert z_scores(reviews) == [Decimal(0), Decimal(0), Decimal(0)]


def test_normalised_means_put_a_harsh_and_a_lenient_reviewer_level():
    """R1 gives 5 and 4, R2 gives 2 and 1 to the same two proposals: raw means
    differ by 3, normalised scores are +1 and −1 for both."""
    reviews = _scored(("A", "R1", 5), ("B", "R1", 4), ("A", "R2", 2), ("B", "R2", 1))

    assert normalised_means(reviews) == {"A": Decimal("1.00"), "B": Decimal("-1.00")}


def test_competition_ranks_share_ties_and_skip():
    ranks = competition_ranks(
        {"a": Decimal("3.5"), "b": Decimal(4), "c": Decimal("3.5"), "d": None}
        | {"e": Decimal(2)}
    )

    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}


@pytest.mark.parametrize(
    ("scored", "percent", "cut"),
    [
        (4, None, None),
        (4, 25, 3),  # ceil(4 × 75 / 100) = 3
        (10, 30, 7),
        (7, 30, 5),  # ceil(4.9)
        (3, 90, 1),  # ceil(0.3)
        (0, 50, 0),
    ],
)
def test_triage_cut_keeps_the_ceiling_of_the_share_above_the_line(scored, percent, cut):
    assert triage_cut(scored=scored, percent=percent) == cut


def test_is_triaged_only_below_the_cut_and_never_unscored():
    assert [is_triaged(rank, scored=4, percent=50) for rank in (1, 2, 2, 4, None)] == [
        False,
        False,
        False,
        True,
        False,
    ]
    assert is_triaged(4, scored=4, percent=None) is False
