"""Many submissions at once, across the deadline second, on real PostgreSQL.

200 submissions of 180 complete drafts of one call (20 of them submitted twice
at the same moment, as a double click does) run from 16 threads, each on its
own database connection, released together shortly before the call's
deadline. Nothing is mocked: the deadline is real time a moment ahead.
"""

import http.client
import os
import random
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import User
from notifications.models import EmailStatus, OutboundEmail
from notifications.templatetags.ao_email import beijing_time
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalVersion,
    ReferenceCounter,
    StatementAcceptance,
    TeamMember,
)
from proposals.references import format_reference, reference_year
from proposals.services import submit_proposal
from proposals.services.submission import SubmissionRefused
from tests.factories import (
    ContactFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.notifications.broker import WorkerProcess, database_url, unique_queue
from tests.notifications.smtp import SmtpSink
from tests.test_deployment import BASE_DIR, free_port, production_env

DRAFTS = 180
DOUBLE_CLICKS = 20
THREADS = 8
REDIS = os.environ.get("AO_SCALE_OUT_REDIS", "redis://127.0.0.1:6379")
SPREAD = 5.0
# The last check runs just before COMMIT; the commit's own time (and this
# thread's turn on the GIL to note it) is what a late acceptance could be.
COMMIT_SLACK = timedelta(seconds=0.5)


def complete_drafts(count: int) -> list[Proposal]:
    """`count` complete drafts of one open call, each with its own principal
    investigator, document, accepted statement and confirmed co-investigator:
    one made by the factories, the others copied from it in bulk."""
    call = OpportunityFactory()
    call.contacts.add(ContactFactory())
    required = RequiredDocumentFactory(opportunity=call, page_limit=10)
    statement = StatementFactory(opportunity=call)
    first = ProposalFactory(
        complete=True,
        opportunity=call,
        principal_investigator=UserFactory(country="FR", institution="IRAP"),
    )
    document = ProposalDocumentFactory(proposal=first, required_document=required)
    StatementAcceptance.objects.create(
        proposal=first, statement=statement, accepted_by=first.principal_investigator
    )
    member = TeamMemberFactory(proposal=first, confirmed=True)
    pi = first.principal_investigator
    users = User.objects.bulk_create(
        User(
            email=f"pi{n}@concurrency.example.org",
            full_name=f"{pi.full_name} {n}",
            country=pi.country,
            institution=pi.institution,
        )
        for n in range(1, count)
    )
    copies = Proposal.objects.bulk_create(
        Proposal(
            **{
                field.attname: getattr(first, field.attname)
                for field in Proposal._meta.concrete_fields
                if not field.primary_key
            }
            | {"principal_investigator_id": user.pk, "title": f"{first.title} {n}"}
        )
        for n, user in enumerate(users, start=1)
    )
    ProposalDocument.objects.bulk_create(
        ProposalDocument(
            proposal=proposal,
            required_document=required,
            file=document.file.name,
            original_name=document.original_name,
            sha256=document.sha256,
            size=document.size,
            page_count=document.page_count,
        )
        for proposal in copies
    )
    StatementAcceptance.objects.bulk_create(
        StatementAcceptance(
            proposal=proposal,
            statement=statement,
            accepted_by_id=proposal.principal_investigator_id,
        )
        for proposal in copies
    )
    TeamMember.objects.bulk_create(
        TeamMember(
            proposal=proposal,
            name=member.name,
            email=f"co{proposal.pk}@concurrency.example.org",
            institution=member.institution,
            country=member.country,
            role=member.role,
            invited_at=member.invited_at,
            confirmed_at=member.confirmed_at,
        )
        for proposal in copies
    )
    return [first, *copies]


def submit_in_own_transaction(proposal: Proposal) -> dict:
    """One submission as a request makes it, on this thread's connection;
    `committed_at` is read just after the commit (an upper bound of it)."""
    outcome = {"proposal": proposal.pk}
    try:
        with transaction.atomic():
            version = submit_proposal(
                proposal=proposal, actor=proposal.principal_investigator
            )
            transaction.on_commit(lambda: outcome.update(committed_at=timezone.now()))
        outcome["version"] = version.pk
    except SubmissionRefused as refused:
        outcome["refused"] = refused.messages
    finally:
        connection.close()
    return outcome


@pytest.mark.django_db(transaction=True)
def test_submissions_across_the_deadline_are_none_late_and_never_numbered_twice(
    mailoutbox,
):
    drafts = complete_drafts(DRAFTS)
    call = drafts[0].opportunity
    submissions = drafts + drafts[:DOUBLE_CLICKS]
    random.Random(11).shuffle(submissions)
    deadline = timezone.now() + timedelta(seconds=SPREAD / 2 + 0.5)
    call.proposal_deadline = deadline
    call.save(update_fields=["proposal_deadline"])
    connections.close_all()
    # Released one after another from 1.5 s before the deadline to 1.5 s
    # after it; on a slow machine they queue in the pool, so more run late.
    first = deadline - timedelta(seconds=SPREAD / 2)
    step = timedelta(seconds=SPREAD / len(submissions))

    def run(n: int, proposal: Proposal) -> dict:
        wait = (first + n * step - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(wait)
        return submit_in_own_transaction(proposal)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(run, range(len(submissions)), submissions))

    accepted = [o for o in outcomes if "version" in o]
    refused = [o for o in outcomes if "refused" in o]
    late = [f"The proposal deadline passed on {beijing_time(deadline)}."]
    assert len(accepted) + len(refused) == len(submissions)
    assert accepted, "the deadline passed before any submission ran"
    assert refused, "every submission ran before the deadline"
    assert [o["refused"] for o in refused] == [late] * len(refused)
    versions = ProposalVersion.objects.filter(proposal__opportunity=call)
    assert sorted(versions.values_list("pk", flat=True)) == sorted(
        o["version"] for o in accepted
    )
    # None accepted late: each was stored with a moment before the deadline,
    # checked again just before its commit, which came at most a moment after.
    assert max(v.submitted_at for v in versions) < deadline
    assert max(o["committed_at"] for o in accepted) < deadline + COMMIT_SLACK
    # Never a number twice: one per proposal, 1 to n in the order of
    # submission, the counter at n; versions 1, 2 … per proposal.
    firsts = sorted(versions.filter(number=1), key=lambda v: v.reference)
    assert [v.reference for v in firsts] == [
        format_reference(code=call.mission.code, year=reference_year(call), number=n)
        for n in range(1, len(firsts) + 1)
    ]
    assert [v.submitted_at for v in firsts] == sorted(v.submitted_at for v in firsts)
    assert ReferenceCounter.objects.get(mission=call.mission).last_number == len(firsts)
    numbers = {}
    for version in versions.order_by("number"):
        numbers.setdefault(version.proposal_id, []).append(version.number)
    assert all(n == list(range(1, len(n) + 1)) for n in numbers.values())
    assert Proposal.objects.filter(opportunity=call, reference="").count() == (
        DRAFTS - len(firsts)
    )
    # Each acceptance emailed its principal investigator once, a refusal never.
    investigators = dict(
        Proposal.objects.filter(opportunity=call).values_list(
            "pk", "principal_investigator__email"
        )
    )
    assert sorted(
        m.to[0] for m in mailoutbox if m.to[0] in investigators.values()
    ) == sorted(investigators[o["proposal"]] for o in accepted)


@pytest.mark.django_db
def test_submission_numbers_are_unique_in_the_database_itself():
    """The constraints the numbering relies on, should the code ever slip."""
    with connection.cursor() as cursor:
        constraints = {
            table: connection.introspection.get_constraints(cursor, table)
            for table in (
                Proposal._meta.db_table,
                ProposalVersion._meta.db_table,
                ReferenceCounter._meta.db_table,
            )
        }

    assert constraints[Proposal._meta.db_table]["proposal_reference_unique"]["unique"]
    assert constraints[ProposalVersion._meta.db_table]["version_number_once"][
        "columns"
    ] == ["proposal_id", "number"]
    assert constraints[ReferenceCounter._meta.db_table][
        "reference_counter_per_mission_year"
    ]["columns"] == ["mission_id", "year"]


# Two web processes and two workers on one PostgreSQL and Redis ----------------------

RESETS = 20  # allauth's limit on password resets: 20 a minute from one address
HOST = "ao-portal.example.org"
RESET = "/accounts/password/reset/"


def post_form(port: int, path: str, fields: dict, *, csrf: str):
    """A form posted as a browser behind the TLS proxy posts it."""
    body = urlencode({**fields, "csrfmiddlewaretoken": csrf})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                # nginx names the visitor; production's limits count by it.
                "X-Real-IP": "203.0.113.7",
                "Referer": f"https://{HOST}{path}",
                "Cookie": f"csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        conn.close()


def start_web(tmp_path, *, broker_url: str, cache_url: str, queue: str):
    """Gunicorn on production settings (as tests/test_deployment.py starts it),
    on the test database, this module's Redis databases and email queue."""
    port = free_port()
    env = production_env(
        DJANGO_SETTINGS_MODULE="scale_out_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SITE_URL=f"https://{HOST}",
        DATABASE_URL=database_url(),
        REDIS_URL=cache_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_EMAIL_QUEUE=queue,
        DJANGO_VAR_DIR=str(tmp_path / "var"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    log = tmp_path / f"gunicorn-{port}.log"
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    return server, port, log


def wait_for_port(port: int, process, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"gunicorn did not listen on {port}: {log.read_text()}")


@pytest.fixture(scope="module")
def scale_out(django_db_setup, tmp_path_factory):
    """Two gunicorn processes and two Celery worker processes, an SMTP sink;
    Redis databases 8 (broker) and 9 (the webs' shared cache), emptied first."""
    if not database_url().startswith("postgres"):
        pytest.skip("Needs PostgreSQL (DATABASE_URL): processes share the database.")
    broker_url, cache_url = f"{REDIS}/8", f"{REDIS}/9"
    for url in (broker_url, cache_url):
        redis.Redis.from_url(url).flushdb()
    tmp_path = tmp_path_factory.mktemp("scale-out")
    # Production settings; only the static files are not the manifest's, so
    # no collectstatic is needed (tests/test_deployment.py covers those).
    (tmp_path / "scale_out_settings.py").write_text(
        "from config.settings.production import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    queue = unique_queue("scale-out")
    sink = SmtpSink().start()
    webs = [
        start_web(tmp_path, broker_url=broker_url, cache_url=cache_url, queue=queue)
        for _ in range(2)
    ]
    workers = [
        WorkerProcess(broker_url=broker_url, queue=queue, smtp_port=sink.port).start()
        for _ in range(2)
    ]
    try:
        for server, port, log in webs:
            wait_for_port(port, server, log)
        yield [port for _, port, _ in webs], sink
    finally:
        for server, _port, _log in webs:
            server.terminate()
        for server, _port, _log in webs:
            server.wait(timeout=15)
        # Every task is done by now: no warm shutdown to wait for.
        for worker in workers:
            worker.kill()
        sink.stop()
        for url in (broker_url, cache_url):
            redis.Redis.from_url(url).flushdb()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_webs_and_two_workers_send_every_email_once_and_share_rate_limits(
    scale_out,
):
    ports, sink = scale_out
    users = [
        UserFactory(email=f"reset{n}@university.example.org") for n in range(RESETS + 1)
    ]
    csrf = get_random_string(32)

    answers = [
        post_form(ports[n % 2], RESET, {"email": user.email}, csrf=csrf)
        for n, user in enumerate(users[:RESETS])
    ]
    # The 21st from the same address, on either process: the limit is shared.
    refused = [
        post_form(
            port, "/accounts/password/reset/", {"email": users[-1].email}, csrf=csrf
        )
        for port in ports
    ]

    assert answers == [(302, "/accounts/password/reset/done/")] * RESETS
    assert [status for status, _ in refused] == [429, 429]
    assert sink.wait_for(RESETS, timeout=30), sink.count()
    time.sleep(0.5)  # a duplicate would arrive now
    assert sink.count() == RESETS
    assert set(sink.copies().values()) == {1}
    assert sorted(item.to for item in sink.received) == sorted(
        user.email for user in users[:RESETS]
    )
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {
        EmailStatus.SENT
    }
    assert sorted(OutboundEmail.objects.values_list("to_email", flat=True)) == sorted(
        user.email for user in users[:RESETS]
    )
