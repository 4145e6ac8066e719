"""The review panel of a popular call: each page's unloaded p95, size and queries.

    python -m bench.panel [--proposals 2000] [--samples 30] [--rebuild]

Builds (once; `--rebuild` starts over) a closed call of 2,000 submitted
proposals with its reviewers, reviews, bids and discussions in a PostgreSQL
database of its own (`BENCH_DATABASE_URL`, or `DATABASE_URL` if it names a
database with "bench" in its name; by default
postgres://postgres@127.0.0.1:5432/ao_bench_panel), then serves the portal with
gunicorn on production settings (2 sync workers, persistent connections) on
127.0.0.1, signs in an administrator and a reviewer (sessions made in the
session store, with allauth's two-factor record), and times each page with
sequential GETs over loopback: a few warm-ups, then `--samples` timed requests.
Each page's queries are counted once more in-process with Django's test client,
under the same settings. A page whose URL name does not resolve is reported as
"missing".

A 60 s statement timeout, a 60 s sampling budget per page and in-process
timing only for pages over 10 s keep one pathological page from stalling the
run. The database is ANALYZEd before timing, as after any bulk load.

Prints one JSON object and writes bench/results/panel.md and panel.json. The
target: every page's unloaded p95 under 150 ms. bench/README.md tells how to
read them.
"""

import argparse
import http.client
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ao_bench_panel"
HOST = "bench.ao-portal.example.org"
TARGET_P95_MS = 150
# Warm-ups per page: enough for each of the two workers to have served the
# page (sync workers take requests from one socket in no fixed order), so that
# no timed request is a worker's first of that page.
WARMUPS = 6
STATEMENT_TIMEOUT_S = 60
SLOW_S = 2.0  # a page slower than this is not warmed up in-process
TOO_SLOW_S = 10.0  # nor timed over HTTP: its in-process time is reported
# The staff baseline: each page's p50 is also given as a multiple of its p50,
# which holds better than milliseconds on a busy machine.
BASELINE = "stock admin: email addresses"
SETTINGS_MODULE = "bench_settings"
# Production settings with their static files collected under var/bench (the
# tree's staticfiles/ stays alone) and without the compressed copies, as
# tests/test_deployment.py serves them.
SETTINGS_SOURCE = """\
import os

from whitenoise.compress import Compressor

from config.settings.production import *  # noqa: F403

STATIC_ROOT = {static_root!r}
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "css", "js", "map", "svg", "txt", "ttf", "eot", "md", "html", "json",
]
LOGGING = {{**LOGGING, "root": {{"handlers": ["console"], "level": "WARNING"}}}}
# `make bench` loads the API from one address: its per-client rates (60 a
# minute anonymous) would answer 429 after the first second. The throttle
# still runs (its cache round trip is paid); only the rates are raised.
if os.environ.get("BENCH_API_RATE"):
    REST_FRAMEWORK = {{
        **REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {{
            "anon": os.environ["BENCH_API_RATE"],
            "user": os.environ["BENCH_API_RATE"],
        }},
    }}
"""


@dataclass(frozen=True)
class Page:
    """A page to time: its label, URL name, arguments, query string and who
    asks ("admin" or "reviewer")."""

    label: str
    name: str
    args: tuple = ()
    query: str = ""
    who: str = "admin"
    budget_s: float = 60.0  # stop sampling a slow page after this long


def panel_pages(call) -> list[Page]:
    """Every page of the panel and the reviewers' site that the issue names."""
    on_call = (call.opportunity_id,)
    thread = (call.opportunity_id, call.proposal_id)
    return [
        Page("ranking", "admin:reviews_panel_ranking", on_call),
        Page(
            "ranking by normalised score",
            "admin:reviews_panel_ranking",
            on_call,
            "?sort=normalised",
        ),
        Page("ranking page 2", "admin:reviews_panel_ranking", on_call, "?page=2"),
        Page(
            "ranking, disagreements",
            "admin:reviews_panel_ranking",
            on_call,
            "?show=disagreement",
        ),
        Page("bidding", "admin:reviews_panel_bidding", on_call),
        Page("automatic plan", "admin:reviews_panel_auto", on_call, budget_s=120),
        Page("assign", "admin:reviews_panel_assign", on_call),
        Page("manifest", "admin:reviews_panel_manifest", on_call),
        Page("decisions", "admin:reviews_panel_decisions", on_call),
        Page("release", "admin:reviews_panel_release", on_call),
        Page("discussion", "admin:reviews_panel_discussion", on_call),
        Page("thread", "admin:reviews_panel_thread", thread),
        Page("reviewer: index", "review:index", who="reviewer"),
        Page("reviewer: bidding", "review:bidding", who="reviewer"),
        Page("reviewer: bid sheet", "review:bid_sheet", on_call, who="reviewer"),
        Page(
            "reviewer: bid sheet page 2",
            "review:bid_sheet",
            on_call,
            "?page=2",
            who="reviewer",
        ),
        Page(
            "reviewer: thread",
            "review:thread",
            (call.assignment_id,),
            who="reviewer",
        ),
        # Staff baselines: allauth's email addresses are a stock changelist
        # (4 columns, 2 boolean filters), 100 rows a page of about 2,200.
        Page(BASELINE, "admin:account_emailaddress_changelist"),
        Page("admin: users changelist", "admin:accounts_user_changelist"),
        Page("admin: proposals changelist", "admin:proposals_proposal_changelist"),
    ]


