import itertools
import random
from decimal import Decimal

import pytest

from reviews.manifest import (
    SCORE_PLACES,
    Candidate,
    Constraints,
    Envelope,
    ManifestStatus,
    Resource,
    recommend_manifest,
)

COUNTRIES = ["CN", "FR", "DE", "BR", ""]
MILLI = 1000  # every figure the random instances use has at most 3 decimals


def _units(value) -> int:
    """An exact integer in thousandths, for the brute force's sums."""
    scaled = Decimal(value or 0) * MILLI
    assert scaled == scaled.to_integral_value()
    return int(scaled)


def _fits_alone(candidate, envelope) -> bool:
    per_payload = envelope.max_payload_mass_kg
    if per_payload is not None and _units(candidate.mass_kg) > _units(per_payload):
        return False
    return all(
        limit is None or _units(request) <= _units(limit)
        for request, limit in (
            (candidate.mass_kg, envelope.mass_kg),
            (candidate.power_w, envelope.power_w),
            (candidate.data_mb_per_day, envelope.data_mb_per_day),
        )
    )


def brute_force(candidates, envelopes, constraints):
    """Every subset, checked exactly: the best key, the sets that reach it, and the
    key function, which scores any set of ids.

    The key mirrors the module's documented objective: the scores to SCORE_PLACES
    decimals, then, among equal scores, Σ (n − k) over the chosen proposals, where
    k is a proposal's position by id among the n that may be chosen.
    """
    by_carrier = {e.carrier_id: e for e in envelopes}
    pool = sorted(
        (
            c
            for c in candidates
            if c.carrier_id in by_carrier
            and _fits_alone(c, by_carrier[c.carrier_id])
            and c.id not in constraints.pinned_out
        ),
        key=lambda c: c.id,
    )
    tie = {c.id: len(pool) - k for k, c in enumerate(pool)}
    score = {c.id: round(c.score * 10**SCORE_PLACES) for c in pool}

    def key_of(ids):
        return (sum(score[pk] for pk in ids), sum(tie[pk] for pk in ids))

    pinned = [c for c in pool if c.id in constraints.pinned_in]
    free = [c for c in pool if c.id not in constraints.pinned_in]
    if len(pinned) < len(constraints.pinned_in):
        return None, [], key_of
    best_key, best_sets = None, []
    for size in range(len(free) + 1):
        for extra in itertools.combinations(free, size):
            chosen = pinned + list(extra)
            if not _feasible(chosen, by_carrier, constraints):
                continue
            ids = frozenset(c.id for c in chosen)
            key = key_of(ids)
            if best_key is None or key > best_key:
                best_key, best_sets = key, [ids]
            elif key == best_key:
                best_sets.append(ids)
    return best_key, best_sets, key_of


def _feasible(chosen, by_carrier, constraints) -> bool:
    for carrier_id, envelope in by_carrier.items():
        on_carrier = [c for c in chosen if c.carrier_id == carrier_id]
        for field in ("mass_kg", "power_w", "data_mb_per_day"):
            limit = getattr(envelope, field)
            used = sum(_units(getattr(c, field)) for c in on_carrier)
            if limit is not None and used > _units(limit):
                return False
    countries = [c.country for c in chosen]
    if constraints.max_per_country is not None and any(
        countries.count(country) > constraints.max_per_country for country in countries
    ):
        return False
    return len({c for c in countries if c}) >= (constraints.min_countries or 0)


