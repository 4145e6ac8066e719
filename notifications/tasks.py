"""Celery tasks of the outbox. Thin: they take ids and call the sender."""

from celery import shared_task
from django.db import close_old_connections

from notifications import reminders, sender, sweeper


@shared_task(
    bind=True,
    name="notifications.tasks.send_email",
    max_retries=None,  # the row counts its attempts (NOTIFICATIONS_MAX_ATTEMPTS)
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_email(self, *, email_id: int) -> str:
    if not self.request.is_eager:
        # A worker's connections live across tasks (CELERY_DB_REUSE_MAX): drop
        # one that broke. (Eagerly, this runs inside the caller's request.)
        close_old_connections()
    delivery = sender.deliver(email_id=email_id)
    if delivery.retry_in is not None and not self.request.is_eager:
        # Eagerly (no broker) the row waits, queued, for the sweeper instead.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(name="notifications.tasks.sweep_outbox")
def sweep_outbox() -> dict:
    sweep = sweeper.sweep_outbox()
    return {"reclaimed": sweep.reclaimed, "requeued": sweep.requeued}


@shared_task(name="notifications.tasks.send_reminders")
def send_reminders() -> int:
    return reminders.send_due_reminders()
