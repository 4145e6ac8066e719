"""Email under faults, against the real Redis broker, real workers and a real SMTP
server on loopback (issue 5, "done means").

In-process workers (celery.contrib.testing) run on the shared Redis, in a
database of its own (AO_TEST_REDIS_URL, default db 13) and on queues unique to
the run. The broker-restart test and the worker-kill tests start their own
redis-server on a free port; the kill tests run the worker as a subprocess.

PostgreSQL only (DATABASE_URL), as in CI: a worker subprocess cannot open the
in-memory SQLite test database, and a worker thread writing to it beside the
test collides with SQLite's shared-cache table locks ("database table is
locked"), which fail at once instead of waiting.
"""

import os
import random
import shutil
import signal
import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction

from catalogue.enums import OpportunityStatus
from catalogue.workflow import transition
from notifications import reminders
from notifications.models import EmailStatus, OutboundEmail
from notifications.previews import opportunity_sample
from notifications.services import Recipient, queue_email
from notifications.sweeper import sweep_outbox
from notifications.tasks import send_email, send_reminders
from tests.catalogue.calls import publishable_call
from tests.factories import ContactFactory, UserFactory
from tests.notifications.broker import (
    SHARED_REDIS,
    RedisServer,
    WorkerProcess,
    broker_app,
    redis_answers,
    unique_queue,
)

needs_postgresql = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":", 1)[0]
    not in {"postgres", "postgresql"},
    reason=(
        "Needs PostgreSQL (DATABASE_URL): workers write to the test database beside "
        "the test, which SQLite's in-memory test database cannot take."
    ),
)
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="These tests start a private redis-server; none is installed.",
)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def all_sent() -> bool:
    return not OutboundEmail.objects.exclude(status=EmailStatus.SENT).exists()


def queue_one(key: str, to: str = "pi@university.example.org") -> OutboundEmail:
    with transaction.atomic():
        return queue_email(
            key=key,
            recipient=Recipient(email=to),
            template="opportunity_published",
            context=opportunity_sample(),
        )


@pytest.fixture
def shared_broker():
    if not redis_answers(SHARED_REDIS):
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {SHARED_REDIS}")
        pytest.skip(f"Redis does not answer at {SHARED_REDIS}")
    queue = unique_queue()
    with broker_app(broker_url=SHARED_REDIS, queue=queue) as app:
        yield app, queue


@pytest.fixture
def in_process_worker(shared_broker, smtp_settings):
    app, queue = shared_broker
    with start_worker(
        app,
        pool="solo",
        queues=[queue],
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
    ):
        yield app, queue


def test_refused_then_accepted_arrives_exactly_once(in_process_worker, smtp_sink):
    smtp_sink.refuse(at="data", reply="421 4.3.2 Service busy, try again")

    email = queue_one("refused-then-accepted")

    assert wait_until(all_sent)
    time.sleep(0.5)  # a second copy, if any, would have arrived by now
    email.refresh_from_db()
    assert email.attempts == 2
    assert "421" not in email.last_error
    assert smtp_sink.copies() == {email.message_id: 1}


def test_same_task_delivered_twice_sends_once(in_process_worker, smtp_sink):
    _app, queue = in_process_worker
    email = queue_one("delivered-twice")

    send_email.apply_async(kwargs={"email_id": email.pk})
    send_email.apply_async(kwargs={"email_id": email.pk})

    assert wait_until(all_sent)
    client = redis.Redis.from_url(SHARED_REDIS)
    assert wait_until(lambda: client.llen(queue) == 0)
    time.sleep(0.5)
    email.refresh_from_db()
    assert email.attempts == 1
    assert smtp_sink.copies() == {email.message_id: 1}


def test_sweeper_hands_over_queued_rows_only_when_the_queue_is_empty(
    shared_broker, settings
):
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 0
    _app, queue = shared_broker
    client = redis.Redis.from_url(SHARED_REDIS)
    queue_one("waiting-in-line")
    time.sleep(0.01)

    with_backlog = sweep_outbox()
    client.delete(queue)  # the broker restarted and lost its queue
    after_loss = sweep_outbox()

    assert (with_backlog.requeued, after_loss.requeued) == (0, 1)
    assert client.llen(queue) == 1


