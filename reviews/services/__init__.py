"""Every write to review. The admin, views and API call these and nothing else.

All take keyword arguments, run in one transaction, lock the rows they change
and check who acts (`actor=`) with reviews.permissions. They raise:

- django.core.exceptions.PermissionDenied — the actor may not do this (→ 403);
- django.core.exceptions.ValidationError — field messages, for a form's errors
  (scores out of range, a conflict or a reopening without a reason…);
- AssignmentRefused (.messages) — every reason a reviewer cannot be assigned,
  conflicts of interest included; PlanOutdated, its kind for apply_plan;
- ReviewLocked, ReviewIncomplete (.messages) — scoring refused;
- DecisionRefused (.messages) — a decision or the release refused;
- reviews.workflow.TransitionNotAllowed — an illegal status move;
- proposals' and catalogue's own refusals from the moves they make.

Assigning (administrators): assign_reviewer, assign_reviewers (bulk),
apply_plan (an automatic plan from reviews.assignment.plan_assignments),
cancel_assignment, change_due_date, update_reviewer_profile (also the reviewer).
Answering (the reviewer): accept_assignment (declares no conflict),
decline_assignment, declare_conflict.
Scoring (the reviewer): save_review_draft, submit_review; reopen_review
(administrators).
Deciding (administrators): decide_letter (letters of intent), set_letter_template,
record_decision, release_decisions; render_letter fills a letter's placeholders.
"""

from reviews.services.assigning import (
    BulkAssignment,
    accept_assignment,
    apply_plan,
    assign_reviewer,
    assign_reviewers,
    assignment_problems,
    cancel_assignment,
    change_due_date,
    declare_conflict,
    decline_assignment,
    update_reviewer_profile,
)
from reviews.services.common import (
    AssignmentRefused,
    DecisionRefused,
    PlanOutdated,
    ReviewIncomplete,
    ReviewLocked,
)
from reviews.services.deciding import (
    decide_letter,
    default_letter_body,
    record_decision,
    release_decisions,
    release_problems,
    render_letter,
    set_letter_template,
)
from reviews.services.reviewing import (
    reopen_review,
    save_review_draft,
    submission_problems,
    submit_review,
)

__all__ = [
    "AssignmentRefused",
    "BulkAssignment",
    "DecisionRefused",
    "PlanOutdated",
    "ReviewIncomplete",
    "ReviewLocked",
    "accept_assignment",
    "apply_plan",
    "assign_reviewer",
    "assign_reviewers",
    "assignment_problems",
    "cancel_assignment",
    "change_due_date",
    "decide_letter",
    "declare_conflict",
    "decline_assignment",
    "default_letter_body",
    "record_decision",
    "release_decisions",
    "release_problems",
    "render_letter",
    "reopen_review",
    "save_review_draft",
    "set_letter_template",
    "submission_problems",
    "submit_review",
    "update_reviewer_profile",
]