# --- the database and Django -----------------------------------------------


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL when it names a bench database,
    else the default: `--rebuild` drops the database, so a developer's own
    DATABASE_URL is never taken."""
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url and (name == "BENCH_DATABASE_URL" or "bench" in urlsplit(url).path):
            if not url.startswith(("postgres://", "postgresql://")):
                msg = f"{name} must name a PostgreSQL database."
                raise SystemExit(msg)
            return url
    return DEFAULT_DATABASE_URL


def ensure_database(url: str, *, rebuild: bool) -> None:
    """Create the bench's PostgreSQL database if missing (drop it first when
    rebuilding), through the server's maintenance database."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if rebuild:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def server_env(database_url: str) -> dict[str, str]:
    """The environment of the bench process and of gunicorn: production settings
    (through the generated module), the bench's database, persistent
    connections, one secret key for both (sessions are signed with it)."""
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS_SOURCE.format(static_root=str(WORK / "static"))
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": os.pathsep.join([str(WORK), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY")
        or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},testserver",
        "DJANGO_SITE_URL": f"https://{HOST}",
        "DJANGO_CONN_MAX_AGE": os.environ.get("DJANGO_CONN_MAX_AGE", "60"),
        "DJANGO_VAR_DIR": str(WORK / "var"),
        "DATABASE_URL": database_url,
        # A query running away (minutes) fails its page instead of stalling the
        # run; libpq reads this for every connection, gunicorn's too.
        "PGOPTIONS": f"-c statement_timeout={STATEMENT_TIMEOUT_S}s",
    }
    # The shared cache production runs with (Redis): the kept ranking
    # statistics, manifest candidates and solves are shared by both workers,
    # as in production. Its own database number, emptied by nothing else.
    env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    if os.environ.get("CELERY_BROKER_URL"):
        env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(WORK), str(ROOT)]
    import django  # noqa: PLC0415

    django.setup()


def prepare(*, proposals: int, reviewers: int) -> tuple[object, float, bool]:
    """Migrate, collect the static files, build or find the call. Returns the
    call, the seconds its build took (then or now) and whether it was built
    now."""
    from django.core.management import call_command  # noqa: PLC0415

    from bench import panel_data  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    record = WORK / f"build-{proposals}.json"
    call = panel_data.find_panel_call(proposals=proposals)
    if call is not None:
        built = json.loads(record.read_text()) if record.exists() else {}
        analyze()
        ensure_plan(call)
        return call, built.get("seconds", 0.0), False
    start = time.perf_counter()
    call = panel_data.build_panel_call(proposals=proposals, reviewers=reviewers)
    seconds = round(time.perf_counter() - start, 1)
    record.write_text(json.dumps({"seconds": seconds}))
    analyze()
    ensure_plan(call)
    return call, seconds, True


