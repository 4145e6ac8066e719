"""The manifest recommendation: which proposals to fly within the carriers' envelopes.

For one opportunity, `recommend_manifest` chooses the set of candidate proposals with
the highest total score whose summed mass, power and data requests fit every
carrier's envelope, optionally with diversity limits (at most N payloads per
country, at least M countries) and with proposals pinned in or out by an
administrator. It is solved exactly as a 0–1 integer programme with PuLP and the
CBC solver bundled with it.

Exactness: every request and limit is turned into an integer (requests rounded up,
limits rounded down, at most `MAX_PLACES` decimal places, which is exact for the
catalogue's three and one decimal places), and scores are compared to
`SCORE_PLACES` decimal places. Among selections with the same total score the one
whose proposals come first in id order wins: proposal k of n (by id) adds a
tie-break of n − k, and the score is multiplied by more than the sum of all
tie-breaks, so the tie-break never outweighs a score difference. The result is
checked again with exact decimal arithmetic before it is returned.

A candidate whose own request exceeds its carrier's limit for one payload, or the
carrier's whole envelope, is ineligible and listed with the reasons. Resources
without a limit (None) are not constrained. A candidate without a country counts
towards the per-country limit as one group but not towards the minimum number of
countries.

Speed: carriers that no per-country limit ties together are solved as separate
programmes, and the minimum number of countries is only imposed if the optimum
without it has too few (see `_solve`). CBC runs with a time limit; when it is hit
the status says so and the best selection found is returned.

Plain Python: no database access, no models. The review admin builds `Candidate`
and `Envelope` rows from proposals and carriers and shows the `Manifest`.
"""

import math
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import pulp
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

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


def recommend_manifest(
    *,
    candidates: Sequence[Candidate],
    envelopes: Sequence[Envelope],
    constraints: Constraints | None = None,
    time_limit_s: float = TIME_LIMIT_S,
) -> Manifest:
    """Return the best selection of candidates that fits every envelope."""
    started = time.perf_counter()
    constraints = constraints or Constraints()
    _check_unique(candidates, envelopes)
    by_carrier = {envelope.carrier_id: envelope for envelope in envelopes}
    ineligible = tuple(
        Ineligible(candidate.id, candidate.label, reasons)
        for candidate in candidates
        if (reasons := _ineligibility(candidate, by_carrier.get(candidate.carrier_id)))
    )
    excluded = {row.candidate_id for row in ineligible}
    left_out = excluded | constraints.pinned_out
    pool = [c for c in candidates if c.id not in left_out]
    pinned = [
        c
        for c in candidates
        if c.id in constraints.pinned_in and c.carrier_id in by_carrier
    ]
    message = (
        _pins_contradict(candidates, by_carrier, excluded, constraints)
        or _pins_overflow(pinned, by_carrier, constraints)
        or _too_few_countries(pool, constraints)
    )
    if message:
        status, chosen = ManifestStatus.INFEASIBLE, pinned
    else:
        status, chosen = _solve(pool, by_carrier, constraints, time_limit_s)
    if status == ManifestStatus.INFEASIBLE:
        chosen, message = pinned, message or str(_NO_SELECTION)
    elif chosen or status == ManifestStatus.OPTIMAL:
        _verify(chosen, by_carrier, constraints)
    if status == ManifestStatus.TIME_LIMIT:
        template = _STOPPED_WITH_SELECTION if chosen else _STOPPED_EMPTY
        message = template % {"seconds": _format(_decimal(time_limit_s))}
    selected = (
        []
        if status == ManifestStatus.INFEASIBLE
        else sorted(chosen, key=lambda c: (-c.score, c.id))
    )
    return Manifest(
        status=status,
        selected=tuple(c.id for c in selected),
        total_score=math.fsum(c.score for c in selected),
        usage=tuple(_usage(envelope, chosen) for envelope in envelopes),
        ineligible=ineligible,
        country_counts=tuple(sorted(Counter(c.country for c in selected).items())),
        solve_time_s=round(time.perf_counter() - started, 4),
        message=message,
        time_limit_hit=status == ManifestStatus.TIME_LIMIT,
    )


