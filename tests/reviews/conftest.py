"""Fixtures shared by the reviews tests."""

from tests.reviews.ranking_calls import hand_call  # noqa: F401 (a fixture)
