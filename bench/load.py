"""Load one page with wrk, time it unloaded, read the workers' peak memory.

bench.run uses these for every page; on its own, for one page of the scale
database (built by `make bench` or `python -m bench.scale prepare`):

    python -m bench.load /opportunities/                 # anonymous
    python -m bench.load /proposals/ --who researcher     # signed in
    python -m bench.load /admin/proposals/proposal/ --who admin --seconds 10

It signs the user in, serves the portal with gunicorn exactly as `make bench`
does (2 sync workers, production settings, persistent connections, Redis
cache), and prints wrk's figures and the unloaded p50/p95/p99 as JSON.

wrk is Debian's (`apt-get install wrk`). Each page's requests run through a
Lua script written here: it sends the session cookie and, for a POST, the
CSRF cookie and header and the Origin; it counts every response whose status
is not the one expected (a redirect to the sign-in page is not a page view),
and its `done` hook prints the figures as one JSON line. Requests counted as
throughput are only those with the expected status.
"""

import argparse
import http.client
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONNECTIONS = 16
THREADS = 2
SECONDS = 5
WARMUP_SECONDS = 1
TIMEOUT_S = 30
WRK_MARK = "WRK_JSON "

LUA = """\
-- Written by bench/load.py for one page; see its docstring.
local paths = {%(paths)s}
local method = %(method)s
local body = %(body)s
local headers = {%(headers)s}
local expected = %(expected)d
local threads = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

function init(args)
  index = first
  unexpected = 0
  wrapped = 0
end

function request()
  if index >= #paths then wrapped = wrapped + 1 end
  local path = paths[(index %% #paths) + 1]
  index = index + %(threads)d
  return wrk.format(method, path, headers, body)
end

function response(status, hdrs, content)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local bad, wraps = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    wraps = wraps + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    "%(mark)s{\\"requests\\": %%d, \\"duration_us\\": %%d, \\"bytes\\": %%d, "
    .. "\\"unexpected\\": %%d, \\"wrapped\\": %%d, \\"connect\\": %%d, "
    .. "\\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, \\"timeout\\": %%d, "
    .. "\\"p50_us\\": %%d, \\"p95_us\\": %%d, \\"p99_us\\": %%d, "
    .. "\\"max_us\\": %%d}\\n",
    summary.requests, summary.duration, summary.bytes, bad, wraps,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        msg = (
            "wrk is not installed: the bench loads pages with it. "
            "Install it with: apt-get install wrk"
        )
        raise SystemExit(msg)
    return path


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal here


def headers_for(
    *, host: str, cookie: str = "", method: str = "GET", htmx: bool = False
) -> dict[str, str]:
    """What the TLS proxy forwards: the host, https, English, and the
    session; for a POST the form's content type, the CSRF token (the secret of
    the CSRF cookie, which Django accepts unmasked) and the Origin."""
    headers = {
        "Host": host,
        "X-Forwarded-Proto": "https",
        "Accept-Language": "en",
    }
    if cookie:
        headers["Cookie"] = cookie
    if method == "POST":
        csrf = re.search(r"csrftoken=([^;]+)", cookie)
        headers.update(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{host}",
                "Referer": f"https://{host}/",
            }
        )
        if csrf:
            headers["X-CSRFToken"] = csrf.group(1)
    if htmx:
        headers["HX-Request"] = "true"
    return headers


def lua_script(
    *,
    paths: list[str],
    method: str,
    headers: dict[str, str],
    body: str = "",
    expected: int = 200,
    threads: int = THREADS,
) -> str:
    return LUA % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "method": _lua_string(method),
        "body": _lua_string(body) if body else "nil",
        "headers": ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        ),
        "expected": expected,
        "threads": threads,
        "mark": WRK_MARK,
    }


def parse_wrk(output: str) -> dict:
    """The figures of the `done` hook's JSON line: requests per second count
    only the responses with the expected status; every other response and
    every socket error is an error."""
    line = next(
        (line for line in output.splitlines() if line.startswith(WRK_MARK)), None
    )
    if line is None:
        msg = f"wrk printed no figures:\n{output[-2000:]}"
        raise ValueError(msg)
    raw = json.loads(line[len(WRK_MARK) :])
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    errors = raw["unexpected"] + socket_errors
    good = max(0, raw["requests"] - raw["unexpected"])
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "ok": good,
        "errors": errors,
        "requests_per_s": round(good / seconds, 1) if seconds else 0.0,
        "loaded_p50_ms": round(raw["p50_us"] / 1000, 1),
        "loaded_p95_ms": round(raw["p95_us"] / 1000, 1),
        "loaded_p99_ms": round(raw["p99_us"] / 1000, 1),
        "loaded_max_ms": round(raw["max_us"] / 1000, 1),
        "kb_per_response": round(raw["bytes"] / raw["requests"] / 1024, 1)
        if raw["requests"]
        else 0.0,
        "wrapped": raw["wrapped"],
    }


def run_wrk(
    *,
    port: int,
    script: Path,
    seconds: float = SECONDS,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    first_path: str = "/",
) -> dict:
    completed = subprocess.run(  # noqa: S603 — wrk, our own arguments
        [
            require_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={TIMEOUT_S}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{first_path}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + TIMEOUT_S + 30,
    )
    return parse_wrk(completed.stdout + completed.stderr)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def one_request(
    port: int, method: str, path: str, headers: dict, body: str = ""
) -> tuple[int, int, float]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        size = len(response.read())
    finally:
        connection.close()
    return response.status, size, time.perf_counter() - start


def sample(
    *,
    port: int,
    method: str,
    paths: list[str],
    headers: dict,
    body: str = "",
    samples: int = 20,
    warmups: int = 3,
    budget_s: float = 20.0,
    offset: int = 0,
) -> dict:
    """Unloaded: `warmups` then `samples` sequential requests (one at a time),
    each to the next of `paths` from `offset`; stops after `budget_s`."""
    statuses, timings, sizes = [], [], []
    n = offset
    for _ in range(warmups):
        one_request(port, method, paths[n % len(paths)], headers, body)
        n += 1
    started = time.perf_counter()
    for _ in range(samples):
        status, size, seconds = one_request(
            port, method, paths[n % len(paths)], headers, body
        )
        n += 1
        statuses.append(status)
        timings.append(seconds)
        sizes.append(size)
        if time.perf_counter() - started > budget_s:
            break
    return {
        "samples": len(timings),
        "http_status": statistics.mode(statuses),
        "kb": round(statistics.median(sizes) / 1024, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 1),
        "p99_ms": round(percentile(timings, 0.99) * 1000, 1),
        "used": n - offset,
    }


def wait_ready(port: int, host: str, *, timeout_s: float = 120.0) -> None:
    """Until both workers answer: gunicorn's master listens before its workers
    have loaded Django (seconds on a busy machine), and wrk's run would be
    spent waiting. A few requests, so that each worker has served one."""
    deadline = time.monotonic() + timeout_s
    answered = 0
    while answered < 4:  # noqa: PLR2004 — twice per worker, in no fixed order
        if time.monotonic() > deadline:
            msg = f"gunicorn did not answer within {timeout_s:.0f} s"
            raise RuntimeError(msg)
        try:
            one_request(port, "GET", "/", {"Host": host, "X-Forwarded-Proto": "https"})
        except OSError:
            time.sleep(0.2)
        else:
            answered += 1


def drain(port: int, host: str) -> None:
    """Wait until gunicorn has worked off what wrk left queued. When wrk stops,
    the requests its connections had sent still wait in the listen queue, and
    sync workers serve them (they learn the client left only when they
    answer): the next run would start behind seconds of stale work, and on a
    slow page finish none of its own. A request sent now is served after
    them (the queue is first in, first out); two, so both workers are past."""
    for _ in range(2):
        one_request(port, "GET", "/", {"Host": host, "X-Forwarded-Proto": "https"})


def worker_peak_memory_mb(master_pid: int) -> dict:
    """Each gunicorn worker's peak resident memory (VmHWM) and the largest."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    peaks = {}
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                peaks[pid] = round(int(match.group(1)) / 1024, 1)
    return {"workers": peaks, "max_mb": max(peaks.values(), default=0.0)}