def _check_unique(candidates, envelopes) -> None:
    for kind, ids in (
        ("candidate", [c.id for c in candidates]),
        ("carrier", [e.carrier_id for e in envelopes]),
    ):
        duplicates = [key for key, count in Counter(ids).items() if count > 1]
        if duplicates:
            msg = f"Duplicate {kind} ids: {duplicates!r}."
            raise ValueError(msg)


def _decimal(value: Number | None) -> Decimal:
    if value is None:
        return Decimal(0)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0:
        msg = f"A resource figure must be a finite, non-negative number, not {value!r}."
        raise ValueError(msg)
    return number


def _limit(envelope: Envelope, resource: Resource) -> Decimal | None:
    value = getattr(envelope, _FIELDS[resource])
    return None if value is None else _decimal(value)


def _request(candidate: Candidate, resource: Resource) -> Decimal:
    return _decimal(getattr(candidate, _FIELDS[resource]))


def _used(chosen, envelope: Envelope, resource: Resource) -> Decimal:
    on_carrier = (c for c in chosen if c.carrier_id == envelope.carrier_id)
    return sum((_request(c, resource) for c in on_carrier), Decimal(0))


def _usage(envelope: Envelope, chosen) -> CarrierUsage:
    return CarrierUsage(
        carrier_id=envelope.carrier_id,
        name=envelope.name,
        payloads=sum(c.carrier_id == envelope.carrier_id for c in chosen),
        resources=tuple(
            ResourceUse(
                resource=resource,
                used=_used(chosen, envelope, resource),
                limit=_limit(envelope, resource),
            )
            for resource in Resource
        ),
    )


def _format(number: Decimal) -> str:
    """212.500 → "212.5", 2E+2 → "200": figures in messages without noise."""
    return f"{number.normalize():f}"


def _country_name(code: str) -> str:
    return str(countries.name(code) or code) if code else str(_("no country"))


def _ineligibility(candidate: Candidate, envelope: Envelope | None) -> tuple[str, ...]:
    if envelope is None:
        return (str(_UNKNOWN_CARRIER),)
    reasons = []
    mass = _request(candidate, Resource.MASS)
    per_payload = _decimal(envelope.max_payload_mass_kg)
    if envelope.max_payload_mass_kg is not None and mass > per_payload:
        reasons.append(
            _OVER_PAYLOAD_LIMIT
            % {
                "requested": _format(mass),
                "limit": _format(per_payload),
                "carrier": envelope.name,
            }
        )
    for resource in Resource:
        limit = _limit(envelope, resource)
        requested = _request(candidate, resource)
        if limit is not None and requested > limit:
            reasons.append(
                _OVER_ENVELOPE[resource]
                % {
                    "requested": _format(requested),
                    "limit": _format(limit),
                    "carrier": envelope.name,
                }
            )
    return tuple(reasons)


def _pins_contradict(candidates, by_carrier, excluded, constraints) -> str:
    labels = {c.id: c.label or str(c.id) for c in candidates}
    both = sorted(constraints.pinned_in & constraints.pinned_out, key=str)
    if both:
        return _("Proposal %(label)s is pinned both in and out.") % {
            "label": labels.get(both[0], str(both[0]))
        }
    unknown = sorted(constraints.pinned_in - labels.keys(), key=str)
    if unknown:
        return _("Proposal %(label)s is pinned in but is not among the candidates.") % {
            "label": str(unknown[0])
        }
    for candidate in candidates:
        if candidate.id in constraints.pinned_in and candidate.id in excluded:
            reasons = _ineligibility(candidate, by_carrier.get(candidate.carrier_id))
            return _("Proposal %(label)s is pinned in but cannot fly: %(reason)s") % {
                "label": labels[candidate.id],
                "reason": " ".join(reasons),
            }
    return ""


