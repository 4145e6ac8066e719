"""`make bench`: the portal at scale under load, beside a bare Django baseline.

    python bench/run.py [--scale 1] [--rebuild] [--seconds 5] [--samples 30]

1. **Data** (`python -m bench.scale prepare`): the scale database, built once
   with bulk inserts (bench.scale_data; about 4 minutes at scale 1), reused
   afterwards; the submission pool reset; ANALYZE; sessions; each page's
   query count in-process.
2. **Demo data** (`python -m bench.scale demo`): the same pages' query counts
   on `seed_catalogue` + `seed_demo` (loaded once into ao_bench_demo).
3. **Bare baseline** (`python -m bench.bare.prepare`): a stock Django 5.2
   project, its 10,000-row table, a superuser's session.
4. **Load**: both projects served by gunicorn with the same command (2 sync
   workers, the repository's gunicorn.conf.py, persistent connections); each
   page loaded by wrk (16 connections, 1 s warm-up, then `--seconds`), then
   timed unloaded (`--samples` sequential requests). The baselines are
   measured before and after the portal's pages, and each page's requests per
   second is divided by their mean. The workers' peak memory is read from
   /proc at the end.
5. **Beside**: the manifest solver on 500 candidates (bench.manifest) and one
   Celery worker's email rate from a 10,000-row outbox (bench.emails).

Prints the Markdown table on stderr and the JSON on stdout, and writes both
to bench/results/ (bench.md, bench.json). bench/README.md tells how to read
them.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, panel  # noqa: E402 — after the path, run as a script

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BARE_PAGE = "bare: 20 rows of 10,000"
STOCK_CHANGELIST = "bare: stock admin changelist, 100 of 10,000"
DEFAULT_BARE_URL = "postgres://postgres@127.0.0.1:5432/ao_bench_bare"
DEFAULT_EMAILS_URL = "postgres://postgres@127.0.0.1:5432/ao_bench_emails"
# Targets of issue 11: requests per second as a multiple of the baseline.
TARGETS = {"public": 1.0, "signed-in": 0.5, "staff": 1.0}
TARGET_P95_MS = 150
TARGET_MEMORY_MB = 300


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr)


def _module(
    module: str, *args: str, env: dict | None = None, timeout: int = 900
) -> dict:
    """Run `python -m module args` and read the JSON object it prints. A run
    over `timeout` seconds is stopped with SIGTERM (the modules clean up their
    servers and workers on it) and reported as an error."""
    process = subprocess.Popen(  # noqa: S603 — our own modules
        [PYTHON, "-m", module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None,  # their progress goes to ours
        text=True,
    )
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        return {"error": f"{module} did not finish within {timeout} s"}
    if process.returncode != 0:
        return {"error": f"{module} exited with {process.returncode}"}
    start = stdout.find("{")
    return json.loads(stdout[start:]) if start >= 0 else {"error": "no output"}


def _bare_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.bare.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{panel.HOST},testserver",
        "DJANGO_CONN_MAX_AGE": os.environ.get("DJANGO_CONN_MAX_AGE", "60"),
        "BARE_DATABASE_URL": os.environ.get(
            "BENCH_BARE_DATABASE_URL", DEFAULT_BARE_URL
        ),
    }


def _empty_broker(url: str) -> None:
    """The submissions' queued emails: nobody consumes the bench's broker."""
    import redis  # noqa: PLC0415

    redis.Redis.from_url(url).flushdb()


class Measure:
    """Loads and times pages on one server, keeping the submission pool's
    place so that no draft is submitted twice."""

    def __init__(self, *, port: int, seconds: float, samples: int) -> None:
        self.port = port
        self.seconds = seconds
        self.samples = samples
        self.offsets: dict[str, int] = {}

    def page(
        self,
        label: str,
        *,
        paths: list[str],
        method: str = "GET",
        cookie: str = "",
        body: str = "",
        expected: int = 200,
        htmx: bool = False,
    ) -> dict:
        headers = load.headers_for(
            host=panel.HOST, cookie=cookie, method=method, htmx=htmx
        )
        directory = panel.WORK / "wrk"
        row: dict = {}
        rounds = [("warmup", load.WARMUP_SECONDS), ("loaded", self.seconds)]
        for name, seconds in rounds:
            offset = self.offsets.get(label, 0)
            rotated = paths[offset:] + paths[:offset]
            script = load.write_script(
                directory,
                label,
                load.lua_script(
                    paths=rotated,
                    method=method,
                    headers=headers,
                    body=body,
                    expected=expected,
                ),
            )
            figures = load.run_wrk(port=self.port, script=script, seconds=seconds)
            load.drain(self.port, panel.HOST)
            # Each connection may have had one more request in flight.
            self.offsets[label] = offset + figures["requests"] + load.CONNECTIONS
            if name == "loaded":
                row.update(figures)
        offset = self.offsets.get(label, 0) % len(paths)
        row.update(
            load.sample(
                port=self.port,
                method=method,
                paths=paths,
                headers=headers,
                body=body,
                samples=self.samples,
                offset=offset,
            )
        )
        used = self.offsets.get(label, 0) + row.pop("used")
        row.pop("wrapped", None)
        if len(paths) > 1:  # the submission pool: each draft submitted once
            row["pool_used"] = used
            row["pool_wrapped"] = used > len(paths)
        if row["http_status"] != expected:
            row["error"] = f"answered {row['http_status']}, expected {expected}"
        _log(
            f"{label}: {row['requests_per_s']} req/s ({row['errors']} errors), "
            f"unloaded p95 {row['p95_ms']} ms"
        )
        return row


def measure_baselines(measure: Measure, bare: dict) -> list[dict]:
    return [
        {"page": BARE_PAGE, **measure.page(BARE_PAGE, paths=["/"])},
        {
            "page": STOCK_CHANGELIST,
            **measure.page(
                STOCK_CHANGELIST, paths=["/admin/rows/row/"], cookie=bare["cookie"]
            ),
        },
    ]


def measure_portal(
    measure: Measure, prepared: dict, *, staff: bool, only: list[str] | None = None
) -> list[dict]:
    """The portal's staff pages, or the others (those whose label holds one of
    `only`'s words, when it is given)."""
    rows = []
    for page in prepared["pages"]:
        if (page["group"] == "staff") != staff:
            continue
        if only and not any(word in page["label"] for word in only):
            continue
        row = {
            "page": page["label"],
            "group": page["group"],
            "who": page["who"] or "anonymous",
            "method": page["method"],
            "path": page["paths"][0] if page["paths"] else None,
            "queries": page["queries"],
            "queries_first_request": page["extra"].get("queries_first_request"),
            "query_status": page["query_status"],
        }
        if page["missing"]:
            rows.append({**row, "missing": True})
            continue
        cookie = prepared["cookies"].get(page["who"], "") if page["who"] else ""
        row.update(
            measure.page(
                page["label"],
                paths=page["paths"],
                method=page["method"],
                cookie=cookie,
                body=page["body"],
                expected=page["expected"],
                htmx=page["htmx"],
            )
        )
        rows.append(row)
    return rows


