"""Who may do what with a selected payload: plain predicates shared by the
views, the admin and the services.

Roles:
- the team — the principal investigator and the team members linked to an
  account who have confirmed their participation — reads its payload: its
  conditions, agreements, milestones, deliveries and data;
- the principal investigator and confirmed co-investigators answer the
  conditions of a conditional selection;
- an administrator (proposals.permissions.is_administrator: active staff with
  `proposals.view_proposal`) reads every payload and makes every other change.
Reviewers have no access to payloads.

The predicates read `payload.proposal.team_members.all()`, so a prefetched team
costs no query.
"""

from proposals.enums import TeamRole
from proposals.permissions import (
    is_administrator,
    is_principal_investigator,
    team_membership,
)


def can_manage_payloads(user) -> bool:
    """Change allocations, review conditions, agreements, milestones, deliveries,
    data handovers and the public selection lists."""
    return is_administrator(user)


def is_team_member(user, payload) -> bool:
    """The principal investigator, or a confirmed team member of the proposal."""
    proposal = payload.proposal
    if is_principal_investigator(user, proposal):
        return True
    member = team_membership(user, proposal)
    return bool(member and member.is_confirmed)


def can_view_payload(user, payload) -> bool:
    return is_administrator(user) or is_team_member(user, payload)


def can_answer(user, payload) -> bool:
    """Answer the conditions: the PI and confirmed co-investigators. (Whether a
    condition is still open to an answer is the service's to say.)"""
    proposal = payload.proposal
    if is_principal_investigator(user, proposal):
        return True
    member = team_membership(user, proposal)
    return bool(
        member and member.is_confirmed and member.role == TeamRole.CO_INVESTIGATOR
    )
