"""Reminders: emails owed because of the calendar, not of an event.

Each reminder source is a function registered under a name; given the current
time it yields the reminders due now. Celery beat runs `send_due_reminders`
(CELERY_BEAT_SCHEDULE in settings) every quarter of an hour. The outbox's
idempotency key, `reminder:<source>:<key>`, makes each reminder go out once per
recipient and occasion, however often beat runs and however many beats run at
once: a second queueing of a key, even by a concurrent run, records nothing.

A source names its occasion in the key, e.g. `deadline-7d:<proposal>:<user>`,
so the 7-day and the 1-day reminders of one deadline are two emails. Apps
register their sources in a `reminders` module of their own, found at run time:

    from notifications import reminders

    @reminders.register("proposal-deadline")
    def proposal_deadline(now):
        for proposal in drafts_due_within(now, days=7):
            yield reminders.DueReminder(
                key=f"deadline-7d:{proposal.pk}:{proposal.owner_id}", ...
            )
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from notifications.models import OutboundEmail
from notifications.services import Recipient, queue_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    key: str
    recipient: Recipient
    template: str
    context: dict = field(default_factory=dict)
    reply_to: str = ""


ReminderSource = Callable[[datetime], Iterable[DueReminder]]
_sources: dict[str, ReminderSource] = {}


def register(name: str) -> Callable[[ReminderSource], ReminderSource]:
    """Register a reminder source under `name` (a decorator)."""

    def decorator(source: ReminderSource) -> ReminderSource:
        _sources[name] = source
        return source

    return decorator


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> dict[str, ReminderSource]:
    autodiscover_modules("reminders")
    return dict(_sources)


def reminder_key(source: str, key: str) -> str:
    return f"reminder:{source}:{key}"


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue every reminder due now that was not queued before; returns how many."""
    now = now or timezone.now()
    queued = 0
    for name, source in sources().items():
        try:
            queued += _queue_source(name, source, now)
        except Exception:
            # One broken source must not starve the others; the next run retries.
            logger.exception("Reminder source %s failed.", name)
    if queued:
        logger.info("Queued %s reminders.", queued)
    return queued


def _queue_source(name: str, source: ReminderSource, now: datetime) -> int:
    queued = 0
    for due in source(now):
        key = reminder_key(name, due.key)
        # A cheap skip of the reminders already queued; the unique key decides.
        if OutboundEmail.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            email = queue_email(
                key=key,
                recipient=due.recipient,
                template=due.template,
                context=due.context,
                reply_to=due.reply_to,
            )
        queued += email is not None
    return queued
