"""Every write to proposals. Views, the admin and the API call these and nothing else.

All take keyword arguments, run in one transaction, lock the proposal's row and
check who acts (`actor=`) with proposals.permissions. They raise:

- django.core.exceptions.PermissionDenied — the actor may not do this (→ 403);
- ProposalLocked — nobody may change the proposal any more (withdrawn, under
  review, submitted and past its deadline);
- django.core.exceptions.ValidationError — field messages, for a form's errors;
- DocumentRefused (.message, .code) — an upload that is not an acceptable PDF;
- SubmissionRefused (.messages) — every reason a submission is refused;
- CannotStartProposal, MembershipRefused, LetterDecisionRefused — one sentence;
- SectionConflict — someone saved the section since the editor showed it
  (.current, .saved, .number: what is stored, by whom, the version now);
- proposals.workflow.TransitionNotAllowed — an illegal status move.

Drafting: start_proposal, update_section, accept_statements, upload_document,
remove_document. Team: add_team_member, update_team_member, remove_team_member,
resend_invitation, confirm_membership (the emailed link),
confirm_membership_for_user (from the account), link_memberships. Submission:
submit_proposal, withdraw_proposal, shortlist_letter, decline_letter.
"""

from proposals.documents import DocumentRefused
from proposals.services.common import ProposalLocked
from proposals.services.drafting import (
    SECTION_FIELDS,
    TEXT_LIMITS,
    CannotStartProposal,
    SectionConflict,
    SectionSaved,
    accept_statements,
    remove_document,
    section_numbers,
    section_saved,
    start_proposal,
    update_section,
    upload_document,
)
from proposals.services.submission import (
    LetterDecisionRefused,
    SubmissionRefused,
    decline_letter,
    shortlist_letter,
    submission_problems,
    submit_proposal,
    withdraw_proposal,
)
from proposals.services.team import (
    MembershipRefused,
    add_team_member,
    confirm_membership,
    confirm_membership_for_user,
    link_memberships,
    remove_team_member,
    resend_invitation,
    update_team_member,
)

__all__ = [
    "SECTION_FIELDS",
    "TEXT_LIMITS",
    "CannotStartProposal",
    "DocumentRefused",
    "LetterDecisionRefused",
    "MembershipRefused",
    "ProposalLocked",
    "SectionConflict",
    "SectionSaved",
    "SubmissionRefused",
    "accept_statements",
    "add_team_member",
    "confirm_membership",
    "confirm_membership_for_user",
    "decline_letter",
    "link_memberships",
    "remove_document",
    "remove_team_member",
    "resend_invitation",
    "section_numbers",
    "section_saved",
    "shortlist_letter",
    "start_proposal",
    "submission_problems",
    "submit_proposal",
    "update_section",
    "update_team_member",
    "upload_document",
    "withdraw_proposal",
]