def ensure_plan(call) -> float:
    """The automatic plan is computed by a task and stored
    (reviews.services.request_assignment_plan); its page shows the stored
    plan a page at a time. So that the page is timed as an administrator sees
    it after computing, the plan is computed here when the call has no
    current one (eagerly: the bench runs without a broker). Seconds it took,
    0 when a current plan was kept."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from catalogue.models import Opportunity  # noqa: PLC0415
    from reviews import selectors, services  # noqa: PLC0415

    opportunity = Opportunity.objects.get(pk=call.opportunity_id)
    plan = selectors.latest_assignment_plan(opportunity=opportunity)
    if (
        plan is not None
        and plan.is_ready
        and plan.fingerprint == selectors.plan_fingerprint(opportunity=opportunity)
    ):
        return 0.0
    start = time.perf_counter()
    services.request_assignment_plan(
        opportunity=opportunity,
        actor=get_user_model().objects.get(pk=call.administrator_id),
    )
    return round(time.perf_counter() - start, 1)


def analyze() -> None:
    """Fresh planner statistics, as after any bulk load. Without them
    PostgreSQL joins the ranking's aggregate in a nested loop: 30 s instead of
    0.2 s at 2,000 proposals, until autovacuum gets round to the tables."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sign_in(user_id: int):
    """A test client signed in as the user, past both factors, as
    tests/mfa.py::login_with_mfa leaves a session: the session is in the
    database, so its cookie also opens gunicorn's pages."""
    from allauth.mfa.models import Authenticator  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    user = get_user_model().objects.get(pk=user_id)
    # A page that fails is reported with its status, not raised.
    client = Client(raise_request_exception=False, HTTP_HOST=HOST)
    client.force_login(user)
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    authenticator = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).first()
    if authenticator is not None:
        records.append(
            {"method": "mfa", "at": now, "type": "totp", "id": authenticator.pk}
        )
    session = client.session
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def resolve(page: Page) -> str | None:
    from django.urls import NoReverseMatch, reverse  # noqa: PLC0415

    try:
        return reverse(page.name, args=page.args) + page.query
    except NoReverseMatch:
        return None


def count_queries(client, path: str) -> dict:
    """Status and queries of one in-process request, counted on a second request
    (the first fills the per-process caches) unless the first was slow."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    for _attempt in range(2):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, secure=True)
        seconds = time.perf_counter() - start
        if seconds > SLOW_S:
            break
    counted = {
        "status": response.status_code,
        "queries": len(captured),
        "in_process_ms": round(seconds * 1000, 1),
        "sql_ms": round(
            sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1
        ),
    }
    if captured.captured_queries:
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        counted["slowest_query_ms"] = round(float(slowest["time"]) * 1000, 1)
        counted["slowest_query"] = slowest["sql"][:300]
    if getattr(response, "exc_info", None):
        counted["error"] = repr(response.exc_info[1])[:300]
    return counted


# --- gunicorn and the timings ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as production runs it: 2 sync workers on 127.0.0.1."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 2,
        application: str = "config.wsgi:application",
        log_name: str = "gunicorn.log",
    ) -> None:
        self.port = free_port()
        self.log = WORK / log_name
        self.process = subprocess.Popen(  # noqa: S603 — our own gunicorn
            [
                str(Path(sys.executable).parent / "gunicorn"),
                application,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "300",
                # One control socket per user by default: benches side by side
                # would share it.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                time.sleep(0.2)
            else:
                return self
        msg = "gunicorn did not start within 60 s"
        raise RuntimeError(msg)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port: int, path: str, cookie: str) -> tuple[int, int, float]:
    """One GET as the TLS proxy forwards it: (status, bytes, seconds)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Cookie": cookie,
                "Accept-Language": "en",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, len(body), time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def time_page(
    port: int, path: str, cookie: str, *, samples: int, budget_s: float
) -> dict:
    for _ in range(WARMUPS):
        status, size, seconds = get(port, path, cookie)
        if seconds * samples > budget_s:
            break  # a slow page: its warm-up was enough
    timings = []
    started = time.perf_counter()
    for _ in range(samples):
        status, size, seconds = get(port, path, cookie)
        timings.append(seconds)
        if time.perf_counter() - started > budget_s:
            break
    return {
        "http_status": status,
        "bytes": size,
        "samples": len(timings),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "slowest_ms": [round(t * 1000, 1) for t in sorted(timings)[-3:]],
    }


