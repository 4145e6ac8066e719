"""The reminder mechanism: each reminder once per recipient and occasion."""

import threading

import pytest
from django.db import connection

from notifications import reminders
from notifications.models import OutboundEmail
from notifications.previews import opportunity_sample
from notifications.services import Recipient

RECIPIENTS = [
    Recipient(email="pi@university.example.org"),
    Recipient(email="co-i@institute.example.org", language="zh-hans"),
]


@pytest.fixture
def deadline_reminder():
    """A reminder source as the proposals app will register one."""
    calls = []

    @reminders.register("test-deadline")
    def source(now):
        calls.append(now)
        for number, recipient in enumerate(RECIPIENTS):
            yield reminders.DueReminder(
                key=f"deadline-7d:{number}:{recipient.email}",
                recipient=recipient,
                template="opportunity_published",
                context=opportunity_sample(),
            )

    yield calls
    reminders.unregister("test-deadline")


def test_send_due_reminders_queues_each_reminder(
    db, deadline_reminder, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = reminders.send_due_reminders()

    keys = sorted(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert queued == 2
    assert keys == [
        "reminder:test-deadline:deadline-7d:0:pi@university.example.org",
        "reminder:test-deadline:deadline-7d:1:co-i@institute.example.org",
    ]
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        recipient.email for recipient in RECIPIENTS
    )


def test_send_due_reminders_twice_sends_once(
    db, deadline_reminder, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_due_reminders()
        second = reminders.send_due_reminders()

    assert (first, second) == (2, 0)
    assert len(deadline_reminder) == 2
    assert len(mailoutbox) == 2


def test_send_due_reminders_survives_a_broken_source(
    db, deadline_reminder, django_capture_on_commit_callbacks
):
    @reminders.register("broken")
    def broken(now):
        raise LookupError
        yield  # pragma: no cover — a generator that fails

    try:
        with django_capture_on_commit_callbacks(execute=True):
            queued = reminders.send_due_reminders()
    finally:
        reminders.unregister("broken")

    assert queued == 2


@pytest.mark.django_db(transaction=True)
def test_send_due_reminders_two_beats_at_once_send_once(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("Two concurrent writers need PostgreSQL (SQLite locks the file).")
    barrier = threading.Barrier(2)
    results = []

    @reminders.register("test-concurrent")
    def concurrent(now):
        barrier.wait(timeout=10)  # both beats scan before either writes
        yield reminders.DueReminder(
            key="deadline-1d:42:pi@university.example.org",
            recipient=RECIPIENTS[0],
            template="opportunity_published",
            context=opportunity_sample(),
        )

    def beat():
        try:
            results.append(reminders.send_due_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        reminders.unregister("test-concurrent")

    assert sorted(results) == [0, 1]
    assert list(OutboundEmail.objects.values_list("idempotency_key", flat=True)) == [
        "reminder:test-concurrent:deadline-1d:42:pi@university.example.org"
    ]
    assert [message.to for message in mailoutbox] == [["pi@university.example.org"]]
