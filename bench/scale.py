"""The pages `make bench` loads, and the in-process half of the bench.

    python -m bench.scale prepare [--scale 1] [--rebuild]   # the scale database
    python -m bench.scale demo                              # the demo database

`prepare` migrates the scale database (`BENCH_SCALE_DATABASE_URL`, by default
ao_bench_scale), builds the data once (bench.scale_data; `--rebuild` drops the
database first), turns the submission pool back into drafts, runs ANALYZE,
signs the users in (sessions in the database, as bench.panel does), counts
each page's queries with Django's test client under the bench's production
settings, and prints one JSON object: every page with its path(s), method,
body, expected status, cookie and query count; the data's counts; the build's
seconds. bench.run serves and loads the pages from it.

`demo` does the same counting on the demonstration data (`seed_catalogue` and
`seed_demo`, loaded once into ao_bench_demo), so that the two query counts of
each page can be set side by side: they should be equal (flat).

Query counts: the second of two requests (the first fills per-process
caches), inside a transaction rolled back afterwards, so a POST changes
nothing (and what runs on commit, such as queueing the emails, is not
counted, on either database).
"""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import panel

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCALE_URL = "postgres://postgres@127.0.0.1:5432/ao_bench_scale"
DEFAULT_DEMO_URL = "postgres://postgres@127.0.0.1:5432/ao_bench_demo"
# A CSRF secret of our own: Django accepts the unmasked secret as the token.
CSRF_SECRET = "benchbenchbenchbenchbenchbench00"  # noqa: S105 — not a credential
SECTION_POST = {
    "summary-title": "Radon monitoring at the lunar south pole",
    "summary-abstract": "The payload measures radon emanation from the regolith "
    "through the lunar day and night with a compact sensor head.",
    "summary-keywords": "radon, regolith, exosphere",
}

# Groups and their targets (bench.run judges them).
PUBLIC = "public"  # ≥ 1.0 × the bare 20-row page
SIGNED_IN = "signed-in"  # ≥ 0.5 × the bare 20-row page
STAFF = "staff"  # ≥ 1.0 × the stock changelist, unloaded p95 < 150 ms
OTHER = "other"  # measured, no target (the submission)


@dataclass
class Page:
    """One page of the bench. `paths` has several entries when each request
    must go to another object (the submission pool); `who` is whose session
    is sent (None: anonymous)."""

    label: str
    group: str
    who: str | None
    paths: list[str]
    method: str = "GET"
    body: str = ""
    expected: int = 200
    htmx: bool = False
    queries: int | None = None
    query_status: int | None = None
    missing: bool = False
    extra: dict = field(default_factory=dict)


