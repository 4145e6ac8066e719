"""The sweeper hands over again what a lost task or a dead worker left behind."""

from datetime import timedelta

from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail
from notifications.sweeper import sweep_outbox


def age(email, **fields):
    OutboundEmail.objects.filter(pk=email.pk).update(**fields)


def test_sweep_sends_a_queued_row_whose_task_was_lost(
    make_email, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 300
    email = make_email()
    age(email, next_attempt_at=timezone.now() - timedelta(minutes=6))

    with django_capture_on_commit_callbacks(execute=True):
        sweep = sweep_outbox()

    email.refresh_from_db()
    assert (sweep.reclaimed, sweep.requeued) == (0, 1)
    assert email.status == EmailStatus.SENT
    assert [message.to for message in mailoutbox] == [[email.to_email]]


def test_sweep_leaves_rows_within_their_grace_or_lease(
    make_email, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 300
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 600
    now = timezone.now()
    waiting = make_email(key="waiting")
    retrying = make_email(key="retrying")
    age(retrying, attempts=2, next_attempt_at=now + timedelta(minutes=10))
    sending = make_email(key="sending")
    age(
        sending,
        status=EmailStatus.SENDING,
        attempts=1,
        claimed_at=now - timedelta(minutes=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep = sweep_outbox()

    statuses = dict(OutboundEmail.objects.values_list("idempotency_key", "status"))
    assert (sweep.reclaimed, sweep.requeued) == (0, 0)
    assert statuses == {
        waiting.idempotency_key: EmailStatus.QUEUED,
        retrying.idempotency_key: EmailStatus.QUEUED,
        sending.idempotency_key: EmailStatus.SENDING,
    }
    assert mailoutbox == []


def test_sweep_reclaims_a_row_whose_worker_died(
    make_email, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 600
    email = make_email()
    age(
        email,
        status=EmailStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=11),
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep = sweep_outbox()

    email.refresh_from_db()
    assert (sweep.reclaimed, sweep.requeued) == (1, 0)
    assert email.status == EmailStatus.SENT
    assert email.attempts == 2
    assert len(mailoutbox) == 1


def test_sweep_twice_hands_a_row_over_once(
    make_email, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 300
    email = make_email()
    age(email, next_attempt_at=timezone.now() - timedelta(minutes=6))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = sweep_outbox()
        second = sweep_outbox()

    assert (first.requeued, second.requeued) == (1, 0)
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1


def test_sweep_never_touches_sent_or_failed_rows(
    make_email, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 0
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 0
    long_ago = timezone.now() - timedelta(days=1)
    sent = make_email(key="sent")
    age(
        sent,
        status=EmailStatus.SENT,
        sent_at=long_ago,
        claimed_at=long_ago,
        next_attempt_at=long_ago,
    )
    failed = make_email(key="failed")
    age(failed, status=EmailStatus.FAILED, claimed_at=long_ago, next_attempt_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        sweep = sweep_outbox()

    assert (sweep.reclaimed, sweep.requeued) == (0, 0)
    assert mailoutbox == []
