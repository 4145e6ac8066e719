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
request_assignment_plan (the automatic plan, computed by a task:
compute_assignment_plan stores it; plan_outdated_message when its inputs
changed), apply_plan (a stored plan, or one from
reviews.assignment.plan_assignments; every pair re-checked),
cancel_assignment, change_due_date, update_reviewer_profile (also the reviewer).
Answering (the reviewer): accept_assignment (declares no conflict),
decline_assignment, declare_conflict.
Bidding (the reviewer, while bidding is open on the call): place_bid,
place_bids (the whole sheet); a "conflict" bid is a declared conflict;
BidRefused (.messages, a config.refusals.Refused).
Scoring (the reviewer): save_review_draft, submit_review; reopen_review
(administrators).
Deciding (administrators): decide_letter (letters of intent), set_letter_template,
record_decision, release_decisions (with outstanding_reviews, the number it asks
to confirm); render_letter fills a letter's placeholders.
Discussing: post_message, mark_thread_read (administrators and the reviewers
whose review is submitted), revise_review (the reviewer, while the discussion
is open), designate_primary_reviewer (administrators), write_consensus
(administrators, the primary reviewer), send_discussion_digests (hourly, beat);
DiscussionRefused (.messages, a config.refusals.Refused).
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
    compute_assignment_plan,
    declare_conflict,
    decline_assignment,
    plan_outdated_message,
    request_assignment_plan,
    update_reviewer_profile,
)
from reviews.services.bidding import BidRefused, place_bid, place_bids
from reviews.services.common import (
    AssignmentRefused,
    DecisionRefused,
    PlanOutdated,
    ReviewIncomplete,
    ReviewLocked,
)
from reviews.services.deciding import (
    OutstandingReviews,
    decide_letter,
    default_letter_body,
    first_release_problems,
    outstanding_reviews,
    record_decision,
    release_decisions,
    release_problems,
    render_letter,
    set_letter_template,
)
from reviews.services.discussing import (
    DiscussionRefused,
    designate_primary_reviewer,
    mark_thread_read,
    post_message,
    send_discussion_digests,
    write_consensus,
)
from reviews.services.panels import (
    close_bidding,
    close_discussion,
    move_phase,
    open_bidding,
    open_discussion,
    panel_for,
    update_panel_settings,
)
from reviews.services.reviewing import (
    reopen_review,
    revise_review,
    save_review_draft,
    submission_problems,
    submit_review,
)

__all__ = [
    "AssignmentRefused",
    "BidRefused",
    "BulkAssignment",
    "DecisionRefused",
    "DiscussionRefused",
    "OutstandingReviews",
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
    "close_bidding",
    "close_discussion",
    "compute_assignment_plan",
    "decide_letter",
    "declare_conflict",
    "decline_assignment",
    "default_letter_body",
    "designate_primary_reviewer",
    "first_release_problems",
    "mark_thread_read",
    "move_phase",
    "open_bidding",
    "open_discussion",
    "outstanding_reviews",
    "panel_for",
    "place_bid",
    "place_bids",
    "plan_outdated_message",
    "post_message",
    "record_decision",
    "release_decisions",
    "release_problems",
    "render_letter",
    "reopen_review",
    "request_assignment_plan",
    "revise_review",
    "save_review_draft",
    "send_discussion_digests",
    "set_letter_template",
    "submission_problems",
    "submit_review",
    "update_panel_settings",
    "update_reviewer_profile",
    "write_consensus",
]