class EventFailedError(Exception):
    pass


def publish_then_fail(opportunity, actor):
    with transaction.atomic():
        transition(opportunity, to=OpportunityStatus.PUBLISHED, actor=actor)
        raise EventFailedError


def test_rolled_back_event_sends_nothing(in_process_worker, smtp_sink):
    _app, _queue = in_process_worker
    opportunity = publishable_call(draft=True)
    opportunity.contacts.add(ContactFactory())
    actor = UserFactory(staff=True)

    with pytest.raises(EventFailedError):
        publish_then_fail(opportunity, actor)
    control = queue_one("control")  # behind anything the event may have sent

    assert wait_until(all_sent)
    time.sleep(0.5)
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [control.pk]
    assert smtp_sink.copies() == {control.message_id: 1}


def test_publishing_a_call_emails_its_contact_through_the_worker(
    in_process_worker, smtp_sink
):
    opportunity = publishable_call(draft=True)
    contact = ContactFactory(email="gan.yong@cnsa.example.org")
    opportunity.contacts.add(contact)

    with transaction.atomic():
        transition(
            opportunity,
            to=OpportunityStatus.PUBLISHED,
            actor=UserFactory(staff=True),
        )

    assert smtp_sink.wait_for(1)
    assert wait_until(all_sent)
    time.sleep(0.5)  # a second copy, if any, would have arrived by now
    email = OutboundEmail.objects.get()
    assert [(item.to, item.message_id) for item in smtp_sink.received] == [
        (contact.email, email.message_id)
    ]
    assert smtp_sink.received[0].subject == email.subject
    assert email.subject.startswith("New Announcement of Opportunity")


def test_two_beats_at_once_send_each_reminder_once(in_process_worker, smtp_sink):
    barrier = threading.Barrier(2)
    recipients = [Recipient(email=f"pi{n}@university.example.org") for n in range(5)]

    @reminders.register("integration-deadline")
    def deadline(now):
        barrier.wait(timeout=10)  # both beats have scanned before either writes
        for recipient in recipients:
            yield reminders.DueReminder(
                key=f"deadline-1d:7:{recipient.email}",
                recipient=recipient,
                template="opportunity_published",
                context=opportunity_sample(),
            )

    def beat():
        try:
            send_reminders.apply()  # the beat's task, as a worker runs it
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        reminders.unregister("integration-deadline")

    assert OutboundEmail.objects.count() == len(recipients)
    assert wait_until(all_sent)
    time.sleep(0.5)
    assert sorted(item.to for item in smtp_sink.received) == sorted(
        recipient.email for recipient in recipients
    )
    assert set(smtp_sink.copies().values()) == {1}


@needs_redis_server
def test_redis_stopped_and_restarted_loses_no_email(smtp_settings, smtp_sink):
    smtp_settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 0
    smtp_settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 1
    server = RedisServer().start()
    queue = unique_queue()
    try:
        with (
            broker_app(broker_url=server.url, queue=queue) as app,
            start_worker(
                app,
                pool="solo",
                queues=[queue],
                perform_ping_check=False,
                loglevel="ERROR",
                shutdown_timeout=10,
            ),
        ):
            before = [queue_one(f"before:{n}", f"a{n}@example.org") for n in range(3)]
            assert wait_until(all_sent)

            server.stop()
            started = time.monotonic()
            during = [queue_one(f"during:{n}", f"b{n}@example.org") for n in range(5)]
            queueing_took = time.monotonic() - started
            statuses = set(OutboundEmail.objects.values_list("status", flat=True))
            server.start()

            assert statuses == {EmailStatus.SENT, EmailStatus.QUEUED}
            time.sleep(0.1)
            sweep = sweep_outbox()
            assert wait_until(all_sent, timeout=30)
            time.sleep(0.5)
    finally:
        server.stop()

    assert queueing_took < 5  # one wait on the broker, not one per email
    assert sweep.requeued == len(during)
    assert smtp_sink.copies() == {email.message_id: 1 for email in [*before, *during]}


