"""The one email of this app: the confirmation that an account was deleted,
sent to the address it had, queued before that address is removed.
Templates: templates/emails/account_deleted/."""

from notifications.services import Recipient, queue_email


def queue_account_deleted(*, user_id: int, address: str, language: str, now) -> None:
    """Not linked to the account (it is gone) and without a name: the outbox row
    holds the address only until the outbox retention removes it."""
    queue_email(
        key=f"privacy:account-deleted:{user_id}",
        recipient=Recipient(email=address, language=language),
        template="account_deleted",
        context={"deleted_at": now.isoformat()},
    )
