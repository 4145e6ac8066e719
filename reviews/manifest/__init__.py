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
from collections import Counter
from collections.abc import Sequence

from reviews.manifest.checks import (
    _check_unique,
    _decimal,
    _format,
    _ineligibility,
    _pins_contradict,
    _pins_overflow,
    _too_few_countries,
    _usage,
)
from reviews.manifest.solver import (
    _solve,
    _verify,
)
from reviews.manifest.types import (
    _NO_SELECTION,
    _STOPPED_EMPTY,
    _STOPPED_WITH_SELECTION,
    MAX_PLACES,
    SCORE_PLACES,
    TIME_LIMIT_S,
    Candidate,
    CarrierUsage,
    Constraints,
    Envelope,
    Ineligible,
    Manifest,
    ManifestStatus,
    Resource,
    ResourceUse,
)

__all__ = [
    "MAX_PLACES",
    "SCORE_PLACES",
    "TIME_LIMIT_S",
    "Candidate",
    "CarrierUsage",
    "Constraints",
    "Envelope",
    "Ineligible",
    "Manifest",
    "ManifestStatus",
    "Resource",
    "ResourceUse",
    "recommend_manifest",
]


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
