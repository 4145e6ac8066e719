"""`make bench`'s data at a tiny scale, its pages, and its wrk plumbing (no timing)."""

import http.server
import shutil
import threading

import pytest
from django.utils import timezone

from bench import load, scale_data
from bench.scale import pages, scale_targets
from proposals.models import Proposal, ProposalVersion
from proposals.services import submit_proposal
from reviews.models import ReviewAssignment

TINY = 0.001  # every count at its floor: a build of about a second


@pytest.fixture
def data(db):
    return scale_data.build(scale=TINY, record=False)


def test_scale_build_gives_the_counts_people_and_pages_the_bench_uses(data):
    expected = scale_data.Scale.of(TINY)

    counts = scale_data.counts()

    assert (counts["calls"], counts["proposals"], counts["assignments"]) == (
        scale_data.CALLS,
        expected.proposals,
        expected.assignments,
    )
    assert (counts["users"], counts["outbox_emails"]) == (
        expected.users,
        expected.outbox,
    )
    assert counts["scores"] >= 3 * (counts["reviews"] * 9 // 10)
    assert scale_data.check(data) == []
    assert (
        ReviewAssignment.objects.filter(reviewer_id=data.busy_reviewer_id).count()
        == expected.reviewer_load
    )
    assert set(
        Proposal.objects.filter(
            pk__in=[*data.pool_ids, data.researcher_draft_id]
        ).values_list("status", flat=True)
    ) == {"draft"}
    assert [page.label for page in pages(scale_targets(data)) if page.missing] == []


def test_reset_pool_turns_submitted_drafts_back_into_drafts(data):
    from accounts.models import User  # noqa: PLC0415

    submitter = User.objects.get(pk=data.submitter_id)
    for pk in data.pool_ids[:2]:
        submit_proposal(
            proposal=Proposal.objects.get(pk=pk), actor=submitter, now=timezone.now()
        )

    reset = scale_data.reset_pool(data)

    assert reset == 2
    assert ProposalVersion.objects.filter(proposal_id__in=data.pool_ids).count() == 0
    assert scale_data.check(data) == []


def test_parse_wrk_counts_unexpected_statuses_as_errors_not_throughput():
    line = (
        'WRK_JSON {"requests": 200, "duration_us": 2000000, "bytes": 204800, '
        '"unexpected": 50, "wrapped": 0, "connect": 0, "read": 1, "write": 0, '
        '"status": 50, "timeout": 2, "p50_us": 10000, "p95_us": 20000, '
        '"p99_us": 30000, "max_us": 40000}'
    )

    figures = load.parse_wrk("Running 2s test\n" + line + "\n")

    assert (figures["ok"], figures["errors"], figures["requests_per_s"]) == (
        150,
        53,
        75.0,
    )
    assert (figures["loaded_p50_ms"], figures["loaded_p99_ms"]) == (10.0, 30.0)


def test_headers_for_a_post_carry_the_csrf_token_of_the_cookie():
    headers = load.headers_for(
        host="bench.example.org",
        cookie="sessionid=abc; csrftoken=secret32",
        method="POST",
        htmx=True,
    )

    assert (headers["X-CSRFToken"], headers["Origin"], headers["HX-Request"]) == (
        "secret32",
        "https://bench.example.org",
        "true",
    )


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/ok/" else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """wrk drops its connections mid-answer when its time is up."""


@pytest.mark.skipif(shutil.which("wrk") is None, reason="apt-get install wrk")
def test_wrk_script_spreads_paths_and_counts_other_statuses(tmp_path):
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = load.write_script(
        tmp_path,
        "mixed",
        load.lua_script(
            paths=["/ok/", "/missing/"],
            method="GET",
            headers={"Host": "bench.example.org"},
        ),
    )
    try:
        figures = load.run_wrk(
            port=server.server_address[1], script=script, seconds=1, connections=2
        )
    finally:
        server.shutdown()

    # Two threads, each on its share of the paths: one gets only 404s.
    assert figures["requests"] > 0
    assert 0.2 < figures["errors"] / figures["requests"] < 0.8
    assert figures["ok"] == figures["requests"] - figures["errors"]
