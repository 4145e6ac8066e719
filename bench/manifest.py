"""Manifest recommendation at scale: solve time for 500 candidate proposals.

Seeded random requests within 0.05–20 kg, 1–60 W and 1–2000 MB per day from 40
countries (a few countries send most proposals), on three carriers: a 200 kg
lander, a 15 kg orbiter and a 30 kg rover. Two families of requests:

- realistic: power grows with mass (1.5–4 W per kg plus a base), data volumes are
  log-normal (most payloads send little, a few a lot);
- stress: power and data drawn uniformly and independently of mass, so that all
  three resources bind at once on every carrier (the hardest case for the solver).

Each is solved without limits, with diversity limits (at most 3 per country, at
least 10 countries) and with diversity limits and pins. The requirement is an
answer within 2 seconds. No database: the solver is plain Python. Prints one JSON
object.
"""

import json
import random
import statistics
import sys
from decimal import Decimal
from pathlib import Path

CANDIDATES = 500
RUNS = 5
SEED = 2026
COUNTRIES = [
    "AE", "AR", "AT", "AU", "BE", "BR", "CA", "CH", "CL", "CN", "CZ", "DE", "DK", "EG",
    "ES", "ET", "FI", "FR", "GB", "GR", "HU", "ID", "IN", "IT", "JP", "KR", "MX", "NG",
    "NL", "NO", "NZ", "PK", "PL", "PT", "RU", "SA", "SE", "TH", "TR", "ZA",
]  # fmt: skip
# carrier: (share of proposals, median mass kg, envelope kg, W, MB/day, kg per payload)
CARRIERS = {
    "lander": (6, 4.0, 200, 500, 20000, 20),
    "orbiter": (3, 1.5, 15, 50, 8000, 5),
    "rover": (1, 2.5, 30, 90, 2000, 10),
}
STRESS_POWER_W = {"lander": 400, "orbiter": 120, "rover": 90}


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _instance(family: str):
    from reviews.manifest import Candidate, Envelope  # noqa: PLC0415

    rng = random.Random(SEED)
    envelopes = [
        Envelope(
            carrier_id=name,
            name=name.title(),
            mass_kg=Decimal(mass),
            power_w=Decimal(STRESS_POWER_W[name] if family == "stress" else power),
            data_mb_per_day=Decimal(data),
            max_payload_mass_kg=Decimal(per_payload),
        )
        for name, (_, _, mass, power, data, per_payload) in CARRIERS.items()
    ]
    country_weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    candidates = []
    for pk in range(1, CANDIDATES + 1):
        carrier = rng.choices(list(CARRIERS), [c[0] for c in CARRIERS.values()])[0]
        mass = _clip(rng.lognormvariate(0, 0.9) * CARRIERS[carrier][1], 0.05, 20)
        if family == "stress":
            power, data = rng.uniform(1, 60), rng.uniform(1, 2000)
        else:
            power = _clip(mass * rng.uniform(1.5, 4) + rng.uniform(0.5, 3), 1, 60)
            data = _clip(rng.lognormvariate(5, 1.2), 1, 2000)
        candidates.append(
            Candidate(
                id=pk,
                score=round(rng.uniform(1.5, 5.0), 3),
                carrier_id=carrier,
                country=rng.choices(COUNTRIES, weights=country_weights)[0],
                mass_kg=Decimal(f"{mass:.3f}"),
                power_w=Decimal(f"{power:.1f}"),
                data_mb_per_day=Decimal(f"{data:.1f}"),
                label=f"P-{pk:04d}",
            )
        )
    return candidates, envelopes


def _measure(candidates, envelopes, constraints) -> dict:
    from reviews.manifest import recommend_manifest  # noqa: PLC0415

    manifests = [
        recommend_manifest(
            candidates=candidates, envelopes=envelopes, constraints=constraints
        )
        for _ in range(RUNS)
    ]
    times = [manifest.solve_time_s for manifest in manifests]
    last = manifests[-1]
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "status": str(last.status),
        "selected": len(last.selected),
        "countries": len(last.country_counts),
        "ineligible": len(last.ineligible),
        "total_score": round(last.total_score, 3),
        "same_answer_every_run": len({m.selected for m in manifests}) == 1,
    }


def main() -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from django.conf import settings  # noqa: PLC0415

    if not settings.configured:
        # Messages only: no apps, no database, untranslated.
        settings.configure(USE_I18N=False)
    from reviews.manifest import Constraints  # noqa: PLC0415

    diverse = {"max_per_country": 3, "min_countries": 10}
    pins = {
        "pinned_in": frozenset({7, 21, 42}),
        "pinned_out": frozenset({1, 2, 3}),
    }
    scenarios = {
        "envelopes_only": Constraints(),
        "diversity": Constraints(**diverse),
        "diversity_and_pins": Constraints(**diverse, **pins),
    }
    results = {}
    for family in ("realistic", "stress"):
        candidates, envelopes = _instance(family)
        results[family] = {
            name: _measure(candidates, envelopes, constraints)
            for name, constraints in scenarios.items()
        }
    return {
        "bench": "manifest",
        "candidates": CANDIDATES,
        "carriers": len(CARRIERS),
        "countries": len(COUNTRIES),
        "runs": RUNS,
        "target_s": 2,
        "results": results,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
