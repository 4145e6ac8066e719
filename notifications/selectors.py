"""Reads of the outbox for the admin: the changelist, the alerts on the index."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from notifications.models import EmailStatus, FlaggedAddress, OutboundEmail


@dataclass(frozen=True)
class OutboxAlerts:
    failed: int
    stuck: int
    flagged: int

    @property
    def any(self) -> bool:
        return bool(self.failed or self.stuck or self.flagged)


def outbox_for_admin() -> QuerySet[OutboundEmail]:
    """Every row, each marked whether its address is flagged."""
    flagged = FlaggedAddress.objects.filter(email=OuterRef("to_email_lower"))
    return OutboundEmail.objects.annotate(to_email_lower=Lower("to_email")).annotate(
        address_flagged=Exists(flagged)
    )


def outbox_alerts() -> OutboxAlerts:
    """What administrators must act on: failed rows, rows stuck, flagged addresses.

    A row is stuck when no worker has tried it in twice the sweeper's grace
    (is a worker running?), or when its worker has held it past the lease.
    """
    now = timezone.now()
    never_tried = Q(
        status=EmailStatus.QUEUED,
        attempts=0,
        created_at__lt=now
        - timedelta(seconds=2 * settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS),
    )
    held = Q(
        status=EmailStatus.SENDING,
        claimed_at__lt=now
        - timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS),
    )
    failed = Q(status=EmailStatus.FAILED)
    counts = OutboundEmail.objects.filter(failed | never_tried | held).aggregate(
        failed=Count("pk", filter=failed),
        stuck=Count("pk", filter=never_tried | held),
    )
    return OutboxAlerts(
        failed=counts["failed"],
        stuck=counts["stuck"],
        flagged=FlaggedAddress.objects.count(),
    )


def address_flag(*, email: str) -> FlaggedAddress | None:
    """The flag on `email`, for a page that tells its owner (None when clean)."""
    return FlaggedAddress.objects.filter(email=email.strip().lower()).first()
