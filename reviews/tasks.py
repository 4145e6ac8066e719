"""Celery tasks of review. Thin: they call a service, which does the work."""

from celery import shared_task

from reviews.services import send_discussion_digests
from reviews.services.assigning import compute_assignment_plan


@shared_task(name="reviews.tasks.send_discussion_digests")
def send_discussion_digests_task() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): each participant's digest of new
    discussion messages, at most one per person and hour."""
    return send_discussion_digests()


@shared_task(name="reviews.tasks.compute_assignment_plan")
def compute_assignment_plan_task(*, plan_id: int) -> str:
    """The automatic plan an administrator asked for (reviews.services.
    request_assignment_plan queues it): computed and stored, or failed with
    its message. Returns its status ("" when it was not computing)."""
    plan = compute_assignment_plan(plan_id=plan_id)
    return plan.status if plan is not None else ""
