"""Schemathesis against /api/schema/: every operation, anonymous and signed in.

Every answer, to schema-valid and schema-invalid requests alike, must be no
5xx, carry a status code, content type, headers and body the schema documents
(config.api_schema adds the 400, 403, 404 and 429 each view can give). Each
operation that takes a path parameter is also called with one that exists, so
the bodies of real missions, calls, questions and proposals are checked, not
only 404s.

Every operation is fuzzed anonymously and with a researcher's token; the
proposals' operations (the only ones whose answer depends on who asks) also
with the researcher's session cookie.

Bounded for `make test`: five derandomised examples per operation and phase,
in-process through the WSGI application, in one transaction the module's
fixture rolls back.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.factories import (
    AmendmentFactory,
    CarrierFactory,
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    StatementFactory,
    TeamMemberFactory,
)
from tests.questions.factories import QuestionFactory

# Loaded through the WSGI application itself; drf-spectacular builds it
# without the database. (schemathesis.pytest.from_fixture would defer this to
# a fixture, but it sets a private attribute pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# The coverage phase's boundary values stay, without its requests in every
# other HTTP method (each answered 405 by DRF before any of our code runs).
schema.config.phases.coverage.unexpected_methods = set()

# Response conformance, not schemathesis's opinions on request validation
# (e.g. that `?page=-3` should be refused with a 4xx rather than a 404).
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
BOUNDED = settings(
    max_examples=5,
    derandomize=True,
    database=None,
    deadline=None,
    # The fixtures hold the same rows for every example, which is intended.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """A call with everything the serializers show, its published question, a
    closed call with a researcher's submitted proposal (team, document,
    version) and a draft of theirs; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        version = ProposalVersionFactory()
        proposal = version.proposal
        researcher = proposal.principal_investigator
        TeamMemberFactory(proposal=proposal, confirmed=True)
        ProposalDocumentFactory(proposal=proposal)
        call = OpportunityFactory(with_loi=True)
        CarrierFactory(opportunity=call)
        EvaluationCriterionFactory(opportunity=call)
        StatementFactory(opportunity=call)
        AmendmentFactory(opportunity=call)
        call.contacts.add(ContactFactory())
        QuestionFactory(opportunity=call, published=True)
        ProposalFactory(opportunity=call, principal_investigator=researcher)
        token = Token.objects.create(user=researcher)
        yield {
            "token": token.key,
            "researcher": researcher,
            "known": {
                "/api/v1/missions/{slug}/": {"slug": call.mission.slug},
                "/api/v1/opportunities/{slug}/": {"slug": call.slug},
                "/api/v1/opportunities/{opportunity_slug}/questions/": {
                    "opportunity_slug": call.slug
                },
                "/api/v1/proposals/{id}/": {"id": proposal.pk},
            },
        }
        transaction.set_rollback(True)


@pytest.fixture
def in_process(db, api_world):
    """Requests run on the test's own connection, inside its transaction:
    Django's WSGI handler would otherwise close it after each response (the
    test client disconnects the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call_and_validate(case, known, **kwargs) -> list[int]:
    """The generated request, then (for a path with parameters) the same with
    parameters that name a real object; returns the status codes."""
    statuses = [case.call_and_validate(checks=CHECKS, **kwargs).status_code]
    if case.path_parameters:
        case.path_parameters = dict(known[case.operation.path])
        statuses.append(case.call_and_validate(checks=CHECKS, **kwargs).status_code)
    return statuses


@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_for_anonymous_clients(case, in_process):
    statuses = call_and_validate(case, in_process["known"])

    assert all(status < 500 for status in statuses)
    if case.operation.path.startswith("/api/v1/proposals/"):
        assert 200 not in statuses


@schema.parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_for_a_researcher_with_a_token(case, in_process):
    statuses = call_and_validate(
        case,
        in_process["known"],
        headers={"Authorization": f"Token {in_process['token']}"},
    )

    assert all(status < 500 for status in statuses)
    assert 403 not in statuses


@schema.include(path_regex="^/api/v1/proposals/").parametrize()
@BOUNDED
def test_api_conforms_to_its_schema_for_a_researcher_signed_in(
    case, in_process, client
):
    client.force_login(in_process["researcher"])
    session = client.cookies["sessionid"].value

    statuses = call_and_validate(
        case, in_process["known"], cookies={"sessionid": session}
    )

    assert all(status < 500 for status in statuses)
    assert 403 not in statuses


def test_throttled_answer_conforms_to_its_schema(in_process, settings):
    """Past the limit: the documented 429, its body and its Retry-After header."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min"},
    }
    case = schema["/api/v1/missions/"]["GET"].Case()

    first = case.call_and_validate(checks=CHECKS)
    throttled = case.call_and_validate(checks=CHECKS)

    assert (first.status_code, throttled.status_code) == (200, 429)
    headers = {name.lower(): values for name, values in throttled.headers.items()}
    assert throttled.json()["retry_after"] == int(headers["retry-after"][0])
