"""Write a seed row only when it differs from the data, and count what changed.

`sync_row` is `update_or_create` that saves nothing when the row already holds the
seed's values: a second run writes no row, no history record and no `updated_at`.
"""

from collections import Counter
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# Deadlines of CNSA calls are given in Beijing time; this is a fact of the data,
# not a setting, so it is named here rather than read from TIME_ZONE.
BEIJING = ZoneInfo("Asia/Shanghai")
SEED_REASON = "Loaded by the seed"

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


def tr(field: str, en: Any, zh_hans: Any) -> dict[str, Any]:
    """The English and Simplified Chinese columns of a translated field."""
    return {f"{field}_en": en, f"{field}_zh_hans": zh_hans}


def beijing(day: date, at: time = time(0, 0)) -> datetime:
    """A moment in Beijing time (stored in UTC by Django)."""
    return datetime.combine(day, at, tzinfo=BEIJING)


def beijing_end_of_day(day: date) -> datetime:
    """23:59 Beijing time: the deadline of a call that only gives a date."""
    return beijing(day, time(23, 59))


class SeedReport:
    """How many rows of each model the seed created, updated or left alone."""

    def __init__(self) -> None:
        self.counts: dict[type[models.Model], Counter] = {}

    def record(self, model: type[models.Model], state: str) -> None:
        self.counts.setdefault(model, Counter())[state] += 1

    @property
    def changed(self) -> int:
        return sum(c[CREATED] + c[UPDATED] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            _("%(rows)s: %(total)d (%(created)d created, %(updated)d updated)")
            % {
                "rows": capfirst(model._meta.verbose_name_plural),
                "total": sum(counter.values()),
                "created": counter[CREATED],
                "updated": counter[UPDATED],
            }
            for model, counter in self.counts.items()
        ]


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    return getattr(obj, name) != value


def sync_row(
    model: type[models.Model],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: SeedReport | None = None,
) -> models.Model:
    """Find the row by its natural key and give it the seed's values.

    Creates the row when missing; when it exists, saves only if a value differs
    (restoring what an administrator changed in a seeded row). Rows the seed does
    not name are never touched.
    """
    obj = model.objects.filter(**lookup).order_by("pk").first()
    if obj is None:
        obj = model(**lookup, **values)
        state = CREATED
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        for name in changed:
            setattr(obj, name, values[name])
        state = UPDATED if changed else UNCHANGED
    if state != UNCHANGED:
        obj._change_reason = SEED_REASON  # read by django-simple-history
        obj.save()
    if report is not None:
        report.record(model, state)
    return obj
