"""Load the seed data into the database, idempotently.

Natural keys: missions, calls and tables by slug, contacts by email; a call's
carriers by kind, its criteria and statements by order, its documents by stage
and order. A second run writes nothing; a run after an administrator edited a
seeded row puts the seed's values back; rows the seed does not name (calls,
carriers, criteria, contacts added by hand) are left alone, never deleted.
"""

from django.db import transaction

from catalogue.models import (
    Carrier,
    Contact,
    CooperationTable,
    EvaluationCriterion,
    Mission,
    Opportunity,
    RequiredDocument,
    Statement,
)
from catalogue.seed.calls import HISTORICAL_CALLS
from catalogue.seed.missions import CONTACTS, MISSIONS
from catalogue.seed.tables import COOPERATION_TABLES
from catalogue.seed.upsert import SeedReport, sync_row, tr

# Every optional field named, so that an administrator's change is undone.
CARRIER_DEFAULTS = {
    "max_payload_mass_kg": None,
    "power_w": None,
    "data_mb_per_day": None,
    "max_size_mm": "",
    **tr("notes", "", ""),
}
DOCUMENT_DEFAULTS = {
    **tr("description", "", ""),
    "is_mandatory": True,
    "page_limit": None,
    "max_size_mb": 20,
}


def load_contacts(*, report: SeedReport) -> list[Contact]:
    return [
        sync_row(
            Contact,
            lookup={"email": row["email"]},
            values={k: v for k, v in row.items() if k != "email"},
            report=report,
        )
        for row in CONTACTS
    ]


def load_missions(*, report: SeedReport) -> dict[str, Mission]:
    missions = {}
    for row in MISSIONS:
        values = {k: v for k, v in row.items() if k != "slug"}
        missions[row["slug"]] = sync_row(
            Mission, lookup={"slug": row["slug"]}, values=values, report=report
        )
    return missions


def load_call(
    spec: dict, *, mission: Mission, contacts: list[Contact], report: SeedReport
) -> Opportunity:
    """One call with its carriers, criteria, documents, statements and contacts.

    `spec["opportunity"]` carries the status among its values: the seed writes
    the status of a past or demonstration call as data (see calls.py and
    demo.py for why), it does not move a live call through its workflow.
    """
    opportunity = sync_row(
        Opportunity,
        lookup={"slug": spec["slug"]},
        values={"mission_id": mission.pk, **spec["opportunity"]},
        report=report,
    )
    for order, carrier in enumerate(spec.get("carriers", []), start=1):
        values = {**CARRIER_DEFAULTS, **carrier, "order": order}
        kind = values.pop("kind")
        sync_row(
            Carrier,
            lookup={"opportunity": opportunity, "kind": kind},
            values=values,
            report=report,
        )
    for order, criterion in enumerate(spec.get("criteria", []), start=1):
        sync_row(
            EvaluationCriterion,
            lookup={"opportunity": opportunity, "order": order},
            values={**tr("description", "", ""), **criterion},
            report=report,
        )
    for order, document in enumerate(spec.get("documents", []), start=1):
        values = {**DOCUMENT_DEFAULTS, **document}
        stage = values.pop("stage")
        sync_row(
            RequiredDocument,
            lookup={"opportunity": opportunity, "stage": stage, "order": order},
            values=values,
            report=report,
        )
    for order, statement in enumerate(spec.get("statements", []), start=1):
        sync_row(
            Statement,
            lookup={"opportunity": opportunity, "order": order},
            values=statement,
            report=report,
        )
    # add() leaves contacts an administrator added in place.
    opportunity.contacts.add(*contacts)
    return opportunity


def load_tables(*, report: SeedReport) -> None:
    for row in COOPERATION_TABLES:
        values = {k: v for k, v in row.items() if k != "slug"}
        sync_row(
            CooperationTable, lookup={"slug": row["slug"]}, values=values, report=report
        )


def catalogue_is_loaded() -> bool:
    slugs = [row["slug"] for row in MISSIONS]
    return Mission.objects.filter(slug__in=slugs).count() == len(slugs)


@transaction.atomic
def seed_catalogue() -> SeedReport:
    """Missions, contacts, the historical calls and the cooperation tables."""
    report = SeedReport()
    contacts = load_contacts(report=report)
    missions = load_missions(report=report)
    for spec in HISTORICAL_CALLS:
        load_call(
            spec, mission=missions[spec["mission"]], contacts=contacts, report=report
        )
    load_tables(report=report)
    return report