@pytest.fixture
def private_redis():
    server = RedisServer().start()
    yield server
    server.stop()


def kill_while_held(*, private_redis, smtp_sink, accepted: bool):
    """Queue one email; SIGKILL the worker while the server holds its DATA
    (before accepting it, or after accepting it but before replying); then
    restart the worker and sweep.

    Returns the row and the sweep once every row is sent.
    """
    queue = unique_queue()
    hold = smtp_sink.hold_next(accepted=accepted)
    with broker_app(broker_url=private_redis.url, queue=queue):
        worker = WorkerProcess(
            broker_url=private_redis.url, queue=queue, smtp_port=smtp_sink.port
        ).start()
        try:
            email = queue_one("killed-mid-send")
            assert hold.reached.wait(timeout=30), "the worker never reached DATA"
            worker.kill()
            hold.release()
            email.refresh_from_db()
            assert email.status == EmailStatus.SENDING

            worker = WorkerProcess(
                broker_url=private_redis.url, queue=queue, smtp_port=smtp_sink.port
            ).start()
            time.sleep(1.1)  # past the lease
            sweep = sweep_outbox()
            assert wait_until(all_sent, timeout=30)
            time.sleep(0.5)
        finally:
            worker.stop()
    email.refresh_from_db()
    return email, sweep


@needs_redis_server
def test_worker_killed_mid_send_delivers_after_restart_and_sweep(
    settings, smtp_sink, private_redis
):
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 1

    email, sweep = kill_while_held(
        private_redis=private_redis, smtp_sink=smtp_sink, accepted=False
    )

    assert sweep.reclaimed == 1
    assert email.attempts == 2
    assert smtp_sink.copies() == {email.message_id: 1}


@needs_redis_server
def test_worker_killed_after_acceptance_repeats_with_the_same_message_id(
    settings, smtp_sink, private_redis
):
    """The one gap: the server accepted, the worker died before marking the row.

    The sweeper sends it again; the copy carries the same Message-ID, which
    mail clients use to fold duplicates.
    """
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 1

    email, _sweep = kill_while_held(
        private_redis=private_redis, smtp_sink=smtp_sink, accepted=True
    )

    assert smtp_sink.copies() == {email.message_id: 2}


KILLS = int(os.environ.get("AO_KILL_ROUNDS", "3"))


@needs_redis_server
def test_worker_killed_at_random_moments_delivers_every_email(
    settings, smtp_sink, private_redis
):
    """Kill the pool's process at random instants while it sends a stream of
    emails; every email arrives, a repeat only with the same Message-ID.

    AO_KILL_ROUNDS sets the number of kills (bench/emails.py --kills measures the
    repeat rate over many).
    """
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 1
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 1
    queue = unique_queue()
    rng = random.Random(5)
    with broker_app(broker_url=private_redis.url, queue=queue):
        worker = WorkerProcess(
            broker_url=private_redis.url,
            queue=queue,
            smtp_port=smtp_sink.port,
            pool="prefork",
        ).start()
        try:
            emails = [
                queue_one(f"stream:{n}", f"pi{n}@example.org")
                for n in range(KILLS * 10)
            ]
            kills = 0
            while kills < KILLS and not all_sent():
                # A pool process in full flow, killed at a random instant.
                if not smtp_sink.wait_for(smtp_sink.count() + 3, timeout=10):
                    break
                time.sleep(rng.uniform(0, 0.01))
                for child in worker.children():
                    os.kill(child, signal.SIGKILL)
                    kills += 1
            deadline = time.monotonic() + 60
            while not all_sent() and time.monotonic() < deadline:
                time.sleep(1.1)
                sweep_outbox()
                wait_until(all_sent, timeout=2)
        finally:
            worker.stop()

    copies = smtp_sink.copies()
    repeats = sum(count - 1 for count in copies.values())
    assert kills > 0
    assert all_sent()
    assert set(copies) == {email.message_id for email in emails}
    assert repeats <= kills