def _reverse(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse  # noqa: PLC0415

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def pages(targets: dict) -> list[Page]:
    """Every page the bench measures, from the ids of `targets` (see
    scale_targets and demo_targets)."""
    call = targets["panel_call_id"]
    draft = targets["draft_id"]
    named = [
        ("home", PUBLIC, None, "catalogue:home", ()),
        ("catalogue /opportunities/", PUBLIC, None, "catalogue:opportunity-list", ()),
        (
            "a call page",
            PUBLIC,
            None,
            "catalogue:opportunity-detail",
            (targets["call_slug"],),
        ),
        ("API /api/v1/opportunities/", PUBLIC, None, "opportunity-list", ()),
        ("researcher dashboard", SIGNED_IN, "researcher", "proposals:dashboard", ()),
        ("proposal editor", SIGNED_IN, "researcher", "proposals:edit", (draft,)),
        ("reviewer: index", STAFF, "reviewer", "review:index", ()),
        (
            "reviewer: assignments",
            STAFF,
            "reviewer",
            "review:reviews_reviewassignment_changelist",
            (),
        ),
        ("panel: ranking", STAFF, "admin", "admin:reviews_panel_ranking", (call,)),
        ("panel: manifest", STAFF, "admin", "admin:reviews_panel_manifest", (call,)),
        ("panel: decisions", STAFF, "admin", "admin:reviews_panel_decisions", (call,)),
        (
            "admin: proposals",
            STAFF,
            "admin",
            "admin:proposals_proposal_changelist",
            (),
        ),
        ("admin: users", STAFF, "admin", "admin:accounts_user_changelist", ()),
        (
            "admin: assignments",
            STAFF,
            "admin",
            "admin:reviews_reviewassignment_changelist",
            (),
        ),
        ("admin: reviews", STAFF, "admin", "admin:reviews_review_changelist", ()),
        (
            "admin: outbox emails",
            STAFF,
            "admin",
            "admin:notifications_outboundemail_changelist",
            (),
        ),
        (
            "admin: versions",
            STAFF,
            "admin",
            "admin:proposals_proposalversion_changelist",
            (),
        ),
    ]
    result = []
    for label, group, who, name, args in named:
        path = _reverse(name, *args)
        result.append(
            Page(label, group, who, [path] if path else [], missing=path is None)
        )
    save = _reverse("proposals:save-section", draft, "summary")
    result.insert(
        6,
        Page(
            "section save (POST)",
            SIGNED_IN,
            "researcher",
            [save] if save else [],
            method="POST",
            body=urlencode(SECTION_POST),
            htmx=True,
            missing=save is None,
        ),
    )
    submits = [_reverse("proposals:submit", pk) for pk in targets["pool_ids"]]
    result.insert(
        7,
        Page(
            "submission (POST)",
            OTHER,
            "submitter",
            [path for path in submits if path],
            method="POST",
            expected=302,
            missing=not submits or None in submits,
        ),
    )
    return result


# --- sessions ----------------------------------------------------------------


def cookies(users: dict[str, int]) -> dict[str, str]:
    """A Cookie header per role: its session (made as bench.panel.sign_in
    makes it, with the two-factor record where the user has an authenticator)
    and the bench's CSRF cookie."""
    from django.conf import settings  # noqa: PLC0415

    made = {}
    for who, user_id in users.items():
        client = panel.sign_in(user_id)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        made[who] = (
            f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
        )
    return made


# --- counting ----------------------------------------------------------------


def _request(client, page: Page, path: str):
    headers = {
        "HTTP_ACCEPT_LANGUAGE": "en",
        "HTTP_X_CSRFTOKEN": CSRF_SECRET,
        "HTTP_ORIGIN": f"https://{panel.HOST}",
    }
    if page.htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if page.method == "POST":
        return client.post(
            path,
            data=page.body,
            content_type="application/x-www-form-urlencoded",
            secure=True,
            **headers,
        )
    return client.get(path, secure=True, **headers)


def count_queries(page: Page, client) -> None:
    """The page's query count and status: the second of two requests (the
    first fills per-process caches), in a transaction rolled back."""
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    if page.missing:
        return
    paths = page.paths if len(page.paths) > 1 else page.paths * 2
    with transaction.atomic():
        with CaptureQueriesContext(connection) as cold:
            _request(client, page, paths[0])
        with CaptureQueriesContext(connection) as captured:
            response = _request(client, page, paths[1])
        transaction.set_rollback(True)
    page.queries = len(captured)
    page.extra["queries_first_request"] = len(cold)
    page.query_status = response.status_code
    if getattr(response, "exc_info", None):
        page.extra["error"] = repr(response.exc_info[1])[:300]


def _clients(users: dict[str, int]) -> dict:
    from django.test import Client  # noqa: PLC0415

    clients = {who: panel.sign_in(pk) for who, pk in users.items()}
    clients[None] = Client(raise_request_exception=False, HTTP_HOST=panel.HOST)
    for client in clients.values():
        client.cookies["csrftoken"] = CSRF_SECRET
    return clients


def measure_queries(page_list: list[Page], users: dict[str, int]) -> None:
    clients = _clients(users)
    for page in page_list:
        count_queries(page, clients[page.who])


# --- the scale database --------------------------------------------------------


def scale_url(scale: float = 1.0) -> str:
    """The scale database: one per scale (ao_bench_scale at 1,
    ao_bench_scale_0_1 at 0.1), so a quick run never drops the full build."""
    url = os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_SCALE_URL)
    parts = urlsplit(url)
    if "bench" not in parts.path:
        msg = "BENCH_SCALE_DATABASE_URL must name a database with 'bench' in its name."
        raise SystemExit(msg)
    if scale != 1:
        suffix = f"{scale:g}".replace(".", "_").replace("-", "_")
        url = parts._replace(path=f"{parts.path}_{suffix}").geturl()
    return url


DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
API_RATE = "1000000/min"


def bench_env(database_url: str) -> dict[str, str]:
    """bench.panel's environment (production settings through its module,
    persistent connections, Redis cache db 15) with a Celery broker, as
    production has one: a submission queues its emails there instead of
    sending them in the request (`BENCH_CELERY_BROKER_URL`, by default Redis
    db 14, emptied by bench.run), and the API's rates raised for one client."""
    env = panel.server_env(database_url)
    env["CELERY_BROKER_URL"] = os.environ.get(
        "BENCH_CELERY_BROKER_URL", DEFAULT_BROKER_URL
    )
    env["BENCH_API_RATE"] = API_RATE
    return env


def _migrate_and_collect() -> None:
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def scale_targets(data) -> dict:
    return {
        "panel_call_id": data.panel_call_id,
        "draft_id": data.researcher_draft_id,
        "call_slug": data.public_call_slug,
        "pool_ids": data.pool_ids,
    }


