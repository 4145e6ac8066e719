"""Real brokers and workers for the integration tests and the bench.

- `broker_app()`: a Celery app of the project's configuration on a given Redis,
  sending email to a queue of its own, made current while in use;
- `RedisServer`: a private redis-server on a free port, stopped and restarted
  at will (never the shared one on 6379);
- `WorkerProcess`: `celery -A config worker` in a subprocess, on a queue of its
  own, against the database and SMTP server the caller names; killable.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import redis
from celery import Celery
from celery import current_app as celery_current_app
from django.conf import settings

from tests.notifications.smtp import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
SHARED_REDIS = os.environ.get("AO_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def unique_queue(prefix: str = "email-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def broker_app(*, broker_url: str, queue: str) -> Iterator[Celery]:
    """The project's Celery configuration on `broker_url`, email on `queue`."""
    import notifications.tasks  # noqa: F401, PLC0415 — registers the shared tasks

    previous = celery_current_app._get_current_object()
    app = Celery("ao_portal_test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    # An in-process worker closes its database connection after each task, as
    # Celery does by default, so none outlives the test and blocks the drop of
    # the test database.
    app.conf.update(CELERY_DB_REUSE_MAX=None)
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        task_routes={"notifications.tasks.send_email": {"queue": queue}},
        task_default_queue=f"{queue}-default",
        broker_connection_retry=True,
        broker_connection_max_retries=None,
    )
    app.finalize()
    app.set_current()
    app.set_default()
    # Celery lets the CELERY_BROKER_URL environment variable win over any
    # configuration (celery.app.utils.Settings.broker_url), and CI sets it to the
    # shared Redis: point it at this test's broker while the app is in use.
    previous_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker_url
    try:
        yield app
    finally:
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        previous.set_current()
        previous.set_default()
        app.close()
        client = redis.Redis.from_url(broker_url, socket_connect_timeout=1)
        with contextlib.suppress(redis.RedisError):
            client.delete(
                queue, f"{queue}-default", f"_kombu.binding.{queue}", "unacked_mutex"
            )


class RedisServer:
    """A private redis-server without persistence: a restart empties it."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(  # noqa: S603 — a fixed command line
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.url):
            if time.monotonic() > deadline:
                msg = "redis-server did not start"
                raise RuntimeError(msg)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def database_url() -> str:
    """The URL of the database this process uses now (the test database)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") and host else ""
    url = f"postgres://{credentials}{host}{port}/{quote(db['NAME'])}"
    if host.startswith("/"):
        url = f"postgres://{credentials}/{quote(db['NAME'])}?host={quote(host)}"
    return url


class WorkerProcess:
    """A Celery worker in a subprocess, sending through SMTP on `smtp_port`."""

    def __init__(
        self,
        *,
        broker_url: str,
        queue: str,
        smtp_port: int,
        pool: str = "solo",
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.queue = queue
        self.name = f"{queue}@localhost"
        self.pool = pool
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TEST_ALWAYS_EAGER": "false",
            "CELERY_EMAIL_QUEUE": queue,
            "DJANGO_TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(smtp_port),
            "DJANGO_EMAIL_TIMEOUT": "5",
            "DJANGO_LOG_LEVEL": "WARNING",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "2",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            self.pool,
            "-c",
            "1",
            "-Q",
            self.queue,
            "-n",
            self.name,
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def children(self) -> list[int]:
        """The pool's child processes (prefork), read from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL the whole worker: no goodbye, no ack, no restore."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None
