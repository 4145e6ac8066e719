"""Digests of every row a page shows, each read in one query:
proposals.views.kept keeps the editor's cards and the dashboard's rows under
them.

Each row is taken whole as its text (a table's composite value, so a column
added later is in the digest by itself) and the texts are hashed by
PostgreSQL. Any write to any of these rows, through the ORM or not, changes
the digest: no signal has to say so. On another database there is no digest
(None), and nothing is kept.

A digest tells nothing about who may see what it covers: the views authorise
as for any read.
"""

import functools
import logging
import time

import psycopg
from django.db import connection

from accounts.models import User
from catalogue.models import Carrier, Mission, Opportunity, RequiredDocument, Statement
from proposals.models import (
    Proposal,
    ProposalDocument,
    SectionVersion,
    StatementAcceptance,
    TeamMember,
)

logger = logging.getLogger("django.db.backends")

# Table names come from the models' Meta, never from a request: the SQL is
# built once per process from them (hence the S608 exemptions below).
MODELS = (
    Proposal,
    TeamMember,
    SectionVersion,
    ProposalDocument,
    StatementAcceptance,
    Opportunity,
    Mission,
    Carrier,
    RequiredDocument,
    Statement,
    User,
)


@functools.cache
def _tables() -> dict[str, str]:
    return {model.__name__: model._meta.db_table for model in MODELS}


def _rows(alias: str, name: str, where: str, person: str = "") -> str:
    """The rows of one table as one text, in id order ("-" when none), each
    with the text of the account `person` names when it is given."""
    table = _tables()
    if person:
        shown = f"concat_ws(',', {alias}::text, who::text)"
        joined = f"LEFT JOIN {table['User']} who ON who.id = {alias}.{person}"
    else:
        shown, joined = f"{alias}::text", ""
    return (
        f"coalesce((SELECT string_agg({shown}, ';' ORDER BY {alias}.id) "  # noqa: S608
        f"FROM {table[name]} {alias} {joined} WHERE {where}), '-')"
    )


def _checklist_rows() -> list[str]:
    """What a proposal's checklist and completion figure read, for the
    proposal `p` of the call `o`: the proposal, its call, its principal
    investigator, its chosen carrier, its team places and their accounts, its
    documents and accepted statements, its call's required documents and
    statements."""
    return [
        "p::text",
        "o::text",
        "pi::text",
        "coalesce(c::text, '-')",
        _rows("t", "TeamMember", "t.proposal_id = p.id", "user_id"),
        _rows("d", "ProposalDocument", "d.proposal_id = p.id"),
        _rows("a", "StatementAcceptance", "a.proposal_id = p.id"),
        _rows("r", "RequiredDocument", "r.opportunity_id = o.id"),
        _rows("st", "Statement", "st.opportunity_id = o.id"),
    ]


def _joins() -> str:
    table = _tables()
    return (
        f"JOIN {table['Opportunity']} o ON o.id = p.opportunity_id "
        f"JOIN {table['User']} pi ON pi.id = p.principal_investigator_id "
        f"LEFT JOIN {table['Carrier']} c ON c.id = p.carrier_id "
    )


@functools.cache
def _editor_query() -> str:
    table = _tables()
    parts = [
        *_checklist_rows(),
        "m::text",
        _rows("s", "SectionVersion", "s.proposal_id = p.id", "saved_by_id"),
        _rows("ca", "Carrier", "ca.opportunity_id = o.id"),
    ]
    return (
        f"SELECT md5(concat_ws('|', {', '.join(parts)})) "  # noqa: S608
        f"FROM {table['Proposal']} p {_joins()}"
        f"JOIN {table['Mission']} m ON m.id = o.mission_id "
        "WHERE p.id = %s"
    )


@functools.cache
def _dashboard_query() -> str:
    table = _tables()
    # The proposals the person leads or is on the team of: two index look-ups
    # (see proposals.selectors._ids_for_user).
    mine = (
        f"SELECT id FROM {table['Proposal']} WHERE principal_investigator_id = %s "  # noqa: S608
        f"UNION SELECT proposal_id FROM {table['TeamMember']} WHERE user_id = %s"
    )
    row = f"concat_ws('|', {', '.join(_checklist_rows())})"
    return (
        f"SELECT coalesce(md5(string_agg({row}, '#' ORDER BY p.id)), '-') "  # noqa: S608
        f"FROM ({mine}) mine JOIN {table['Proposal']} p ON p.id = mine.id {_joins()}"
    )


# psycopg's default: how often a query runs before it is prepared (a
# _PreparedCursor prepares at once).
PREPARE_THRESHOLD = 5


class _PreparedCursor(psycopg.Cursor):
    """A cursor that binds its parameters on the server and has PostgreSQL
    prepare each query: a digest is then planned once per connection
    instead of on every visit (planning was two thirds of its time). Django
    leaves its own cursors unprepared (for connection poolers that do not
    keep prepared statements; the portal connects to PostgreSQL directly)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _digest(query: str, params: list) -> str | None:
    """The query's one value, through a _PreparedCursor wrapped as Django
    wraps its own (its execute wrappers apply), and logged as Django logs a
    query (psycopg keeps no text of a prepared query for Django to log)."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    raw = connection.connection
    # Django turns preparing off for its connections (prepare_threshold None);
    # it is on only while this cursor runs, and put back after.
    threshold = raw.prepare_threshold
    raw.prepare_threshold = PREPARE_THRESHOLD
    started = time.monotonic()
    try:
        with connection.make_cursor(_PreparedCursor(raw)) as cursor:
            cursor.execute(query, params)
            row = cursor.fetchone()
    finally:
        raw.prepare_threshold = threshold
        _log(query, params, seconds=time.monotonic() - started)
    return None if row is None else row[0]


def _log(query: str, params: list, *, seconds: float) -> None:
    """As Django's CursorDebugWrapper logs a query, when it logs them."""
    if not connection.queries_logged:
        return
    try:
        sql = connection.ops.compose_sql(query, params)
    except Exception:  # the query's own error, if any, is the one to see
        sql = query
    connection.queries_log.append({"sql": sql, "time": f"{seconds:.3f}"})
    logger.debug(
        "(%.3f) %s; args=%s; alias=%s",
        seconds,
        sql,
        params,
        connection.alias,
        extra={"duration": seconds, "sql": sql, "params": params},
    )


# The largest primary key a table holds (bigint): a larger number names no
# proposal, and bound as a numeric it would cost a scan of the table.
LARGEST_KEY = 2**63 - 1


def shown_in_editor(*, pk: int) -> str | None:
    """Every row the proposal editor shows of proposal `pk`: what its checklist
    reads, its call's mission and carriers, its sections' versions and who
    saved them. None for a proposal that does not exist."""
    if not 0 < pk <= LARGEST_KEY:
        return None
    return _digest(_editor_query(), [pk])


def shown_on_dashboard(*, user_id: int) -> str | None:
    """Every row a person's dashboard shows: each proposal they lead or are on
    the team of, with what its checklist and completion figure read (its call,
    principal investigator, carrier, team places and their accounts,
    documents, accepted statements, the call's required documents and
    statements), the invitations among the team places included."""
    return _digest(_dashboard_query(), [user_id, user_id])
