"""The ranking's figures are kept between requests (reviews.models.standings):
computed once per change, never read stale after any change to what they are
computed from, the older sets removed, one set however often it is asked for."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.enums import ProposalStatus
from reviews.models import (
    Panel,
    RankingFigures,
    RankingFigureSet,
    Review,
    ReviewScore,
)
from reviews.selectors import standings
from reviews.selectors.standings import figure_set_id, ranking_rows
from tests.factories import ReviewerFactory
from tests.reviews.ranking_calls import make_call, submit_review

pytestmark = pytest.mark.django_db

FIGURES = (
    "reference",
    "weighted_mean",
    "normalised",
    "spread",
    "rank_mean",
    "rank_normalised",
    "reviews_in",
    "reviews_assigned",
    "incomplete",
    "disagreement",
    "triaged",
)


def _rows(opportunity) -> list[tuple]:
    return list(ranking_rows(opportunity=opportunity).values_list(*FIGURES))


def _computed_afresh(opportunity) -> list[tuple]:
    """The figures with nothing kept: the statement itself."""
    RankingFigureSet.objects.all().delete()
    return _rows(opportunity)


def test_the_statement_runs_once_until_something_changes(hand_call):
    opportunity, _made = hand_call
    first = _rows(opportunity)
    with CaptureQueriesContext(connection) as queries:
        again = _rows(opportunity)
    assert again == first
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2  # the set's id, then the rows
    assert not any("WITH counted" in sql for sql in statements)
    assert RankingFigureSet.objects.count() == 1
    assert RankingFigures.objects.count() == 5  # P, Q, S, T, U are assigned


def _change_score(opportunity, made):
    score = ReviewScore.objects.filter(review__assignment__proposal=made["P"]).first()
    score.score = 1
    score.save()


def _new_review(opportunity, made):
    submit_review(made["U"], ReviewerFactory(), 5)


def _cancel_assignment(opportunity, made):
    review = Review.objects.filter(assignment__proposal=made["T"]).first()
    review.assignment.status = "cancelled"
    review.assignment.save()


def _withdraw(opportunity, made):
    made["Q"].status = ProposalStatus.WITHDRAWN
    made["Q"].save()


def _reweigh(opportunity, made):
    """Every review of the hand call gives one score to all criteria, so no
    weight changes a figure: one score is changed first without a signal
    (a queryset update), and only the criterion's save makes it seen."""
    criterion = opportunity.criteria.order_by("order").first()
    ReviewScore.objects.filter(
        review__assignment__proposal=made["P"], criterion=criterion
    ).update(score=1)
    criterion.weight = Decimal("80")
    criterion.save()


def _triage_and_threshold(opportunity, made):
    Panel.objects.create(
        opportunity=opportunity,
        triage_percent=50,
        disagreement_threshold=Decimal("0.50"),
    )


def _delete_review(opportunity, made):
    Review.objects.filter(assignment__proposal=made["S"]).first().delete()


@pytest.mark.parametrize(
    "change",
    [
        _change_score,
        _new_review,
        _cancel_assignment,
        _withdraw,
        _reweigh,
        _triage_and_threshold,
        _delete_review,
    ],
    ids=lambda change: change.__name__.strip("_"),
)
def test_every_change_is_seen_at_once(hand_call, change):
    opportunity, made = hand_call
    before = _rows(opportunity)
    change(opportunity, made)
    after = _rows(opportunity)
    assert after != before
    assert after == _computed_afresh(opportunity)


def test_a_bulk_score_update_is_seen_through_the_review(hand_call):
    """revise_review saves the review (which raises the version) and then
    bulk-updates its scores in the same transaction: readers see both."""
    opportunity, made = hand_call
    before = _rows(opportunity)
    review = Review.objects.filter(assignment__proposal=made["P"]).first()
    review.save()
    ReviewScore.objects.filter(review=review).update(score=1)
    after = _rows(opportunity)
    assert after != before
    assert after == _computed_afresh(opportunity)


def test_older_sets_are_removed(hand_call):
    opportunity, made = hand_call
    _rows(opportunity)
    _change_score(opportunity, made)
    _rows(opportunity)
    kept = RankingFigureSet.objects.get()
    assert kept.version == 1
    assert set(RankingFigures.objects.values_list("figure_set_id", flat=True)) == {
        kept.pk
    }


def test_two_readers_make_one_set(hand_call):
    """The second computation of a version finds the first's set (the unique
    constraint) and adds no rows."""
    opportunity, _made = hand_call
    first = figure_set_id(opportunity=opportunity)
    again = standings._keep_figures(opportunity, "full")
    assert again == first
    assert RankingFigures.objects.count() == 5


def test_other_calls_keep_their_sets(hand_call):
    opportunity, made = hand_call
    other = make_call()
    _rows(opportunity)
    _rows(other)
    _change_score(opportunity, made)
    assert RankingFigureSet.objects.filter(opportunity=other).count() == 1
    _rows(opportunity)
    assert RankingFigureSet.objects.filter(opportunity=other).count() == 1
