"""Who may do what with a proposal: plain predicates shared by views, admin and API.

Roles:
- the principal investigator (the proposal's owner) reads, edits, submits and
  withdraws;
- a team member linked to an account reads; a linked co-investigator who has
  confirmed their participation also edits;
- an administrator — an active staff user holding the `proposals.view_proposal`
  permission (superusers, the administrators' group) — reads every proposal;
  with the review panel's `reviews.manage_reviews` (every decision's one
  permission) staff shortlist or decline letters of intent.
- reviewers read the frozen versions assigned to them: the review issue adds them
  to `can_view_version` (and only there; they never read the live draft).

The predicates read `proposal.team_members.all()`, so a prefetched team costs no
query.
"""

from django.utils import timezone

from proposals.enums import ProposalStatus, TeamRole

EDITABLE_STATUSES = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED})


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_administrator(user) -> bool:
    return (
        _is_active(user) and user.is_staff and user.has_perm("proposals.view_proposal")
    )


# Every decision — a letter of intent's too — takes the one permission of the
# review panel (reviews.permissions.can_decide asks the same): a letter is decided
# through reviews.services.decide_letter, whichever button starts it.
DECIDE_PERMISSION = "reviews.manage_reviews"


def can_decide_letters(user) -> bool:
    """Shortlist or decline letters of intent: active staff holding the review
    panel's permission (reviews.permissions.can_decide)."""
    return _is_active(user) and user.is_staff and user.has_perm(DECIDE_PERMISSION)


def is_principal_investigator(user, proposal) -> bool:
    return _is_active(user) and proposal.principal_investigator_id == user.pk


def team_membership(user, proposal):
    """The TeamMember row linked to `user` on `proposal`, or None."""
    if not _is_active(user):
        return None
    for member in proposal.team_members.all():
        if member.user_id == user.pk:
            return member
    return None


def is_open_for_changes(proposal, *, now=None) -> bool:
    """A draft is always editable; a submitted proposal may be revised and
    resubmitted while its opportunity is open and its stage deadline is ahead."""
    if proposal.status == ProposalStatus.DRAFT:
        return True
    if proposal.status != ProposalStatus.SUBMITTED:
        return False
    now = now or timezone.now()
    deadline = proposal.deadline
    return (
        proposal.opportunity.is_open_at(now) and deadline is not None and now < deadline
    )


def can_view_proposal(user, proposal) -> bool:
    if not _is_active(user):
        return False
    return (
        is_principal_investigator(user, proposal)
        or team_membership(user, proposal) is not None
        or is_administrator(user)
    )


def can_edit_proposal(user, proposal, *, now=None) -> bool:
    """Edit the sections and documents: the PI and confirmed co-investigators."""
    if not is_open_for_changes(proposal, now=now):
        return False
    if is_principal_investigator(user, proposal):
        return True
    member = team_membership(user, proposal)
    return bool(
        member and member.is_confirmed and member.role == TeamRole.CO_INVESTIGATOR
    )


def can_manage_team(user, proposal, *, now=None) -> bool:
    """Invite, change and remove team members; accept the call's statements."""
    return is_principal_investigator(user, proposal) and is_open_for_changes(
        proposal, now=now
    )


def can_submit_proposal(user, proposal) -> bool:
    """Whether to offer the submit button; submit_proposal checks the rest."""
    return (
        is_principal_investigator(user, proposal)
        and proposal.status in EDITABLE_STATUSES
    )


def can_withdraw_proposal(user, proposal) -> bool:
    return (
        is_principal_investigator(user, proposal)
        and proposal.status in EDITABLE_STATUSES
    )


def can_view_version(user, version) -> bool:
    """Read a frozen version and its PDF. The review issue adds assigned reviewers."""
    return can_view_proposal(user, version.proposal)


def can_view_document(user, document) -> bool:
    return can_view_proposal(user, document.proposal)
