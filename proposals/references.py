"""Reference numbers: <MISSION.code>-<YEAR>-<NNNN>, e.g. CE7-2026-0042.

YEAR is the year of the opportunity's proposal deadline in Beijing time; NNNN
counts per mission and year from 0001. A number is given on first submission,
kept for good (a withdrawn proposal keeps its number) and never given twice: the
counter row is locked with `select_for_update` while it is incremented, so
concurrent submissions queue on it.
"""

from zoneinfo import ZoneInfo

from django.db import transaction

from proposals.models import ReferenceCounter

BEIJING = ZoneInfo("Asia/Shanghai")


def reference_year(opportunity) -> int:
    return opportunity.proposal_deadline.astimezone(BEIJING).year


def format_reference(*, code: str, year: int, number: int) -> str:
    return f"{code}-{year}-{number:04d}"


def next_reference(*, opportunity) -> str:
    """Take the next number of the opportunity's mission and year. Must run in
    the transaction that stores it, so a rolled-back submission gives it back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference must run inside a transaction.")
    mission = opportunity.mission
    year = reference_year(opportunity)
    # get_or_create survives a concurrent first insert: the loser re-reads the row.
    ReferenceCounter.objects.get_or_create(mission=mission, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(
        mission=mission, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return format_reference(code=mission.code, year=year, number=counter.last_number)
