"""Sample context of the account-deleted email, for the admin's preview and the
tests."""

from notifications.previews import register_sample

register_sample("account_deleted", lambda: {"deleted_at": "2026-12-06T02:30:00+00:00"})