def _random_instance(rng):
    def figure(low, high, places):
        return Decimal(f"{rng.uniform(low, high):.{places}f}")

    envelopes = []
    for index in range(rng.randint(1, 2)):
        mass = figure(6, 30, 3)
        envelopes.append(
            Envelope(
                carrier_id=f"carrier-{index}",
                name=f"Carrier {index}",
                mass_kg=mass,
                power_w=rng.choice([None, figure(10, 80, 1)]),
                data_mb_per_day=rng.choice([None, figure(100, 3000, 1)]),
                max_payload_mass_kg=rng.choice([None, (mass * 6 / 10).quantize(mass)]),
            )
        )
    # Half the instances draw scores from a few values, so that ties are common.
    few_scores = rng.random() < 0.5
    candidates = [
        Candidate(
            id=pk,
            score=rng.choice([2.0, 3.0, 3.5, 4.0])
            if few_scores
            else round(rng.uniform(1, 5), 4),
            carrier_id=rng.choice(envelopes).carrier_id,
            country=rng.choice(COUNTRIES),
            mass_kg=figure(0.05, 10, 3),
            power_w=rng.choice([None, figure(1, 30, 1)]),
            data_mb_per_day=rng.choice([None, figure(1, 1500, 1)]),
            label=f"P-{pk}",
        )
        for pk in rng.sample(range(1, 100), rng.randint(8, 12))
    ]
    ids = [c.id for c in candidates]
    pinned_in = frozenset(rng.sample(ids, rng.choice([0, 0, 1, 2])))
    pinned_out = frozenset(
        rng.sample([i for i in ids if i not in pinned_in], rng.choice([0, 1, 2]))
    )
    diverse = rng.random() < 0.5
    constraints = Constraints(
        max_per_country=rng.randint(1, 3) if diverse else None,
        min_countries=rng.randint(0, 3) if diverse else None,
        pinned_in=pinned_in,
        pinned_out=pinned_out,
    )
    return candidates, envelopes, constraints


@pytest.mark.parametrize("seed", range(20))
def test_recommend_manifest_equals_brute_force_on_random_instances(seed):
    rng = random.Random(seed)
    for _ in range(10):
        candidates, envelopes, constraints = _random_instance(rng)
        best_key, best_sets, key_of = brute_force(candidates, envelopes, constraints)

        manifest = recommend_manifest(
            candidates=candidates, envelopes=envelopes, constraints=constraints
        )

        if best_key is None:
            assert manifest.status == ManifestStatus.INFEASIBLE
            assert manifest.selected == ()
            assert manifest.message != ""
            continue
        assert manifest.status == ManifestStatus.OPTIMAL
        assert key_of(manifest.selected) == best_key
        assert frozenset(manifest.selected) in best_sets
        assert constraints.pinned_in <= set(manifest.selected)
        assert not constraints.pinned_out & set(manifest.selected)
        for usage in manifest.usage:
            for use in usage.resources:
                assert use.limit is None or use.used <= use.limit


def _lander(**overrides):
    figures = {
        "mass_kg": Decimal("200.000"),
        "power_w": Decimal("40.0"),
        "data_mb_per_day": None,
        "max_payload_mass_kg": Decimal("150.000"),
    }
    return Envelope(carrier_id=1, name="Lander", **(figures | overrides))


def _candidate(pk, score, mass, *, power=0, data=0, country="FR", carrier=1):
    return Candidate(
        id=pk,
        score=score,
        carrier_id=carrier,
        country=country,
        mass_kg=Decimal(mass),
        power_w=Decimal(power),
        data_mb_per_day=Decimal(data),
        label=f"P-{pk}",
    )


def test_recommend_manifest_takes_the_best_combination_not_the_best_proposal():
    candidates = [
        _candidate(1, 5.0, "150"),
        _candidate(2, 4.0, "100"),
        _candidate(3, 3.5, "100"),
    ]

    manifest = recommend_manifest(candidates=candidates, envelopes=[_lander()])

    assert manifest.status == ManifestStatus.OPTIMAL
    assert manifest.selected == (2, 3)
    assert manifest.total_score == 7.5
    assert manifest.message == ""


