"""Reads of the outbox for the admin: the changelist, the alerts on the index."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from config import generations
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


# The flags change seldom (a bounce, an administrator clearing one) and their
# owners' pages ask on every visit: the answer is kept per address, under a
# generation that any save or deletion of a flag moves on after its commit
# (notifications.receivers; config.generations says why a value computed
# meanwhile never matches).
FLAG_KEY = "notifications:flag:{digest}"
FLAG_GENERATION_KEY = "notifications:flag:generation"
FLAG_SECONDS = 24 * 3600


def kept_address_flag(*, email: str) -> FlaggedAddress | None:
    """What a page shows of address_flag (the address, the reason, when it was
    last flagged; not saved), from the cache while no flag has changed since."""
    address = email.strip().lower()
    key = FLAG_KEY.format(digest=hashlib.sha256(address.encode()).hexdigest())
    kept = cache.get_many([FLAG_GENERATION_KEY, key])
    generation = generations.current(FLAG_GENERATION_KEY, kept)
    entry = kept.get(key)
    if entry is None or entry[0] != generation:
        flag = address_flag(email=address)
        # Plain values, not the instance: a release that changes the model
        # never unpickles an old one.
        shown = None if flag is None else (flag.reason, flag.last_flagged_at)
        entry = (generation, shown)
        cache.set(key, entry, FLAG_SECONDS)
    if entry[1] is None:
        return None
    reason, last_flagged_at = entry[1]
    return FlaggedAddress(email=address, reason=reason, last_flagged_at=last_flagged_at)


def flags_changed() -> None:
    """Every kept answer of kept_address_flag is stale."""
    generations.move_on(FLAG_GENERATION_KEY)
