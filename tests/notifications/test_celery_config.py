"""Celery is configured for reliable email (issue 5, item 2 and 3)."""

from config.celery_app import app
from notifications import sender


def test_celery_acknowledges_late_and_rejects_on_worker_loss():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.get("CELERY_DB_REUSE_MAX") == 100  # Celery's Django fixup


def test_celery_routes_email_to_a_queue_of_its_own(settings):
    route = app.amqp.router.route({}, "notifications.tasks.send_email")

    assert route["queue"].name == settings.NOTIFICATIONS_EMAIL_QUEUE == "email"
    assert app.conf.task_default_queue == "default"


def test_visibility_timeout_outlasts_the_longest_retry(settings):
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    longest = max(
        sender.backoff_seconds(attempt)
        for attempt in range(1, settings.NOTIFICATIONS_MAX_ATTEMPTS + 1)
    )

    assert longest <= settings.NOTIFICATIONS_RETRY_MAX_SECONDS < timeout
    assert timeout > settings.NOTIFICATIONS_SENDING_LEASE_SECONDS


def test_beat_schedules_the_sweeper_reminders_digests_and_retention():
    schedule = app.conf.beat_schedule
    app.loader.import_default_modules()  # what a worker does at start

    assert {entry["task"]: entry["schedule"] for entry in schedule.values()} == {
        "notifications.tasks.sweep_outbox": 60.0,
        "notifications.tasks.send_reminders": 900.0,
        "reviews.tasks.send_discussion_digests": 3600.0,
        "privacy.tasks.apply_retention": 86400.0,
    }
    assert set(app.tasks) >= {
        "notifications.tasks.send_email",
        "notifications.tasks.sweep_outbox",
        "notifications.tasks.send_reminders",
        "reviews.tasks.send_discussion_digests",
    }
