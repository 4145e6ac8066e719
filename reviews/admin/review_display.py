"""How both admin sites show a review's parts: due dates (Beijing time and the
reader's zone), the workflow's history (actors unnamed for a reviewer), scores
with their meanings, the reason a review was reopened, the weighted score.
Shared by the reviewers' pages (reviewer_pages) and the administrators'
(reviewing, reviews.panel)."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from catalogue.templatetags.catalogue_tags import beijing, iso_utc, utc_text
from reviews import selectors
from reviews.enums import (
    SCORE_DESCRIPTIONS,
    AssignmentStatus,
    Recommendation,
    ReviewStatus,
    Score,
)
from reviews.models import ReviewAssignment
from reviews.scoring import weighted_score


def due_html(moment: datetime | None) -> str:
    """Beijing time, and the reader's own zone (static/js/portal.js)."""
    if moment is None:
        return "—"
    return _due_html(moment, get_language())


@lru_cache(maxsize=1024)
def _due_html(moment: datetime, language: str) -> str:
    """Written once per moment and language: a call's assignments share their
    due date, and formatting a date is a third of an assignment row's cost."""
    return format_html(
        '{}<br><small>{} <time datetime="{}" data-local-time>{}</time></small>',
        beijing(moment),
        _("In your time zone:"),
        iso_utc(moment),
        utc_text(moment),
    )


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    change: str
    by: str
    note: str


def _status_label(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


def _change(choices, event, *, of_review: bool) -> str:
    before = _status_label(choices, event.from_status)
    after = _status_label(choices, event.to_status)
    if of_review:
        return _("Review: %(before)s → %(after)s") % {"before": before, "after": after}
    if before and before != after:
        return f"{before} → {after}"
    return after


def history_lines(*, user, assignment, anonymous_actors: bool) -> list[HistoryLine]:
    """The assignment's and its review's events, oldest first. For a reviewer
    (`anonymous_actors`) every other actor is "the administrators", and only
    their own notes and the reasons for reopening their review (emailed to
    them) are shown."""
    review = getattr(assignment, "review", None)
    events = [
        (event, AssignmentStatus, False)
        for event in selectors.assignment_history(assignment=assignment)
    ]
    if review is not None:
        events += [
            (event, ReviewStatus, True)
            for event in selectors.review_history(review=review)
        ]
    lines = []
    for event, choices, of_review in sorted(events, key=lambda row: row[0].at):
        if anonymous_actors:
            own = event.actor_id == user.pk
            reopened = of_review and event.to_status == ReviewStatus.REOPENED
            by = _("You") if own else _("The administrators")
            note = event.note if own or reopened else ""
        else:
            by = event.actor.get_full_name() if event.actor else "—"
            note = event.note
        lines.append(
            HistoryLine(
                at=event.at,
                change=_change(choices, event, of_review=of_review),
                by=by,
                note=note,
            )
        )
    return lines


def recommendation_label(value: str) -> str:
    return str(Recommendation(value).label) if value else "—"


def scored_rows(review, criteria) -> list[tuple[object, str, str]]:
    """(criterion, "4 — Very good", meaning) for a review shown read only."""
    given = {score.criterion_id: score.score for score in review.scores.all()}
    rows = []
    for criterion in criteria:
        value = given.get(criterion.pk)
        if value is None:
            rows.append((criterion, "—", ""))
        else:
            rows.append((criterion, Score(value).label, SCORE_DESCRIPTIONS[value]))
    return rows


def reopening_reason(review) -> str:
    """Why an administrator reopened the review, while it is reopened."""
    if review.status != ReviewStatus.REOPENED:
        return ""
    notes = [
        event.note
        for event in selectors.review_history(review=review)
        if event.to_status == ReviewStatus.REOPENED
    ]
    return notes[-1] if notes else ""


def saved_weighted_score(review, criteria) -> str:
    """The review's weighted score as saved, "3.60", or "" before any score:
    the form's figure without JavaScript (static/js/review-score.js updates it
    as the reviewer clicks)."""
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    scores = {score.criterion_id: score.score for score in review.scores.all()}
    if not any(weights.get(pk) for pk in scores):
        return ""
    return f"{weighted_score(weights=weights, scores=scores):.2f}"


class AssignmentColumns:
    """The columns both sites' assignment lists share (mixed into a ModelAdmin
    whose queryset selects the proposal, its call and the review)."""

    @admin.display(
        description=gettext_lazy("reference"), ordering="proposal__reference"
    )
    def reference(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.reference

    @admin.display(description=gettext_lazy("title"), ordering="proposal__title")
    def title(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.title

    @admin.display(description=gettext_lazy("call"))
    def call(self, assignment: ReviewAssignment) -> str:
        return assignment.proposal.opportunity.title

    @admin.display(description=gettext_lazy("review due"), ordering="due_at")
    def due(self, assignment: ReviewAssignment) -> str:
        return due_html(assignment.due_at)

    @admin.display(description=gettext_lazy("review"))
    def review_status(self, assignment: ReviewAssignment) -> str:
        review = getattr(assignment, "review", None)
        return review.get_status_display() if review is not None else "—"