def prepare(scale: float, *, rebuild: bool) -> dict:
    started = time.perf_counter()
    url = scale_url(scale)
    panel.ensure_database(url, rebuild=rebuild)
    env = bench_env(url)
    panel.setup_django(env)
    from bench import scale_data  # noqa: PLC0415

    _migrate_and_collect()
    data = scale_data.find(scale=scale)
    built_now = data is None
    if data is None:
        if not rebuild and scale_data.counts()["users"]:
            # Another scale (or a build that failed half way): start over.
            from django.db import connections  # noqa: PLC0415

            connections.close_all()
            panel.ensure_database(url, rebuild=True)
            _migrate_and_collect()
        data = scale_data.build(scale=scale)
    reset = scale_data.reset_pool(data)
    # The bench's own cache database: what a page kept from an earlier build
    # or run is not served for this one (bulk inserts invalidate nothing).
    from django.core.cache import cache  # noqa: PLC0415

    cache.clear()
    analyze_started = time.perf_counter()
    panel.analyze()
    analyze_s = time.perf_counter() - analyze_started
    problems = scale_data.check(data)
    users = {
        "researcher": data.researcher_id,
        "submitter": data.submitter_id,
        "reviewer": data.busy_reviewer_id,
        "admin": data.administrator_id,
    }
    page_list = pages(scale_targets(data))
    measure_queries(page_list, users)
    return {
        "database": urlsplit(url).path.lstrip("/"),
        "scale": scale,
        "built_now": built_now,
        "build_seconds": data.seconds,
        "analyze_seconds": round(analyze_s, 1),
        "pool_reset": reset,
        "problems": problems,
        "data": scale_data.counts(),
        "ids": {
            k: v for k, v in asdict(data).items() if k not in {"pool_ids", "seconds"}
        },
        "cookies": cookies(users),
        "env": env,
        "pages": [asdict(page) for page in page_list],
        "prepare_seconds": round(time.perf_counter() - started, 1),
    }


# --- the demo database ----------------------------------------------------------


DEMO_SETTINGS = "bench_demo_settings"


def demo_targets() -> tuple[dict, dict[str, int]]:
    """The demo data's counterparts of the scale data's pages and people."""
    from django.db.models import Count  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415
    from catalogue.models import Opportunity  # noqa: PLC0415
    from proposals.models import Proposal  # noqa: PLC0415

    def user(email: str) -> int:
        return User.objects.get(email=email).pk

    researcher = user("researcher1@example.org")
    draft = (
        Proposal.objects.filter(principal_investigator=researcher, status="draft")
        .order_by("pk")
        .first()
    )
    panel_call = (
        Opportunity.objects.annotate(n=Count("proposals__review_assignments"))
        .order_by("-n", "pk")
        .first()
    )
    public = (
        Opportunity.objects.filter(status="published").order_by("pk").first()
        or Opportunity.objects.order_by("pk").first()
    )
    return (
        {
            "panel_call_id": panel_call.pk,
            "draft_id": draft.pk if draft else 0,
            "call_slug": public.slug,
            "pool_ids": [draft.pk, draft.pk] if draft else [],
        },
        {
            "researcher": researcher,
            "submitter": researcher,
            "reviewer": user("reviewer1@example.org"),
            "admin": user("admin@example.org"),
        },
    )


def demo() -> dict:
    """Query counts of every page on the demonstration data."""
    url = os.environ.get("BENCH_DEMO_DATABASE_URL", DEFAULT_DEMO_URL)
    panel.ensure_database(url, rebuild=False)
    env = bench_env(url)
    # The demo seed is refused under production settings (DEMO_SEED_ALLOWED):
    # a settings module of the bench's own allows it, nothing else changes.
    (panel.WORK / f"{DEMO_SETTINGS}.py").write_text(
        f"from {panel.SETTINGS_MODULE} import *  # noqa: F403\n\n"
        "DEMO_SEED_ALLOWED = True\n"
    )
    env["DJANGO_SETTINGS_MODULE"] = DEMO_SETTINGS
    # A cache of its own (the broker's database: its keys are the queues'),
    # so that the scale database's cached pages are not the demo's.
    env["REDIS_URL"] = os.environ.get("BENCH_DEMO_REDIS_URL", DEFAULT_BROKER_URL)
    panel.setup_django(env)
    from django.core.management import call_command  # noqa: PLC0415

    from accounts.models import User  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    seeded = User.objects.filter(email="researcher1@example.org").exists()
    if not seeded:
        # Their report goes to stderr: stdout carries this module's JSON.
        call_command("seed_catalogue", verbosity=0, stdout=sys.stderr)
        call_command("seed_demo", verbosity=0, stdout=sys.stderr)
    from django.core.cache import cache  # noqa: PLC0415

    cache.clear()
    targets, users = demo_targets()
    page_list = pages(targets)
    measure_queries(page_list, users)
    return {
        "database": urlsplit(url).path.lstrip("/"),
        "seeded_now": not seeded,
        "queries": {
            page.label: {
                "queries": page.queries,
                "queries_first_request": page.extra.get("queries_first_request"),
                "status": page.query_status,
            }
            for page in page_list
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["prepare", "demo"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args(argv)
    if options.action == "prepare":
        return prepare(options.scale, rebuild=options.rebuild)
    return demo()


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main()) + "\n")
