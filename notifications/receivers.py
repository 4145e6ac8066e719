"""What makes a kept answer of notifications.selectors.kept_address_flag stale:
any save or deletion of a flag, after its transaction commits. Connected when
the app is ready (NotificationsConfig.ready imports this module). A write that
bypasses the model's save sends no signal: such code calls
notifications.selectors.flags_changed itself."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from notifications import selectors


def flag_changed(sender, **kwargs) -> None:
    transaction.on_commit(selectors.flags_changed)


post_save.connect(
    flag_changed, sender="notifications.FlaggedAddress", dispatch_uid="flags:save"
)
post_delete.connect(
    flag_changed, sender="notifications.FlaggedAddress", dispatch_uid="flags:delete"
)
