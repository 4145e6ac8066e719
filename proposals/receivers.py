"""What makes a kept completion figure stale (proposals.progress).

Connected when the app is ready (ProposalsConfig.ready imports this module).
What drafts share — a call, its carriers, required documents and statements,
and the people's profiles — moves every figure's generation on; a team member,
document or accepted statement forgets its own draft's figure. Both after the
transaction commits, so that a figure computed meanwhile from the old rows is
not kept under the new stamp. A write that bypasses the model's save
(`QuerySet.update`, `bulk_create`, raw SQL) sends no signal: such code calls
proposals.progress itself.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from proposals import progress

# What every draft's checklist reads from its call.
SHARED = (
    "catalogue.Opportunity",
    "catalogue.Carrier",
    "catalogue.RequiredDocument",
    "catalogue.Statement",
)
# What one draft's checklist reads of its own, by its `proposal_id`.
OWN = (
    "proposals.TeamMember",
    "proposals.ProposalDocument",
    "proposals.StatementAcceptance",
)
# What the checklist reads of a person: the principal investigator's
# institution and country, and the anonymity check's names, email addresses,
# institutions and ORCID iDs.
PROFILE_FIELDS = frozenset({"full_name", "email", "institution", "country", "orcid"})
SIGNALS = {"save": post_save, "delete": post_delete}


def shared_changed(sender, **kwargs) -> None:
    transaction.on_commit(progress.shared_inputs_changed)


def own_changed(sender, *, instance, **kwargs) -> None:
    proposal_id = instance.proposal_id
    transaction.on_commit(lambda: progress.forget(proposal_id))


def profile_changed(sender, *, update_fields=None, **kwargs) -> None:
    """A person's save, unless it wrote nothing the checklist reads (signing
    in writes `last_login` alone)."""
    if update_fields is None or PROFILE_FIELDS & set(update_fields):
        transaction.on_commit(progress.shared_inputs_changed)


for label in SHARED:
    for name, signal in SIGNALS.items():
        signal.connect(
            shared_changed, sender=label, dispatch_uid=f"progress:{name}:{label}"
        )
for label in OWN:
    for name, signal in SIGNALS.items():
        signal.connect(
            own_changed, sender=label, dispatch_uid=f"progress:{name}:{label}"
        )
for name, signal in SIGNALS.items():
    signal.connect(
        profile_changed,
        sender="accounts.User",
        dispatch_uid=f"progress:{name}:accounts.User",
    )
