"""Who may do what in review: plain predicates shared by the admin, views and API.

Roles:
- a reviewer is an active account in the "Reviewers" group. Reviewers are not
  staff: they work in the reviewers' admin site (/review/), which lets in only
  reviewers whose session passed two-factor authentication. A
  reviewer reads their own assignments; once they have declared no conflict of
  interest (accepted), the frozen version assigned and its documents; they score
  only their own review, while it is a draft or reopened; they read the other
  reviews of a proposal only once their own is submitted. They never read a
  draft, another proposal, another reviewer's assignment, and in a
  dual-anonymous call never who proposed.
- a review administrator is an active staff account with the permission
  `reviews.manage_reviews`: superusers, and the "Administrators" group, which
  migration 0002 grants it. They see everything, identities included, assign
  reviewers, reopen reviews, rank and decide.

Predicates that take an assignment read its `status` and `reviewer_id`, and
`assignment.review` where named (select it with the assignment);
`can_view_version_as_reviewer` and `can_view_document_as_reviewer` cost one query.
"""

from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    EDITABLE_REVIEW_STATUSES,
    AssignmentStatus,
    PhaseStatus,
    ReviewStatus,
)

REVIEWERS_GROUP = "Reviewers"
ADMINISTRATORS_GROUP = "Administrators"
MANAGE_PERMISSION = "reviews.manage_reviews"


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_active_staff(user) -> bool:
    return _is_active(user) and user.is_staff


def is_review_administrator(user) -> bool:
    return _is_active_staff(user) and user.has_perm(MANAGE_PERMISSION)


def can_manage_reviews(user) -> bool:
    """Assign and unassign reviewers, reopen reviews, edit decision letters."""
    return is_review_administrator(user)


def can_view_ranking(user) -> bool:
    """The ranking, the statistics and the manifest name proposals and scores."""
    return is_review_administrator(user)


def can_decide(user) -> bool:
    """Record and release decisions."""
    return is_review_administrator(user)


def is_reviewer(user) -> bool:
    """Whether `user` may be assigned reviews and bid: an active member of the
    Reviewers group (not staff: reviewers have their own admin site).

    One query per user object, remembered on it as Django remembers permissions
    (`_perm_cache`): the admin asks once per registered model on every page.
    """
    if not _is_active(user):
        return False
    cached = getattr(user, "_reviewer_cache", None)
    if cached is None:
        cached = user.groups.filter(name=REVIEWERS_GROUP).exists()
        user._reviewer_cache = cached
    return cached


def is_own_assignment(user, assignment) -> bool:
    return _is_active(user) and assignment.reviewer_id == user.pk


def can_read_assignment(user, assignment) -> bool:
    """The assignment's row (call, reference, title, due date, status)."""
    return is_own_assignment(user, assignment) or is_review_administrator(user)


def can_respond_to_assignment(user, assignment) -> bool:
    """Accept (declaring no conflict) or decline: the reviewer, while invited."""
    return (
        is_own_assignment(user, assignment)
        and assignment.status == AssignmentStatus.INVITED
    )


def can_declare_conflict(user, assignment) -> bool:
    """A conflict may come to light after accepting too; it ends the assignment."""
    return (
        is_own_assignment(user, assignment)
        and assignment.status in ACTIVE_ASSIGNMENT_STATUSES
    )


def can_read_proposal_as_reviewer(user, assignment) -> bool:
    """The frozen version and its documents: only after declaring no conflict."""
    return (
        is_own_assignment(user, assignment)
        and assignment.status == AssignmentStatus.ACCEPTED
    )


def can_score(user, assignment) -> bool:
    """Change the scores and comments of the review (select `review` with it)."""
    if not can_read_proposal_as_reviewer(user, assignment):
        return False
    review = getattr(assignment, "review", None)
    return review is not None and review.status in EDITABLE_REVIEW_STATUSES


def can_view_other_reviews(user, assignment) -> bool:
    """The other reviews of the proposal: once the reviewer's own is submitted."""
    if is_review_administrator(user):
        return True
    if not can_read_proposal_as_reviewer(user, assignment):
        return False
    review = getattr(assignment, "review", None)
    return review is not None and review.status == ReviewStatus.SUBMITTED


def can_view_review(user, review) -> bool:
    """A review's scores and comments: its author, or an administrator."""
    return can_read_assignment(user, review.assignment)


def can_reopen_review(user, review) -> bool:
    return is_review_administrator(user) and review.status == ReviewStatus.SUBMITTED


def can_see_identities(user, opportunity) -> bool:
    """Investigators, team, institutions, countries and emails of the proposals.

    Administrators always; reviewers unless the call is dual-anonymous.
    """
    return is_review_administrator(user) or not opportunity.dual_anonymous


def can_view_version_as_reviewer(user, version) -> bool:
    """A frozen version assigned to `user`, accepted (one query)."""
    if not _is_active(user):
        return False
    return version.review_assignments.filter(
        reviewer_id=user.pk, status=AssignmentStatus.ACCEPTED
    ).exists()


def can_view_document_as_reviewer(user, document) -> bool:
    """A document of a frozen version assigned to `user`, accepted (one query)."""
    if not _is_active(user):
        return False
    return document.versions.filter(
        review_assignments__reviewer_id=user.pk,
        review_assignments__status=AssignmentStatus.ACCEPTED,
    ).exists()


# --- the panel beyond scores: phases, bids, discussion, consensus -------------
# `panel` is the call's reviews.models.Panel, or None before an administrator
# made one (every phase then counts as not opened).


def _phase(panel, name: str) -> str:
    return getattr(panel, name) if panel is not None else PhaseStatus.NOT_OPENED


def can_manage_panel(user) -> bool:
    """Open and close bidding and discussion, set the disagreement threshold and
    the triage line, designate primary reviewers."""
    return is_review_administrator(user)


def can_bid(user, panel) -> bool:
    """Say eager / willing / not willing / conflict on the call's proposals: any
    reviewer, while bidding is open on the call."""
    return is_reviewer(user) and _phase(panel, "bidding") == PhaseStatus.OPEN


def can_read_discussion(user, assignment) -> bool:
    """The proposal's discussion thread: administrators; a reviewer once their
    own review of it is submitted (select `review` with the assignment). A
    conflicted, declined or cancelled reviewer is out."""
    return can_view_other_reviews(user, assignment)


def can_post_in_discussion(user, assignment, panel) -> bool:
    """Write in the thread: whoever reads it, until the discussion is closed."""
    return (
        can_read_discussion(user, assignment)
        and _phase(panel, "discussion") != PhaseStatus.CLOSED
    )


def can_revise_review(user, assignment, panel) -> bool:
    """Change one's own submitted review: only while the call's discussion phase
    is open; each revision is kept (select `review` with the assignment)."""
    if not can_read_proposal_as_reviewer(user, assignment):
        return False
    review = getattr(assignment, "review", None)
    return (
        review is not None
        and review.status == ReviewStatus.SUBMITTED
        and _phase(panel, "discussion") == PhaseStatus.OPEN
    )


def can_write_consensus(user, report, panel) -> bool:
    """The consensus report of a proposal: administrators (the service refuses
    once the decision is released); the designated primary reviewer until the
    discussion is closed."""
    if is_review_administrator(user):
        return True
    return (
        report is not None
        and _is_active(user)
        and report.primary_reviewer_id == user.pk
        and _phase(panel, "discussion") != PhaseStatus.CLOSED
    )
