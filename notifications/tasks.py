"""Celery tasks of the outbox. Thin: they take ids and call the sender."""

from celery import shared_task

from notifications import sender


@shared_task(bind=True, name="notifications.tasks.send_email", max_retries=None)
def send_email(self, *, email_id: int) -> str:
    return sender.deliver(task=self, email_id=email_id)
