"""Celery tasks of review. Thin: they call a service, which does the work."""

from celery import shared_task

from reviews.services import send_discussion_digests


@shared_task(name="reviews.tasks.send_discussion_digests")
def send_discussion_digests_task() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): each participant's digest of new
    discussion messages, at most one per person and hour."""
    return send_discussion_digests()
