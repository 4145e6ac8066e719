"""What goes in and comes out of the manifest recommendation, and its messages."""

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_PLACES = 4
MAX_PLACES = 6
TIME_LIMIT_S = 10.0
_MIN_TIME_S = 0.01

Number = Decimal | float | int


class ManifestStatus(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal")
    INFEASIBLE = "infeasible", _("Infeasible")
    TIME_LIMIT = "time_limit", _("Stopped at the time limit")


class Resource(models.TextChoices):
    MASS = "mass", _("Mass")
    POWER = "power", _("Power")
    DATA = "data", _("Data volume")


UNITS = {Resource.MASS: "kg", Resource.POWER: "W", Resource.DATA: _("MB per day")}
_FIELDS = {
    Resource.MASS: "mass_kg",
    Resource.POWER: "power_w",
    Resource.DATA: "data_mb_per_day",
}

_UNKNOWN_CARRIER = _("Asks for a carrier that is not part of this opportunity.")
_OVER_PAYLOAD_LIMIT = _(
    "Requests %(requested)s kg, more than the %(limit)s kg one payload may take "
    "on %(carrier)s."
)
_OVER_ENVELOPE = {
    Resource.MASS: _(
        "Requests %(requested)s kg of mass, more than %(carrier)s carries in all "
        "(%(limit)s kg)."
    ),
    Resource.POWER: _(
        "Requests %(requested)s W of power, more than %(carrier)s offers in all "
        "(%(limit)s W)."
    ),
    Resource.DATA: _(
        "Requests %(requested)s MB per day of data, more than %(carrier)s offers "
        "in all (%(limit)s MB per day)."
    ),
}
_PINS_OVER_COUNTRY_LIMIT = _(
    "%(count)s proposals from %(country)s are pinned in, more than the limit of "
    "%(limit)s per country."
)
_NO_SELECTION = _(
    "No selection satisfies every envelope and diversity limit together; relax the "
    "country limits or unpin proposals."
)
_STOPPED_WITH_SELECTION = _(
    "The solver stopped after %(seconds)s seconds; this selection fits but may not "
    "be the best."
)
_STOPPED_EMPTY = _(
    "The solver stopped after %(seconds)s seconds without finding a selection."
)
_PINS_OVER_ENVELOPE = {
    Resource.MASS: _(
        "The proposals pinned in on %(carrier)s need %(used)s kg of mass, more "
        "than its %(limit)s kg."
    ),
    Resource.POWER: _(
        "The proposals pinned in on %(carrier)s need %(used)s W of power, more "
        "than its %(limit)s W."
    ),
    Resource.DATA: _(
        "The proposals pinned in on %(carrier)s need %(used)s MB per day of data, "
        "more than its %(limit)s MB per day."
    ),
}


@dataclass(frozen=True)
class Candidate:
    """A proposal competing for a place, with its score and its resource requests.

    Ids must be unique and sortable (primary keys); a request of None counts as 0.
    """

    id: Hashable
    score: float
    carrier_id: Hashable
    country: str
    mass_kg: Number
    power_w: Number | None = None
    data_mb_per_day: Number | None = None
    label: str = ""


@dataclass(frozen=True)
class Envelope:
    """What one carrier offers all its payloads together; None means no limit."""

    carrier_id: Hashable
    name: str
    mass_kg: Number | None
    power_w: Number | None = None
    data_mb_per_day: Number | None = None
    max_payload_mass_kg: Number | None = None


@dataclass(frozen=True)
class Constraints:
    max_per_country: int | None = None
    min_countries: int | None = None
    pinned_in: frozenset = frozenset()
    pinned_out: frozenset = frozenset()

    def __post_init__(self):
        if self.max_per_country is not None and self.max_per_country < 1:
            msg = "max_per_country must be at least 1 (or None for no limit)."
            raise ValueError(msg)
        if self.min_countries is not None and self.min_countries < 0:
            msg = "min_countries cannot be negative."
            raise ValueError(msg)


@dataclass(frozen=True)
class ResourceUse:
    """One resource of one carrier: used and limit; slack and percent derive."""

    resource: Resource
    used: Decimal
    limit: Decimal | None

    @property
    def unit(self) -> str:
        return str(UNITS[self.resource])

    @property
    def slack(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.used

    @property
    def percent(self) -> float | None:
        """Share of the limit used, for a bar; None when the resource is unlimited."""
        if self.limit is None:
            return None
        return round(float(self.used / self.limit * 100), 1)


@dataclass(frozen=True)
class CarrierUsage:
    carrier_id: Hashable
    name: str
    payloads: int
    resources: tuple[ResourceUse, ...]


@dataclass(frozen=True)
class Ineligible:
    candidate_id: Hashable
    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """The recommendation.

    `selected` is ordered by descending score, then id. `usage` has one row per
    envelope in the order given; for an infeasible manifest it shows what the
    pinned-in proposals alone would use, so the bars show what overflows (percent
    above 100, negative slack). `message` explains any status but optimal.
    """

    status: ManifestStatus
    selected: tuple[Hashable, ...]
    total_score: float
    usage: tuple[CarrierUsage, ...]
    ineligible: tuple[Ineligible, ...]
    country_counts: tuple[tuple[str, int], ...]
    solve_time_s: float
    message: str = ""
    time_limit_hit: bool = False

    @property
    def is_optimal(self) -> bool:
        return self.status == ManifestStatus.OPTIMAL
