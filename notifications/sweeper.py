"""Hand over again the rows a worker never finished (Celery beat, every minute).

Two kinds of row are stuck: queued rows whose task was lost (the broker was
down when the event committed, or restarted with the task in it), and sending
rows whose worker died mid-send (killed, out of memory). A sending row is taken
back only after NOTIFICATIONS_SENDING_LEASE_SECONDS, far longer than a send may
take, so a slow worker is not raced.

Rows are locked with SKIP LOCKED, moved and dated in one transaction and handed
to Celery after it commits, so two sweepers never hand over the same row twice.
Queued rows are handed over only while the email queue is empty: a row still
queued then has lost its task, whereas with a backlog its task may still wait
in line (workers down, a large publication), and a copy would only pile up. A
row handed over is dated again, so it goes once more only if it is still queued
a whole grace period later. Even a second task for a row sends nothing: the
sender's claim lets one through.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import ChannelError, OperationalError

from notifications.models import EmailStatus, OutboundEmail
from notifications.services import enqueue

logger = logging.getLogger(__name__)
BATCH = 500
MAX_BATCHES = 40  # at most 20,000 rows a run; the next run goes on


@dataclass(frozen=True)
class Sweep:
    reclaimed: int
    requeued: int


def _reclaim_stale_sending(now: datetime) -> list[int]:
    """Move a batch of sending rows whose lease has expired back to queued."""
    cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.SENDING, claimed_at__lt=cutoff)
            .order_by("claimed_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        OutboundEmail.objects.filter(
            pk__in=ids, status=EmailStatus.SENDING, claimed_at__lt=cutoff
        ).update(
            status=EmailStatus.QUEUED,
            next_attempt_at=now,
            last_error="The worker was lost while sending; handed over again.",
            updated_at=now,
        )
        if ids:
            transaction.on_commit(lambda: enqueue(email_ids=ids, wait_for_broker=True))
    return ids


def email_backlog() -> int:
    """Tasks waiting in the broker's email queue; 0 when it cannot say."""
    from notifications.tasks import send_email  # noqa: PLC0415 — tasks import us

    app = send_email.app
    if app.conf.task_always_eager:
        return 0
    queue = app.amqp.router.route({}, send_email.name)["queue"].name
    try:
        with app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(
                queue=queue, passive=True
            )
    except (ChannelError, OperationalError, OSError):
        return 0  # no such queue yet, or no broker: nothing is waiting there
    return declared.message_count


def _requeue_overdue(now: datetime) -> list[int]:
    """Hand over again a batch of queued rows left waiting past their grace."""
    cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.QUEUED, next_attempt_at__lt=cutoff)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        OutboundEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED).update(
            next_attempt_at=now, updated_at=now
        )
        if ids:
            transaction.on_commit(lambda: enqueue(email_ids=ids, wait_for_broker=True))
    return ids


def sweep_outbox(*, now: datetime | None = None) -> Sweep:
    """Reclaim stale sending rows, then hand over overdue queued rows."""
    now = now or timezone.now()
    reclaimed = requeued = 0
    for _batch in range(MAX_BATCHES):
        ids = _reclaim_stale_sending(now)
        reclaimed += len(ids)
        if len(ids) < BATCH:
            break
    backlog = email_backlog()
    if backlog:
        # Their tasks may be in that queue still (a long publish, workers down):
        # handing them over again would only pile up copies. Once the queue is
        # empty, what is left queued was lost, and goes.
        logger.info("Sweeper: %s emails wait in the queue; no hand-over.", backlog)
        return Sweep(reclaimed=reclaimed, requeued=0)
    for _batch in range(MAX_BATCHES):
        ids = _requeue_overdue(now)
        requeued += len(ids)
        if len(ids) < BATCH:
            break
    return Sweep(reclaimed=reclaimed, requeued=requeued)
