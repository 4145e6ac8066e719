"""Scoring: saving a draft review, submitting it (locked after), reopening it."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from proposals.enums import ProposalStatus
from proposals.selectors import version_for_review
from reviews import workflow
from reviews.enums import EDITABLE_REVIEW_STATUSES, Recommendation, ReviewStatus, Score
from reviews.models import Review, ReviewScore
from reviews.permissions import can_read_proposal_as_reviewer, can_reopen_review
from reviews.services.common import (
    ReviewIncomplete,
    ReviewLocked,
    lock_review,
    reason_required,
)

IN_REVIEW = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW})


def _lock_for_scoring(review: Review, *, actor) -> Review:
    """Lock the review and refuse unless its reviewer may change it now.

    PermissionDenied for anyone but the reviewer of an accepted assignment;
    ReviewLocked once submitted, when the proposal has left review, or when the
    version assigned is no longer the one to review (the proposal was submitted
    again after a deadline was extended).
    """
    locked = lock_review(review)
    assignment = locked.assignment
    if not can_read_proposal_as_reviewer(actor, assignment):
        raise PermissionDenied(_("Only the assigned reviewer can score this proposal."))
    if locked.status not in EDITABLE_REVIEW_STATUSES:
        raise ReviewLocked(
            _("This review is submitted and locked; an administrator can reopen it.")
        )
    proposal = assignment.proposal
    if proposal.status not in IN_REVIEW or proposal.stage != assignment.stage:
        raise ReviewLocked(_("This proposal is no longer in review."))
    current = version_for_review(proposal, stage=assignment.stage)
    if current is None or current.pk != assignment.version_id:
        raise ReviewLocked(
            _(
                "The proposal was submitted again after this assignment was made; "
                "an administrator must assign the new version."
            )
        )
    return locked


def _as_score(value) -> int | None:
    """A whole number given as int or digits; anything else (3.5, "good") None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _clean_scores(scores: Mapping, criteria: dict[int, object]) -> dict[int, int]:
    """{criterion id: 1–5}; None or "" leaves a criterion unscored."""
    cleaned, errors = {}, []
    for key, value in scores.items():
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = None
        if criterion_id not in criteria:
            errors.append(_("A score was given for a criterion of another call."))
            continue
        if value in (None, ""):
            continue
        score = _as_score(value)
        if score not in Score.values:
            errors.append(
                _("The score for “%(criterion)s” must be a whole number from 1 to 5.")
                % {"criterion": criteria[criterion_id].name}
            )
            continue
        cleaned[criterion_id] = score
    if errors:
        raise ValidationError({"scores": errors})
    return cleaned


@transaction.atomic
def save_review_draft(
    *,
    review: Review,
    actor,
    scores: Mapping,
    comments_for_proposer: str = "",
    confidential_comments: str = "",
    recommendation: str = "",
) -> Review:
    """Save the whole review as it stands (the form's state): `scores` maps each
    criterion id to 1–5, or to None to leave it unscored; criteria left out are
    unscored too. The assigned reviewer only, on a draft or reopened review.
    """
    locked = _lock_for_scoring(review, actor=actor)
    opportunity = locked.assignment.proposal.opportunity
    criteria = {criterion.pk: criterion for criterion in opportunity.criteria.all()}
    cleaned = _clean_scores(scores, criteria)
    if recommendation not in ("", *Recommendation.values):
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    locked.comments_for_proposer = comments_for_proposer.strip()
    locked.confidential_comments = confidential_comments.strip()
    locked.recommendation = recommendation
    locked.save(
        update_fields=[
            "comments_for_proposer",
            "confidential_comments",
            "recommendation",
            "updated_at",
        ]
    )
    existing = {score.criterion_id: score for score in locked.scores.all()}
    ReviewScore.objects.filter(review=locked).exclude(
        criterion_id__in=list(cleaned)
    ).delete()
    changed = []
    for criterion_id, value in cleaned.items():
        row = existing.get(criterion_id)
        if row is None:
            ReviewScore.objects.create(
                review=locked, criterion_id=criterion_id, score=value
            )
        elif row.score != value:
            row.score = value
            changed.append(row)
    ReviewScore.objects.bulk_update(changed, ["score"])
    review.comments_for_proposer = locked.comments_for_proposer
    review.confidential_comments = locked.confidential_comments
    review.recommendation = locked.recommendation
    return locked


def submission_problems(review: Review) -> list[str]:
    """What a review lacks to be submitted; empty when complete."""
    opportunity = review.assignment.proposal.opportunity
    scored = set(review.scores.values_list("criterion_id", flat=True))
    problems = [
        _("Score “%(criterion)s”.") % {"criterion": criterion.name}
        for criterion in opportunity.criteria.all()
        if criterion.pk not in scored
    ]
    if not review.recommendation:
        problems.append(_("Give your recommendation."))
    if not review.comments_for_proposer.strip():
        problems.append(_("Write your comments for the proposer."))
    return problems


@transaction.atomic
def submit_review(*, review: Review, actor) -> Review:
    """Submit a complete review: every criterion scored, a recommendation, and
    comments for the proposer. It is locked after; the CNSA contacts hear when
    it completes the proposal's reviews."""
    locked = _lock_for_scoring(review, actor=actor)
    problems = submission_problems(locked)
    if problems:
        raise ReviewIncomplete(problems)
    return workflow.transition(review, to=ReviewStatus.SUBMITTED, actor=actor)


@transaction.atomic
def reopen_review(*, review: Review, actor, reason: str) -> Review:
    """An administrator reopens a submitted review for its reviewer to change,
    with a reason kept in the review's history and emailed to the reviewer."""
    locked = lock_review(review)
    if not can_reopen_review(actor, locked):
        raise PermissionDenied(_("Only administrators reopen submitted reviews."))
    if not reason.strip():
        raise ValidationError({"reason": reason_required()})
    return workflow.transition(
        review, to=ReviewStatus.REOPENED, actor=actor, note=reason.strip()
    )