def test_recommend_manifest_reports_usage_and_slack_per_resource():
    candidates = [
        _candidate(1, 4.0, "120.5", power="12.5", data="300"),
        _candidate(2, 3.0, "60.25", power="10", data="1700"),
    ]

    manifest = recommend_manifest(candidates=candidates, envelopes=[_lander()])

    (usage,) = manifest.usage
    mass, power, data = usage.resources
    assert usage.payloads == 2
    assert (mass.resource, mass.used, mass.slack, mass.percent, mass.unit) == (
        Resource.MASS,
        Decimal("180.75"),
        Decimal("19.25"),
        90.4,
        "kg",
    )
    assert (power.used, power.limit, power.slack, power.percent) == (
        Decimal("22.5"),
        Decimal(40),
        Decimal("17.5"),
        56.2,
    )
    assert (data.used, data.limit, data.slack, data.percent) == (
        Decimal(2000),
        None,
        None,
        None,
    )


def test_recommend_manifest_leaves_unlimited_resources_unconstrained():
    candidates = [_candidate(pk, 4.0, "1", data="900000") for pk in range(1, 4)]

    manifest = recommend_manifest(candidates=candidates, envelopes=[_lander()])

    assert manifest.selected == (1, 2, 3)


def test_recommend_manifest_lists_ineligible_candidates_with_reasons():
    candidates = [
        _candidate(1, 5.0, "160"),
        _candidate(2, 4.0, "10", power="55"),
        _candidate(3, 3.0, "10", carrier=99),
        _candidate(4, 2.0, "10"),
    ]

    manifest = recommend_manifest(candidates=candidates, envelopes=[_lander()])

    assert manifest.selected == (4,)
    assert [(row.candidate_id, row.reasons) for row in manifest.ineligible] == [
        (1, ("Requests 160 kg, more than the 150 kg one payload may take on Lander.",)),
        (
            2,
            ("Requests 55 W of power, more than Lander offers in all (40 W).",),
        ),
        (3, ("Asks for a carrier that is not part of this opportunity.",)),
    ]


def test_recommend_manifest_keeps_pinned_in_and_drops_pinned_out():
    candidates = [
        _candidate(1, 5.0, "100"),
        _candidate(2, 4.0, "100"),
        _candidate(3, 1.0, "90"),
    ]
    constraints = Constraints(pinned_in=frozenset({3}), pinned_out=frozenset({1}))

    manifest = recommend_manifest(
        candidates=candidates, envelopes=[_lander()], constraints=constraints
    )

    assert manifest.status == ManifestStatus.OPTIMAL
    assert manifest.selected == (2, 3)


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        (
            Constraints(pinned_in=frozenset({1, 2})),
            "The proposals pinned in on Lander need 220 kg of mass, more than its "
            "200 kg.",
        ),
        (
            Constraints(pinned_in=frozenset({1, 3}), max_per_country=1),
            "2 proposals from France are pinned in, more than the limit of 1 per "
            "country.",
        ),
        (
            Constraints(min_countries=3),
            "Only 2 countries have eligible proposals, fewer than the 3 the "
            "diversity limit requires.",
        ),
        (
            Constraints(pinned_in=frozenset({1}), pinned_out=frozenset({1})),
            "Proposal P-1 is pinned both in and out.",
        ),
        (
            Constraints(pinned_in=frozenset({42})),
            "Proposal 42 is pinned in but is not among the candidates.",
        ),
        (
            Constraints(pinned_in=frozenset({4})),
            "Proposal P-4 is pinned in but cannot fly: Requests 151 kg, more than "
            "the 150 kg one payload may take on Lander.",
        ),
        (
            Constraints(max_per_country=1, min_countries=2),
            "No selection satisfies every envelope and diversity limit together; "
            "relax the country limits or unpin proposals.",
        ),
    ],
)
def test_recommend_manifest_explains_why_it_is_infeasible(constraints, message):
    candidates = [
        _candidate(1, 4.5, "100", country="FR"),
        _candidate(2, 4.0, "120", country="DE"),
        _candidate(3, 3.0, "90", country="FR"),
        _candidate(4, 2.0, "151", country="FR"),
    ]

    manifest = recommend_manifest(
        candidates=candidates, envelopes=[_lander()], constraints=constraints
    )

    assert manifest.status == ManifestStatus.INFEASIBLE
    assert manifest.message == message
    assert manifest.selected == ()


