"""A digest of every row the proposal editor shows of one proposal, read in
one query: proposals.views.editor_copy keeps the editor's cards under it.

The proposal, its call and mission, its principal investigator, its chosen
carrier, its team places and their accounts, its sections' versions and who
saved them, its documents and accepted statements, and its call's required
documents, statements and carriers: each row is taken whole as its text (a
table's composite value, so a column added later is in the digest by itself)
and the texts are hashed by PostgreSQL. Any write to any of these rows,
through the ORM or not, changes the digest; no signal has to say so.
"""

import functools

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


def _rows(table: dict, alias: str, name: str, where: str, person: str = "") -> str:
    """The rows of one table as one text, in id order ("-" when none), each
    with the text of the account `person` names when it is given."""
    if person:
        shown = f"concat_ws(',', {alias}::text, who::text)"
        joined = f"LEFT JOIN {table['User']} who ON who.id = {alias}.{person}"
    else:
        shown, joined = f"{alias}::text", ""
    return (
        f"coalesce((SELECT string_agg({shown}, ';' ORDER BY {alias}.id) "  # noqa: S608
        f"FROM {table[name]} {alias} {joined} WHERE {where}), '-')"
    )


@functools.cache
def _query() -> str:
    table = {model.__name__: model._meta.db_table for model in MODELS}
    parts = [
        "p::text",
        "o::text",
        "m::text",
        "pi::text",
        "coalesce(c::text, '-')",
        _rows(table, "t", "TeamMember", "t.proposal_id = p.id", "user_id"),
        _rows(table, "s", "SectionVersion", "s.proposal_id = p.id", "saved_by_id"),
        _rows(table, "d", "ProposalDocument", "d.proposal_id = p.id"),
        _rows(table, "a", "StatementAcceptance", "a.proposal_id = p.id"),
        _rows(table, "r", "RequiredDocument", "r.opportunity_id = o.id"),
        _rows(table, "st", "Statement", "st.opportunity_id = o.id"),
        _rows(table, "ca", "Carrier", "ca.opportunity_id = o.id"),
    ]
    return (
        f"SELECT md5(concat_ws('|', {', '.join(parts)})) "  # noqa: S608
        f"FROM {table['Proposal']} p "
        f"JOIN {table['Opportunity']} o ON o.id = p.opportunity_id "
        f"JOIN {table['Mission']} m ON m.id = o.mission_id "
        f"JOIN {table['User']} pi ON pi.id = p.principal_investigator_id "
        f"LEFT JOIN {table['Carrier']} c ON c.id = p.carrier_id "
        "WHERE p.id = %s"
    )


def shown_in_editor(*, pk: int) -> str | None:
    """The digest for proposal `pk`; None on a database other than
    PostgreSQL, or for a proposal that does not exist. It tells nothing about
    who may see the proposal: the caller authorises, as for any read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_query(), [pk])
        row = cursor.fetchone()
    return None if row is None else row[0]
