"""Email throughput: how many emails a second one Celery worker delivers.

An outbox of 10,000 queued rows on a test database (on PostgreSQL kept
between runs, its outbox emptied); a private
redis-server as broker; one worker (`celery -A config worker -P solo`, a
subprocess) sending over SMTP to an aiosmtpd server on loopback. The clock runs
from the first task published to the last row marked sent. The SMTP server
checks that each Message-ID arrived once.

`--kills N` also measures the repeat rate under SIGKILL: a prefork worker sends
a stream of emails while its pool process is killed N times at random instants;
each kill waits until the new pool process is in full flow, then falls at a
random instant of its send cycle; the sweeper (lease 2 s) hands the orphaned
rows over again. A repeat happens only when a kill falls between the server's
acceptance and the row's update.

Prints one JSON object. Needs redis-server installed; PostgreSQL when
DATABASE_URL says so, otherwise a SQLite file in a temporary folder.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMAILS = 10_000


def _setup_database(folder: Path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django  # noqa: PLC0415

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # A file, so the worker process opens the same database.
        connection.settings_dict["TEST"]["NAME"] = str(folder / "bench-emails.sqlite3")
    # On PostgreSQL the test database is kept between runs (its migrations
    # take a minute on a busy machine) and its outbox emptied instead.
    keep = connection.vendor == "postgresql"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    if keep:
        from notifications.models import OutboundEmail  # noqa: PLC0415

        OutboundEmail.objects.all().delete()
    return connection, old_name


def _fill_outbox(count: int, prefix: str) -> list[int]:
    """`count` queued rows, rendered once and copied (the bench times sending)."""
    from django.utils import timezone  # noqa: PLC0415

    from notifications.models import OutboundEmail  # noqa: PLC0415
    from notifications.previews import opportunity_sample  # noqa: PLC0415
    from notifications.services import render_email  # noqa: PLC0415

    subject, text, html = render_email(
        template="opportunity_published", context=opportunity_sample(), language="en"
    )
    now = timezone.now()
    rows = OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                idempotency_key=f"{prefix}:{n}",
                template="opportunity_published",
                language="en",
                to_email=f"researcher{n}@university.example.org",
                reply_to="contact@cnsa.example.org",
                subject=subject,
                body_text=text,
                body_html=html,
                message_id=f"<{prefix}-{n}@ao-portal.example.org>",
                next_attempt_at=now,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    return [row.pk for row in rows]


def _unsent() -> int:
    from notifications.models import EmailStatus, OutboundEmail  # noqa: PLC0415

    return OutboundEmail.objects.exclude(status=EmailStatus.SENT).count()


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def _wait_ready(app, worker, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[worker.name], timeout=0.5):
            return
    msg = "the worker did not start"
    raise RuntimeError(msg)


def measure_throughput(redis_url: str, sink, count: int) -> dict:
    from notifications.services import enqueue  # noqa: PLC0415
    from tests.notifications.broker import (  # noqa: PLC0415
        WorkerProcess,
        broker_app,
        unique_queue,
    )

    ids = _fill_outbox(count, "bench")
    queue = unique_queue("email-bench")
    with broker_app(broker_url=redis_url, queue=queue) as app:
        worker = WorkerProcess(
            broker_url=redis_url, queue=queue, smtp_port=sink.port
        ).start()
        try:
            _wait_ready(app, worker)
            started = time.perf_counter()
            enqueue(email_ids=ids)
            enqueued = time.perf_counter()
            while _unsent():
                time.sleep(0.2)
            finished = time.perf_counter()
        finally:
            worker.stop()
    copies = sink.copies()
    seconds = finished - started
    return {
        "emails": count,
        "seconds": round(seconds, 2),
        "emails_per_second": round(count / seconds, 1),
        "publish_per_second": round(count / (enqueued - started), 1),
        "received": sum(copies.values()),
        "repeated": sum(n - 1 for n in copies.values()),
    }


def measure_kills(redis_url: str, sink, kills: int) -> dict:
    from django.conf import settings  # noqa: PLC0415

    from notifications.services import enqueue  # noqa: PLC0415
    from notifications.sweeper import sweep_outbox  # noqa: PLC0415
    from tests.notifications.broker import (  # noqa: PLC0415
        WorkerProcess,
        broker_app,
        unique_queue,
    )

    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 2
    settings.NOTIFICATIONS_QUEUED_GRACE_SECONDS = 2
    before = sink.copies()
    ids = _fill_outbox(max(kills * 20, 200), "kill")
    queue = unique_queue("email-kill")
    rng = random.Random(2026)  # kill timing, not a secret
    done = threading.Event()

    def sweeper() -> None:
        from django.db import connection  # noqa: PLC0415

        while not done.wait(0.5):
            sweep_outbox()
        connection.close()

    with broker_app(broker_url=redis_url, queue=queue) as app:
        worker = WorkerProcess(
            broker_url=redis_url, queue=queue, smtp_port=sink.port, pool="prefork"
        ).start()
        sweeping = threading.Thread(target=sweeper)
        try:
            _wait_ready(app, worker)
            enqueue(email_ids=ids)
            sweeping.start()
            done_kills = 0
            while done_kills < kills and _unsent():
                # Kill only a pool process in full flow (a fresh one has sent a
                # few emails), at a random instant of its send cycle.
                progress = sink.count()
                if not _wait_for(lambda p=progress: sink.count() >= p + 3):
                    break
                time.sleep(rng.uniform(0, 0.01))
                for child in worker.children():
                    os.kill(child, signal.SIGKILL)
                    done_kills += 1
            deadline = time.monotonic() + 120
            while _unsent() and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            done.set()
            if sweeping.is_alive():
                sweeping.join()
            worker.stop()
    copies = sink.copies() - before
    repeats = sum(n - 1 for n in copies.values())
    return {
        "kills": done_kills,
        "emails": len(ids),
        "unsent": _unsent(),
        "repeats": repeats,
        "repeat_rate_per_kill": round(repeats / done_kills, 4) if done_kills else None,
        "same_message_id": True,  # copies are counted by Message-ID
    }


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=EMAILS)
    parser.add_argument("--kills", type=int, default=0)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        return {"bench": "emails", "error": "redis-server is not installed"}
    with tempfile.TemporaryDirectory() as folder:
        connection, old_name = _setup_database(Path(folder))
        from tests.notifications.broker import RedisServer  # noqa: PLC0415
        from tests.notifications.smtp import SmtpSink  # noqa: PLC0415

        redis_server = RedisServer().start()
        sink = SmtpSink().start()
        try:
            result = {
                "bench": "emails",
                "database": connection.vendor,
                "worker": "1 process, solo pool, prefetch 1",
                **measure_throughput(redis_server.url, sink, args.emails),
            }
            if args.kills:
                result["kill_test"] = measure_kills(redis_server.url, sink, args.kills)
        finally:
            sink.stop()
            redis_server.stop()
            connection.creation.destroy_test_db(
                old_name, verbosity=0, keepdb=connection.vendor == "postgresql"
            )
    return result


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # so the worker, Redis and database are cleaned up


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(json.dumps(main(), indent=2))