def test_recommend_manifest_shows_the_pins_overflow_in_the_usage():
    candidates = [_candidate(1, 4.5, "100"), _candidate(2, 4.0, "120")]
    constraints = Constraints(pinned_in=frozenset({1, 2}))

    manifest = recommend_manifest(
        candidates=candidates, envelopes=[_lander()], constraints=constraints
    )

    mass = manifest.usage[0].resources[0]
    assert (mass.used, mass.slack, mass.percent) == (Decimal(220), Decimal(-20), 110.0)


def test_recommend_manifest_prefers_lower_ids_between_equal_scores():
    candidates = [_candidate(pk, 3.0, "60") for pk in (7, 3, 9, 5)]

    manifest = recommend_manifest(candidates=candidates, envelopes=[_lander()])

    assert manifest.selected == (3, 5, 7)


def test_recommend_manifest_is_independent_of_input_order():
    rng = random.Random(7)
    candidates = [
        _candidate(pk, rng.choice([3.0, 4.0]), f"{rng.uniform(5, 60):.3f}")
        for pk in range(1, 30)
    ]
    shuffled = rng.sample(candidates, len(candidates))

    first = recommend_manifest(candidates=candidates, envelopes=[_lander()])
    second = recommend_manifest(candidates=shuffled, envelopes=[_lander()])

    assert first.selected == second.selected


def test_recommend_manifest_meets_diversity_limits_across_carriers():
    orbiter = Envelope(carrier_id=2, name="Orbiter", mass_kg=Decimal(12))
    candidates = [
        _candidate(1, 5.0, "10", country="CN"),
        _candidate(2, 5.0, "10", country="CN", carrier=2),
        _candidate(3, 4.9, "10", country="CN"),
        _candidate(4, 2.0, "10", country="BR"),
        _candidate(5, 1.0, "5", country="ZA", carrier=2),
        _candidate(6, 4.8, "10", country="CN"),
    ]
    constraints = Constraints(max_per_country=2, min_countries=3)

    manifest = recommend_manifest(
        candidates=candidates, envelopes=[_lander(), orbiter], constraints=constraints
    )

    assert manifest.status == ManifestStatus.OPTIMAL
    assert manifest.selected == (1, 3, 4, 5)
    assert manifest.country_counts == (("BR", 1), ("CN", 2), ("ZA", 1))


def test_recommend_manifest_reports_the_time_limit():
    rng = random.Random(3)
    candidates = [
        _candidate(
            pk,
            round(rng.uniform(1, 5), 4),
            f"{rng.uniform(0.05, 20):.3f}",
            power=f"{rng.uniform(1, 60):.1f}",
            data=f"{rng.uniform(1, 2000):.1f}",
            country=rng.choice(["CN", "FR", "DE", "BR", "IN", "JP"]),
        )
        for pk in range(1, 301)
    ]
    lander = _lander(power_w=Decimal(400), data_mb_per_day=Decimal(20000))

    manifest = recommend_manifest(
        candidates=candidates,
        envelopes=[lander],
        constraints=Constraints(max_per_country=8),
        time_limit_s=0.001,
    )

    assert manifest.status == ManifestStatus.TIME_LIMIT
    assert manifest.time_limit_hit is True
    assert manifest.message.startswith("The solver stopped after 0.001 seconds")
    assert all(
        use.slack is None or use.slack >= 0 for use in manifest.usage[0].resources
    )


def test_recommend_manifest_refuses_duplicate_ids():
    candidates = [_candidate(1, 4.0, "1"), _candidate(1, 3.0, "2")]

    with pytest.raises(ValueError, match="Duplicate candidate ids"):
        recommend_manifest(candidates=candidates, envelopes=[_lander()])
