"""The 0–1 integer programme, solved with PuLP and its bundled CBC."""

import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import pulp

from reviews.manifest.checks import (
    _limit,
    _request,
    _used,
)
from reviews.manifest.types import (
    _MIN_TIME_S,
    MAX_PLACES,
    SCORE_PLACES,
    Candidate,
    ManifestStatus,
    Resource,
)


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
        # CBC stopped by its time limit before its first solution may also say
        # "infeasible" (seen on a loaded machine with a limit of milliseconds):
        # only a verdict reached in time proves there is no selection.
        if time.perf_counter() >= deadline:
            return ManifestStatus.TIME_LIMIT, []
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