def bracketing_baselines(rows: list[dict]) -> dict[str, float]:
    """The baselines each group is divided by: the mean of the two rounds
    measured just before and just after it (the public and signed-in pages
    between the first and second rounds, the staff pages between the second
    and third), since the machine's other work comes and goes within a run."""
    bare, stock = ([run["requests_per_s"] for run in row["runs"]] for row in rows)
    return {
        "bare": round(statistics.mean(bare[:2]), 1),
        "stock": round(statistics.mean(stock[1:]), 1),
    }


def judge(rows: list[dict], baselines: dict[str, float]) -> None:
    """Each page's ratio to its baseline and whether it meets its target."""
    for row in rows:
        if row.get("missing") or "requests_per_s" not in row:
            continue
        group = row["group"]
        base = baselines["stock"] if group == "staff" else baselines["bare"]
        row["baseline"] = "stock changelist" if group == "staff" else "bare page"
        row["ratio"] = round(row["requests_per_s"] / base, 2) if base else None
        target = TARGETS.get(group)
        if target is None:
            continue
        row["target"] = f"≥ {target:.1f}×" + (
            f", p95 < {TARGET_P95_MS} ms" if group == "staff" else ""
        )
        met = row["ratio"] is not None and row["ratio"] >= target
        met = met and not row.get("error") and row["errors"] == 0
        if group == "staff":
            met = met and row["p95_ms"] < TARGET_P95_MS
        row["target_met"] = met