def _pins_overflow(pinned, by_carrier, constraints) -> str:
    for envelope in by_carrier.values():
        for resource in Resource:
            limit = _limit(envelope, resource)
            used = _used(pinned, envelope, resource)
            if limit is not None and used > limit:
                return _PINS_OVER_ENVELOPE[resource] % {
                    "carrier": envelope.name,
                    "used": _format(used),
                    "limit": _format(limit),
                }
    limit = constraints.max_per_country
    for country, count in sorted(Counter(c.country for c in pinned).items()):
        if limit is not None and count > limit:
            return _PINS_OVER_COUNTRY_LIMIT % {
                "count": count,
                "country": _country_name(country),
                "limit": limit,
            }
    return ""


def _too_few_countries(pool, constraints) -> str:
    available = len({c.country for c in pool if c.country})
    if not constraints.min_countries or available >= constraints.min_countries:
        return ""
    return ngettext(
        "Only %(count)s country has eligible proposals, fewer than the "
        "%(minimum)s the diversity limit requires.",
        "Only %(count)s countries have eligible proposals, fewer than the "
        "%(minimum)s the diversity limit requires.",
        available,
    ) % {"count": available, "minimum": constraints.min_countries}


def _scaled(value: Decimal, scale: int, rounding: str) -> int:
    return int((value * scale).to_integral_value(rounding=rounding))


def _objective_weights(pool: Sequence[Candidate]) -> dict[Hashable, int]:
    """Integer weights: the score first, then a tie-break favouring lower ids."""
    ordered = sorted(pool, key=lambda c: c.id)
    size = len(ordered)
    multiplier = size * (size + 1) // 2 + 1
    weights = {}
    for rank, candidate in enumerate(ordered):
        score = Decimal(repr(float(candidate.score)))
        units = _scaled(score, 10**SCORE_PLACES, ROUND_HALF_EVEN)
        weights[candidate.id] = units * multiplier + (size - rank)
    return weights


def _add_envelopes(problem, choose, pool, by_carrier) -> None:
    """Σ request · x ≤ limit for each carrier and limited resource, in integers."""
    for envelope in by_carrier.values():
        on_carrier = [c for c in pool if c.carrier_id == envelope.carrier_id]
        for resource in Resource:
            limit = _limit(envelope, resource)
            if limit is None or not on_carrier:
                continue
            requests = [_request(c, resource) for c in on_carrier]
            places = max(-int(v.normalize().as_tuple().exponent) for v in requests)
            scale = 10 ** min(max(places, 0), MAX_PLACES)
            coefficients = [_scaled(r, scale, ROUND_CEILING) for r in requests]
            capacity = _scaled(limit, scale, ROUND_FLOOR)
            if sum(coefficients) > capacity:
                terms = zip(on_carrier, coefficients, strict=True)
                problem += (
                    pulp.LpAffineExpression([(choose[c.id], n) for c, n in terms if n])
                    <= capacity
                )


def _add_diversity(problem, choose, pool, constraints, *, min_countries) -> None:
    by_country = defaultdict(list)
    for candidate in pool:
        by_country[candidate.country].append(choose[candidate.id])
    limit = constraints.max_per_country
    for variables in by_country.values():
        if limit is not None and len(variables) > limit:
            problem += pulp.lpSum(variables) <= limit
    if min_countries:
        represented = []
        for index, (country, variables) in enumerate(sorted(by_country.items())):
            if country:
                flag = problem.add_variable(f"c{index}", 0, 1, cat=pulp.LpInteger)
                problem += flag <= pulp.lpSum(variables)
                represented.append(flag)
        problem += pulp.lpSum(represented) >= min_countries


def _components(pool, constraints) -> list[list[Candidate]]:
    """Group the carriers that a per-country limit ties together.

    Without such a tie, carriers are independent problems, and solving them one
    by one is far faster than solving them as one (a branch-and-bound tree over
    several independent knapsacks grows like the product of their trees).
    """
    group = {c.carrier_id: c.carrier_id for c in pool}

    def root(carrier_id):
        while group[carrier_id] != carrier_id:
            carrier_id = group[carrier_id]
        return carrier_id

    if constraints.max_per_country is not None:
        by_country = defaultdict(list)
        for candidate in pool:
            by_country[candidate.country].append(candidate.carrier_id)
        for carriers in by_country.values():
            if len(carriers) > constraints.max_per_country:
                for carrier_id in carriers[1:]:
                    group[root(carrier_id)] = root(carriers[0])
    components = defaultdict(list)
    for candidate in pool:
        components[root(candidate.carrier_id)].append(candidate)
    return list(components.values())


