"""The retention rules, run daily by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from privacy import services


@shared_task(name="privacy.tasks.apply_retention")
def apply_retention() -> dict:
    done = services.apply_retention()
    return {
        "proposals_deleted": done.proposals_deleted,
        "emails_deleted": done.emails_deleted,
    }
