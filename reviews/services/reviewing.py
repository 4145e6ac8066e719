"""Scoring: saving a draft review, submitting it (locked after), reopening it,
and revising a submitted one while the call's discussion is open."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.enums import ProposalStatus
from proposals.selectors import version_for_review
from reviews import workflow
from reviews.enums import EDITABLE_REVIEW_STATUSES, Recommendation, ReviewStatus, Score
from reviews.models import Panel, Review, ReviewRevision, ReviewScore
from reviews.permissions import (
    can_read_proposal_as_reviewer,
    can_reopen_review,
    can_revise_review,
)
from reviews.services.common import (
    ReviewIncomplete,
    ReviewLocked,
    lock_review,
    reason_required,
)


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
    if (
        proposal.status not in ProposalStatus.in_review()
        or proposal.stage != assignment.stage
    ):
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


def _revision_problems(criteria, cleaned, recommendation, comments) -> list[str]:
    """What a revision lacks, as `submission_problems` says it of a review."""
    problems = [
        _("Score “%(criterion)s”.") % {"criterion": criterion.name}
        for criterion in criteria
        if criterion.pk not in cleaned
    ]
    if not recommendation:
        problems.append(_("Give your recommendation."))
    if not comments.strip():
        problems.append(_("Write your comments for the proposer."))
    return problems


@transaction.atomic
def revise_review(
    *,
    review: Review,
    actor,
    scores: Mapping,
    comments_for_proposer: str,
    confidential_comments: str,
    recommendation: str,
    reason: str = "",
    now=None,
) -> Review:
    """The reviewer changes their submitted review while the call's discussion
    phase is open (reviews.permissions.can_revise_review).

    What it said before is kept as a ReviewRevision (numbered 1, 2 …, with the
    reason); the review takes the new content complete, as `submit_review`
    requires (ReviewIncomplete otherwise), stays submitted with `submitted_at`
    now, and its history gets a line (reviews.workflow.record_review_event).
    PermissionDenied for anyone but its reviewer; ReviewLocked while the
    discussion is not open, once the proposal left review, or when nothing
    changed. No email.
    """
    now = now or timezone.now()
    locked = lock_review(review)
    assignment = locked.assignment
    proposal = assignment.proposal
    panel = Panel.objects.filter(opportunity_id=proposal.opportunity_id).first()
    if not can_revise_review(actor, assignment, panel):
        if not can_read_proposal_as_reviewer(actor, assignment):
            raise PermissionDenied(_("Only its reviewer revises a review."))
        if locked.status != ReviewStatus.SUBMITTED:
            raise ReviewLocked(_("Only a submitted review is revised."))
        raise ReviewLocked(
            _("A submitted review is revised only while the discussion is open.")
        )
    if (
        proposal.status not in ProposalStatus.in_review()
        or proposal.stage != assignment.stage
    ):
        raise ReviewLocked(_("This proposal is no longer in review."))
    criteria = list(proposal.opportunity.criteria.all())
    cleaned = _clean_scores(scores, {criterion.pk: criterion for criterion in criteria})
    if recommendation not in ("", *Recommendation.values):
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    problems = _revision_problems(
        criteria, cleaned, recommendation, comments_for_proposer
    )
    if problems:
        raise ReviewIncomplete(problems)
    before = {score.criterion_id: score.score for score in locked.scores.all()}
    comments_for_proposer = comments_for_proposer.strip()
    confidential_comments = confidential_comments.strip()
    unchanged = (
        before == cleaned
        and locked.comments_for_proposer == comments_for_proposer
        and locked.confidential_comments == confidential_comments
        and locked.recommendation == recommendation
    )
    if unchanged:
        raise ReviewLocked(_("Nothing was changed: the review stays as it was."))
    number = locked.revisions.count() + 1
    ReviewRevision.objects.create(
        review=locked,
        number=number,
        scores={str(criterion_id): score for criterion_id, score in before.items()},
        comments_for_proposer=locked.comments_for_proposer,
        confidential_comments=locked.confidential_comments,
        recommendation=locked.recommendation,
        submitted_at=locked.submitted_at,
        revised_at=now,
        reason=reason.strip(),
    )
    locked.comments_for_proposer = comments_for_proposer
    locked.confidential_comments = confidential_comments
    locked.recommendation = recommendation
    locked.submitted_at = now
    locked.save(
        update_fields=[
            "comments_for_proposer",
            "confidential_comments",
            "recommendation",
            "submitted_at",
            "updated_at",
        ]
    )
    ReviewScore.objects.filter(review=locked).exclude(
        criterion_id__in=list(cleaned)
    ).delete()
    for criterion_id, value in cleaned.items():
        ReviewScore.objects.update_or_create(
            review=locked, criterion_id=criterion_id, defaults={"score": value}
        )
    note = _("Revised during the discussion (revision %(number)s).") % {
        "number": number
    }
    if reason.strip():
        note = f"{note} {reason.strip()}"
    workflow.record_review_event(
        locked,
        actor=actor,
        before=ReviewStatus.SUBMITTED,
        after=ReviewStatus.SUBMITTED,
        note=note,
    )
    for field in ("comments_for_proposer", "confidential_comments", "recommendation"):
        setattr(review, field, getattr(locked, field))
    review.submitted_at = locked.submitted_at
    return locked
