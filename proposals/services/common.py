"""What every write to a proposal starts with: lock the row, then check who asks."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from config.refusals import Refused
from proposals.models import Proposal
from proposals.permissions import (
    can_edit_proposal,
    can_view_proposal,
    is_open_for_changes,
)
from proposals.selectors import narrow, share_call


class ProposalLocked(Refused):
    """The proposal is past the point where it can be changed."""

    def __init__(self, proposal: Proposal):
        super().__init__(
            _("This proposal is %(status)s and can no longer be changed.")
            % {"status": proposal.get_status_display().lower()}
        )


def lock(proposal: Proposal) -> Proposal:
    """The proposal's row, locked for the transaction, with its relations loaded
    (as selectors.narrow reads them)."""
    locked = narrow(Proposal.objects.select_for_update(of=("self",))).get(
        pk=proposal.pk
    )
    share_call(locked)
    return locked


def lock_for_change(proposal: Proposal, *, actor, allowed=can_edit_proposal, now=None):
    """Lock the proposal and refuse unless `allowed(actor, proposal)`.

    Raises PermissionDenied for someone who may not change it, and ProposalLocked
    when nobody may any more (withdrawn, under review, past the deadline).
    """
    locked = lock(proposal)
    if not can_view_proposal(actor, locked):
        raise PermissionDenied(_("You are not on this proposal's team."))
    if not is_open_for_changes(locked, now=now):
        raise ProposalLocked(locked)
    if not allowed(actor, locked, now=now):
        raise PermissionDenied(
            _(
                "Only the principal investigator and confirmed co-investigators can "
                "change this proposal."
            )
            if allowed is can_edit_proposal
            else _("Only the principal investigator can do this.")
        )
    return locked
