"""Reads of review, scoped to who asks: the wrong person gets a 404 or nothing.

Reviewers (reviewing.py; see reviews.permissions): `assignments_for_reviewer`,
`assignment_for_reviewer`, `declaration_view` (what they see before declaring a
conflict), `reviewer_view` (the frozen version they review, anonymised in a
dual-anonymous call), `versions_for_reviewer`, `version_for_reviewer`,
`documents_for_reviewer`, `reviewer_documents`, `document_for_reviewer`,
`other_reviews_visible_to`, and the histories. Show a reviewer the proposal only
through these: the assignment's `proposal` row is the live proposal, so read
nothing of it but `reference` and `title`.

Administrators (panel.py): `assignments_for_administrator`, `assignment_for_user`,
`eligible_reviewers`, `proposals_awaiting_review`, `ranking` (four queries
whatever the number of proposals and reviews), `country_statistics`,
`manifest_candidates`.

Decisions (deciding.py): `decisions_for_opportunity`, `proposals_without_decision`,
`letter_template_body`, `proposer_comments`, and `decision_for_proposer` — the
outcome, the letter and the comments meant for the proposer, once released;
never a reviewer's name, score or confidential comment.
"""

from reviews.selectors.deciding import (
    ProposerDecision,
    decision_for_proposer,
    decisions_for_opportunity,
    letter_template_body,
    proposals_without_decision,
    proposer_comments,
)
from reviews.selectors.panel import (
    ManifestInput,
    RankingRow,
    Statistics,
    assignment_for_user,
    assignments_for_administrator,
    country_statistics,
    eligible_reviewers,
    manifest_candidates,
    proposals_awaiting_review,
    ranking,
)
from reviews.selectors.reviewing import (
    IDENTITY_KEYS,
    DeclarationView,
    OtherReview,
    ReviewerDocument,
    ReviewerView,
    anonymised_snapshot,
    assignment_for_reviewer,
    assignment_history,
    assignments_for_reviewer,
    counted_reviews,
    declaration_view,
    document_display_name,
    document_for_reviewer,
    documents_for_reviewer,
    other_reviews_visible_to,
    review_history,
    reviewer_documents,
    reviewer_view,
    version_for_reviewer,
    versions_for_reviewer,
)

__all__ = [
    "IDENTITY_KEYS",
    "DeclarationView",
    "ManifestInput",
    "OtherReview",
    "ProposerDecision",
    "RankingRow",
    "ReviewerDocument",
    "ReviewerView",
    "Statistics",
    "anonymised_snapshot",
    "assignment_for_reviewer",
    "assignment_for_user",
    "assignment_history",
    "assignments_for_administrator",
    "assignments_for_reviewer",
    "counted_reviews",
    "country_statistics",
    "decision_for_proposer",
    "decisions_for_opportunity",
    "declaration_view",
    "document_display_name",
    "document_for_reviewer",
    "documents_for_reviewer",
    "eligible_reviewers",
    "letter_template_body",
    "manifest_candidates",
    "other_reviews_visible_to",
    "proposals_awaiting_review",
    "proposals_without_decision",
    "proposer_comments",
    "ranking",
    "review_history",
    "reviewer_documents",
    "reviewer_view",
    "version_for_reviewer",
    "versions_for_reviewer",
]