def serve_and_load(prepared: dict, bare: dict, options) -> dict:
    bare_env = _bare_env()
    bare_env["DJANGO_SECRET_KEY"] = bare["secret_key"]
    measures = {}
    with (
        panel.Server(
            bare_env, application="bench.bare.wsgi:application", log_name="bare.log"
        ) as bare_server,
        panel.Server(prepared["env"]) as portal_server,
    ):
        load.wait_ready(bare_server.port, panel.HOST)
        load.wait_ready(portal_server.port, panel.HOST)
        on_bare = Measure(
            port=bare_server.port, seconds=options.seconds, samples=options.samples
        )
        on_portal = Measure(
            port=portal_server.port, seconds=options.seconds, samples=options.samples
        )
        # The baselines before, between and after the portal's pages: the
        # machine's other work comes and goes within a run.
        rounds = [measure_baselines(on_bare, bare)]
        portal = measure_portal(on_portal, prepared, staff=False, only=options.only)
        rounds.append(measure_baselines(on_bare, bare))
        portal += measure_portal(on_portal, prepared, staff=True, only=options.only)
        rounds.append(measure_baselines(on_bare, bare))
        measures["memory"] = load.worker_peak_memory_mb(portal_server.process.pid)
        measures["bare_memory"] = load.worker_peak_memory_mb(bare_server.process.pid)
    first_round = rounds[0]
    for index, row in enumerate(first_round):
        runs = [round_[index] for round_ in rounds]
        row["runs"] = [
            {
                k: run[k]
                for k in ("requests_per_s", "errors", "p50_ms", "p95_ms", "p99_ms")
            }
            for run in runs
        ]
        row["requests_per_s_mean"] = round(
            statistics.mean(run["requests_per_s"] for run in runs), 1
        )
        row["errors"] = sum(run["errors"] for run in runs)
    measures["baselines"] = first_round
    measures["pages"] = portal
    return measures


def markdown(report: dict) -> str:
    lines = [
        f"`make bench` at scale {report['scale']} — {report['finished_at']} "
        f"(load average {report['load_average'][0]} → "
        f"{report['load_average'][1]} on {os.cpu_count()} cores)",
        "",
        "| page | who | req/s | errors | vs baseline | target | loaded p50 ms "
        "| unloaded p50 / p95 / p99 ms | KB | queries (scale / demo) | met |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {row['page']} (baseline) "
        f"| {'admin' if 'changelist' in row['page'] else 'anonymous'} "
        f"| {' / '.join(str(run['requests_per_s']) for run in row['runs'])} "
        f"| {row['errors']} | 1.00 | "
        f"| {row['loaded_p50_ms']} "
        f"| {row['p50_ms']} / {row['p95_ms']} / {row['p99_ms']} "
        f"| {row['kb']} | {row.get('queries', '')} | |"
        for row in report["baselines"]
    ]
    for row in report["pages"]:
        demo_row = report["demo_queries"].get(row["page"], {})
        queries = f"{row.get('queries')} / {demo_row.get('queries')}"
        if demo_row.get("status") not in (None, row.get("query_status")):
            queries += f" (demo answered {demo_row['status']})"
        if row.get("missing"):
            lines.append(f"| {row['page']} | {row['who']} | missing |{' |' * 8}")
            continue
        met = row.get("target_met")
        flag = "—" if met is None else ("yes" if met else "**no**")
        lines.append(
            f"| {row['page']} | {row['who']} | {row['requests_per_s']} "
            f"| {row['errors']} | {row.get('ratio', '')}× vs {row.get('baseline')} "
            f"| {row.get('target', '—')} | {row['loaded_p50_ms']} "
            f"| {row['p50_ms']} / {row['p95_ms']} / {row['p99_ms']} "
            f"| {row['kb']} | {queries} | {flag} |"
        )
    memory = report["memory"]
    lines += [
        "",
        f"Worker peak memory (VmHWM, largest of the portal's 2 workers): "
        f"**{memory['max_mb']} MB** (target < {TARGET_MEMORY_MB} MB: "
        f"{'yes' if memory['max_mb'] < TARGET_MEMORY_MB else '**no**'}); "
        f"bare project's workers: {report['bare_memory']['max_mb']} MB.",
    ]
    manifest = report.get("manifest", {})
    if "results" in manifest:
        realistic = manifest["results"]["realistic"]
        stress = manifest["results"]["stress"]
        lines.append(
            f"Manifest solve, {manifest['candidates']} candidates (median of "
            f"{manifest['runs']}): realistic {realistic['envelopes_only']['median_s']}"
            f" s, with diversity limits {realistic['diversity']['median_s']} s; "
            f"stress {stress['envelopes_only']['median_s']} s / "
            f"{stress['diversity']['median_s']} s (target < {manifest['target_s']} s)."
        )
    elif manifest:
        lines.append(f"Manifest: {manifest.get('error', 'skipped')}.")
    emails = report.get("emails", {})
    if "emails_per_second" in emails:
        lines.append(
            f"Email rate, one worker ({emails['worker']}), {emails['emails']} "
            f"rows: **{emails['emails_per_second']} emails/s** "
            f"({emails['seconds']} s, {emails['repeated']} repeated)."
        )
    elif emails:
        lines.append(f"Emails: {emails.get('error', 'skipped')}.")
    data = report["data"]
    lines += [
        "",
        "Data: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in data.items())
        + (
            f"; built in {report['build_seconds']} s this run."
            if report["built_now"]
            else f"; reused (built in {report['build_seconds']} s)."
        ),
        f"Whole run: {report['seconds']} s ("
        + ", ".join(
            f"{k.replace('_', ' ')} {v} s" for k, v in report["phases_seconds"].items()
        )
        + ").",
        "",
        "req/s: wrk, 16 connections, only responses with the expected status "
        "(200; 302 for the submission). Baselines: measured before, between "
        "(after the public and signed-in pages) and after the portal's pages, "
        "the three figures shown. Staff pages are compared with the stock "
        "changelist (mean of its 2nd and 3rd rounds, which bracket them), the "
        "others with the bare page (mean of its 1st and 2nd rounds). "
        "Unloaded p50/p95/p99: the sequential samples of the baseline's first "
        "round.",
    ]
    return "\n".join(lines) + "\n"


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--seconds", type=float, default=load.SECONDS)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument(
        "--skip-extras",
        action="store_true",
        help="leave out the email and manifest benches",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORD",
        help=(
            "measure only the pages whose label holds one of these words (with "
            "the baselines; no demo counts, no extras), written to "
            "bench/results/only.{json,md} so the full run's results stay"
        ),
    )
    options = parser.parse_args(argv)
    if options.only:
        options.skip_extras = True
    return options