def measure(call, *, samples: int, env: dict[str, str]) -> list[dict]:
    from django.conf import settings  # noqa: PLC0415

    clients = {"admin": sign_in(call.administrator_id)}
    clients["reviewer"] = sign_in(call.reviewer_id)
    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}="
        f"{client.cookies[settings.SESSION_COOKIE_NAME].value}"
        for who, client in clients.items()
    }
    measured = []
    for page in panel_pages(call):
        path = resolve(page)
        row = {"page": page.label, "name": page.name, "who": page.who, "path": path}
        if path is None:
            row["missing"] = True
        else:
            row.update(count_queries(clients[page.who], path))
        measured.append((page, row))
    with Server(env) as server:
        for page, row in measured:
            if row.get("missing"):
                continue
            if row["in_process_ms"] > TOO_SLOW_S * 1000:
                row.update(
                    http_status=row["status"],
                    bytes=0,
                    samples=0,
                    p50_ms=row["in_process_ms"],
                    p95_ms=row["in_process_ms"],
                    target_met=False,
                    note=f"slower than {TOO_SLOW_S:.0f} s in-process: not timed "
                    "over HTTP; p50 and p95 are that one request",
                )
                continue
            row.update(
                time_page(
                    server.port,
                    row["path"],
                    cookies[page.who],
                    samples=samples,
                    budget_s=page.budget_s,
                )
            )
            print(
                f"{page.label}: p95 {row['p95_ms']} ms, {row['bytes']} bytes",
                file=sys.stderr,
            )
            row["target_met"] = (
                row["http_status"] == HTTPStatus.OK and row["p95_ms"] < TARGET_P95_MS
            )
    rows = [row for _page, row in measured]
    baseline = next(
        (r for r in rows if r["page"] == BASELINE and r.get("samples")), None
    )
    for row in rows:
        if baseline is not None and row.get("samples"):
            row["p50_vs_stock"] = round(row["p50_ms"] / baseline["p50_ms"], 2)
    return rows


# --- the report --------------------------------------------------------------


def markdown(report: dict) -> str:
    lines = [
        f"Panel bench: {report['proposals']} proposals, {report['samples']} "
        f"samples per page, p95 target {TARGET_P95_MS} ms "
        f"({report['finished_at']}).",
        "",
        "| page | who | status | p50 ms | p95 ms | p50 × stock | KB | queries "
        "| SQL ms | p95 < 150 ms |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in report["pages"]:
        if row.get("missing"):
            lines.append(f"| {row['page']} | {row['who']} | missing |{' |' * 7}")
            continue
        if row["samples"] == 0:
            lines.append(
                f"| {row['page']} | {row['who']} | {row['status']} "
                f"| > {TOO_SLOW_S:.0f} s | {row['in_process_ms']:.0f} in-process "
                f"| | | {row['queries']} | {row['sql_ms']:.0f} | **no** |"
            )
            continue
        lines.append(
            f"| {row['page']} | {row['who']} | {row['http_status']} "
            f"| {row['p50_ms']} | {row['p95_ms']} | {row.get('p50_vs_stock', '')} "
            f"| {row['bytes'] / 1024:.0f} "
            f"| {row['queries']} | {row['sql_ms']:.0f} "
            f"| {'yes' if row['target_met'] else '**no**'} |"
        )
    build = report["build"]
    before, after = report["load_average"]
    lines += [
        "",
        "p50 and p95: HTTP through gunicorn, one request at a time. Queries and "
        "SQL ms: one request in-process (test client), same settings.",
        "",
        f"Load average (1 min) on {os.cpu_count()} cores: {before} before, "
        f"{after} after.",
        "",
        f"Data: {build['seconds']} s to build"
        + ("" if build["built_now"] else " (when first built; reused)")
        + ", "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report["data"].items())
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=150)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the database and build again"
    )
    options = parser.parse_args(argv)
    # Stopped with SIGTERM: leave through the `with Server` that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    database_url = bench_database_url()
    ensure_database(database_url, rebuild=options.rebuild)
    env = server_env(database_url)
    setup_django(env)
    from django.utils import timezone  # noqa: PLC0415

    from bench import panel_data  # noqa: PLC0415

    call, build_seconds, built_now = prepare(
        proposals=options.proposals, reviewers=options.reviewers
    )
    load_before = os.getloadavg()[0]
    pages = measure(call, samples=options.samples, env=env)
    report = {
        "bench": "panel",
        "proposals": options.proposals,
        "samples": options.samples,
        "target_p95_ms": TARGET_P95_MS,
        "database": urlsplit(database_url).path.lstrip("/"),
        "build": {"seconds": round(build_seconds, 1), "built_now": built_now},
        "data": panel_data.counts(call.opportunity_id),
        "pages": pages,
        "all_met": all(row.get("target_met") for row in pages),
        # The machine's 1-minute load average before and after: figures taken
        # on a busy machine read high.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "finished_at": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "panel.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "panel.md").write_text(markdown(report))
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