def write_script(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.lua"
    path.write_text(text)
    return path


def load_page(
    *,
    port: int,
    label: str,
    paths: list[str],
    method: str,
    headers: dict,
    body: str = "",
    expected: int = 200,
    seconds: float = SECONDS,
    directory: Path,
) -> dict:
    """A warm-up run, then the measured run, of wrk on one page."""
    script = write_script(
        directory,
        label,
        lua_script(
            paths=paths, method=method, headers=headers, body=body, expected=expected
        ),
    )
    run_wrk(port=port, script=script, seconds=WARMUP_SECONDS)
    drain(port, headers["Host"])
    figures = run_wrk(port=port, script=script, seconds=seconds)
    drain(port, headers["Host"])
    return figures


def main(argv: list[str] | None = None) -> dict:
    from bench import panel, scale  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument(
        "--who",
        choices=["anonymous", "researcher", "submitter", "reviewer", "admin"],
        default="anonymous",
    )
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args(argv)
    require_wrk()
    env = scale.bench_env(scale.scale_url(options.scale))
    panel.setup_django(env)
    from bench import scale_data  # noqa: PLC0415

    data = scale_data.find(scale=options.scale)
    if data is None:
        msg = "No scale data: run `make bench` or `python -m bench.scale prepare`."
        raise SystemExit(msg)
    users = {
        "researcher": data.researcher_id,
        "submitter": data.submitter_id,
        "reviewer": data.busy_reviewer_id,
        "admin": data.administrator_id,
    }
    cookie = "" if options.who == "anonymous" else scale.cookies(users)[options.who]
    headers = headers_for(host=panel.HOST, cookie=cookie)
    with panel.Server(env) as server:
        wait_ready(server.port, panel.HOST)
        loaded = load_page(
            port=server.port,
            label=f"one-{options.who}",
            paths=[options.path],
            method="GET",
            headers=headers,
            directory=panel.WORK / "wrk",
            seconds=options.seconds,
        )
        unloaded = sample(
            port=server.port,
            method="GET",
            paths=[options.path],
            headers=headers,
            samples=options.samples,
        )
        memory = worker_peak_memory_mb(server.process.pid)
    return {
        "path": options.path,
        "who": options.who,
        **loaded,
        **unloaded,
        "worker_peak_mb": memory["max_mb"],
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(), indent=2) + "\n")