def main(argv: list[str] | None = None) -> dict:
    options = _options(argv)
    load.require_wrk()
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = round(now - since, 1)
        return now

    mark = started
    load_before = os.getloadavg()[0]
    _log("data at scale (first build about 4 minutes)")
    prepare_args = ["prepare", "--scale", str(options.scale)]
    if options.rebuild:
        prepare_args.append("--rebuild")
    prepared = _module("bench.scale", *prepare_args)
    if "error" in prepared:
        raise SystemExit(prepared["error"])
    mark = phase("data_and_query_counts", mark)
    _log("query counts on the demo data")
    demo = {} if options.only else _module("bench.scale", "demo")
    mark = phase("demo_query_counts", mark)
    _log("bare baseline project")
    bare_env = _bare_env()
    bare = _module("bench.bare.prepare", env=bare_env)
    mark = phase("bare_project", mark)
    bare["secret_key"] = bare_env["DJANGO_SECRET_KEY"]
    _empty_broker(prepared["env"]["CELERY_BROKER_URL"])
    _log("serving and loading")
    measured = serve_and_load(prepared, bare, options)
    _empty_broker(prepared["env"]["CELERY_BROKER_URL"])
    mark = phase("serve_and_load", mark)
    for row, path in zip(measured["baselines"], ["/", "/admin/rows/row/"], strict=True):
        row["queries"] = bare.get("queries", {}).get(path)
    baselines = bracketing_baselines(measured["baselines"])
    judge(measured["pages"], baselines)
    extras = {}
    if not options.skip_extras:
        _log("manifest solver")
        extras["manifest"] = _module("bench.manifest", timeout=300)
        mark = phase("manifest", mark)
        _log("email rate")
        extras["emails"] = _module(
            "bench.emails",
            env={
                **os.environ,
                "DATABASE_URL": os.environ.get(
                    "BENCH_EMAILS_DATABASE_URL", DEFAULT_EMAILS_URL
                ),
            },
            timeout=600,
        )
        mark = phase("emails", mark)
    report = {
        "bench": "scale",
        "scale": options.scale,
        "database": prepared["database"],
        "built_now": prepared["built_now"],
        "build_seconds": prepared["build_seconds"],
        "data": prepared["data"],
        "data_problems": prepared["problems"],
        "ids": prepared["ids"],
        "load": {
            "tool": "wrk",
            "connections": load.CONNECTIONS,
            "threads": load.THREADS,
            "seconds": options.seconds,
            "warmup_seconds": load.WARMUP_SECONDS,
            "unloaded_samples": options.samples,
        },
        "baseline_requests_per_s": baselines,
        "baselines": measured["baselines"],
        "pages": measured["pages"],
        "demo_queries": demo.get("queries", {}),
        "memory": measured["memory"],
        "bare_memory": measured["bare_memory"],
        "memory_target_met": measured["memory"]["max_mb"] < TARGET_MEMORY_MB,
        **extras,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "seconds": round(time.perf_counter() - started, 1),
        "phases_seconds": phases,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "only" if options.only else "bench"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (RESULTS / f"{name}.md").write_text(table)
    print(table, file=sys.stderr)
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
