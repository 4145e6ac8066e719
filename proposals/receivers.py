"""What makes a kept completion figure stale (proposals.progress).

Connected when the app is ready (ProposalsConfig.ready imports this module).
What drafts share — a call, its carriers, required documents and statements —
moves every figure's generation on, and so does every `migrate`; a team member,
document or accepted statement moves its own draft's version on, and a person's
profile the versions of the drafts they are on. All after the transaction
commits. A write that bypasses the model's save (`QuerySet.update`,
`bulk_create`, raw SQL) sends no signal: such code calls proposals.progress
itself (proposals.services.team.link_memberships does).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

from proposals import progress

logger = logging.getLogger(__name__)

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
    transaction.on_commit(lambda: progress.forget([proposal_id]))


def profile_changed(sender, *, instance, created=False, update_fields=None, **kwargs):
    """A person's save that may have changed what the checklist reads of them
    (not a new account: it is on no draft yet; not a save of other fields,
    such as signing in's `last_login`), or their deletion: the drafts they are
    on, read now, are forgotten after the commit."""
    if created or (
        update_fields is not None and not PROFILE_FIELDS & set(update_fields)
    ):
        return
    drafts = progress.drafts_of(instance)
    if drafts:
        transaction.on_commit(lambda: progress.forget(drafts))


def after_migrate(sender, **kwargs) -> None:
    """A release may change the checklist's rules: every figure is stale. A
    cache that does not answer must not stop the migration."""
    try:
        progress.shared_inputs_changed()
    except Exception:
        logger.warning("The kept completion figures could not be marked stale.")


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
post_save.connect(
    profile_changed, sender="accounts.User", dispatch_uid="progress:save:accounts.User"
)
# Before the deletion: afterwards the team places no longer name the account.
pre_delete.connect(
    profile_changed,
    sender="accounts.User",
    dispatch_uid="progress:delete:accounts.User",
)