def _solve(pool, by_carrier, constraints, time_limit_s):
    """Solve exactly; return (status, chosen candidates).

    First each independent group of carriers without the minimum number of
    countries; only if that optimum has too few countries, the whole problem with
    it (an optimum of the looser problem that meets the tighter one is its optimum).
    """
    deadline = time.perf_counter() + time_limit_s
    weights = _objective_weights(pool)
    status, chosen = ManifestStatus.OPTIMAL, []
    for component in _components(pool, constraints):
        part_status, part = _solve_model(
            component,
            by_carrier,
            weights,
            constraints,
            min_countries=None,
            deadline=deadline,
        )
        if part_status == ManifestStatus.INFEASIBLE or (
            part_status == ManifestStatus.TIME_LIMIT and not part
        ):
            return part_status, []
        status = max(status, part_status, key=_SEVERITY.index)
        chosen += part
    countries_chosen = len({c.country for c in chosen if c.country})
    if constraints.min_countries and countries_chosen < constraints.min_countries:
        return _solve_model(
            pool,
            by_carrier,
            weights,
            constraints,
            min_countries=constraints.min_countries,
            deadline=deadline,
        )
    return status, chosen


_SEVERITY = [ManifestStatus.OPTIMAL, ManifestStatus.TIME_LIMIT]


def _solve_model(pool, by_carrier, weights, constraints, *, min_countries, deadline):
    """Build and solve one integer programme with CBC."""
    if not pool:
        return ManifestStatus.OPTIMAL, []
    problem = pulp.LpProblem("manifest", pulp.LpMaximize)
    choose = {
        candidate.id: problem.add_variable(
            f"x{index}",
            lowBound=1 if candidate.id in constraints.pinned_in else 0,
            upBound=1,
            cat=pulp.LpInteger,
        )
        for index, candidate in enumerate(pool)
    }
    problem += pulp.LpAffineExpression([(choose[c.id], weights[c.id]) for c in pool])
    _add_envelopes(problem, choose, pool, by_carrier)
    _add_diversity(problem, choose, pool, constraints, min_countries=min_countries)
    # The objective is integral, so a gap below one unit proves optimality.
    time_limit_s = max(deadline - time.perf_counter(), _MIN_TIME_S)
    # The CBC that PuLP 3 bundles, through the interface that PuLP 4 keeps.
    solver = pulp.COIN_CMD(
        path=pulp.PULP_CBC_CMD.pulp_cbc_path,
        msg=False,
        timeLimit=time_limit_s,
        gapRel=0,
        gapAbs=0.5,
    )
    problem.solve(solver)
    chosen = [c for c in pool if round(choose[c.id].value() or 0) == 1]
    if problem.status == pulp.LpStatusInfeasible:
        return ManifestStatus.INFEASIBLE, []
    if problem.sol_status == pulp.LpSolutionOptimal:
        return ManifestStatus.OPTIMAL, chosen
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return ManifestStatus.TIME_LIMIT, chosen
    if problem.status == pulp.LpStatusNotSolved:
        return ManifestStatus.TIME_LIMIT, []
    msg = f"CBC ended with status {pulp.LpStatus[problem.status]}."
    raise RuntimeError(msg)


def _verify(chosen, by_carrier, constraints) -> None:
    """Check the solver's answer with exact arithmetic; a failure is a bug here."""
    ids = {c.id for c in chosen}
    per_country = Counter(c.country for c in chosen)
    fits = all(
        _used(chosen, envelope, resource) <= limit
        for envelope in by_carrier.values()
        for resource in Resource
        if (limit := _limit(envelope, resource)) is not None
    )
    valid = (
        fits
        and constraints.pinned_in <= ids
        and not ids & constraints.pinned_out
        and max(per_country.values(), default=0)
        <= (constraints.max_per_country or len(ids))
        and len([c for c in per_country if c]) >= (constraints.min_countries or 0)
    )
    if not valid:
        msg = "The solver returned a manifest that breaks its own constraints."
        raise RuntimeError(msg)
