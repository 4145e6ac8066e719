"""Score aggregation for the ranking page, and the statistics by country and region.

Plain Python over plain data: the review selectors pass the opportunity's criteria
weights and, for each proposal, the scores of its submitted reviews.

A review's score is its weighted mean, Σ w·s / Σ w over the criteria it scored
(scores 1–5, weights the criteria's percentages). A proposal's mean, median,
spread (highest minus lowest review score) and standard deviation (population, as
the reviewers are all the reviews there are) are computed exactly, then rounded to
`PLACES`, the precision the ranking page shows: proposals whose rounded means are
equal share a rank ("1, 2, 2, 4"), and the disagreement flag compares the rounded
spread with the threshold, so what the page shows and what it flags agree.

Normalised scores (as ESO's panels use them): each reviewer's weighted scores over
the call and stage are standardised, z = (x − the reviewer's mean) / the
reviewer's population standard deviation, so a harsh and a lenient reviewer weigh
alike; a reviewer with a single review, or whose scores are all equal, contributes
0. A proposal's normalised score is the mean of its reviews' z-scores, rounded to
`PLACES` like the mean. The triage line marks the bottom share of the scored
proposals by normalised score (`triage_cut`). reviews.selectors.standings computes
the same figures in SQL; these functions are its reference.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_SCORE = 1
MAX_SCORE = 5
PLACES = Decimal("0.01")
DISAGREEMENT_THRESHOLD = Decimal("1.5")


class Region(models.TextChoices):
    """The five regions of the UN M49 standard (Antarctica belongs to none)."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


# ISO 3166-1 alpha-2 codes by UN M49 region, one sub-region a line.
# Taiwan is under China in M49, hence Eastern Asia; Antarctica (AQ) has no region.
_M49 = {
    Region.AFRICA: """
        DZ EG LY MA SD TN EH
        IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW
        AO CM CF TD CG CD GQ GA ST
        BW SZ LS NA ZA
        BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG
    """,
    Region.AMERICAS: """
        AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX
        TT TC VI
        BZ CR SV GT HN MX NI PA
        AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE
        BM CA GL PM US
    """,
    Region.ASIA: """
        KZ KG TJ TM UZ
        CN HK MO KP JP MN KR TW
        BN KH ID LA MY MM PH SG TH TL VN
        AF BD BT IN IR MV NP PK LK
        AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE
    """,
    Region.EUROPE: """
        BY BG CZ HU PL MD RO RU SK UA
        AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB
        AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES
        AT BE FR DE LI LU MC NL CH
    """,
    Region.OCEANIA: """
        AU CX CC HM NZ NF
        FJ NC PG SB VU
        GU KI MH FM NR MP PW UM
        AS CK PF NU PN WS TK TO TV WF
    """,
}
REGIONS: dict[str, Region] = {
    code: region for region, codes in _M49.items() for code in codes.split()
}


def region_for(country: str) -> Region | None:
    """The UN M49 region of an ISO alpha-2 code; None for Antarctica or unknown."""
    return REGIONS.get(country.upper()) if country else None


def weighted_score(
    *, weights: Mapping[Hashable, Decimal], scores: Mapping[Hashable, int]
) -> Decimal:
    """One review's score: Σ w·s / Σ w over the criteria it scored, unrounded."""
    scored = [criterion for criterion in scores if criterion in weights]
    for criterion in scored:
        if not MIN_SCORE <= scores[criterion] <= MAX_SCORE:
            msg = f"Score {scores[criterion]!r} for {criterion!r} is not 1–5."
            raise ValueError(msg)
    total_weight = sum((Decimal(weights[c]) for c in scored), Decimal(0))
    if total_weight <= 0:
        msg = "A review needs at least one scored criterion with a positive weight."
        raise ValueError(msg)
    weighted = sum((Decimal(weights[c]) * scores[c] for c in scored), Decimal(0))
    return weighted / total_weight


@dataclass(frozen=True)
class ProposalScore:
    """A proposal's line on the ranking page; figures are None without reviews."""

    proposal_id: Hashable
    review_scores: tuple[Decimal, ...]
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None
    disagreement: bool
    rank: int | None = None

    @property
    def review_count(self) -> int:
        return len(self.review_scores)


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def aggregate(
    *,
    proposal_id: Hashable,
    weights: Mapping[Hashable, Decimal],
    reviews: Sequence[Mapping[Hashable, int]],
    threshold: Decimal = DISAGREEMENT_THRESHOLD,
) -> ProposalScore:
    """Mean, median, spread and disagreement of one proposal's submitted reviews."""
    exact = [weighted_score(weights=weights, scores=review) for review in reviews]
    if not exact:
        return ProposalScore(proposal_id, (), None, None, None, None, False)
    spread = _rounded(max(exact) - min(exact))
    return ProposalScore(
        proposal_id=proposal_id,
        review_scores=tuple(_rounded(score) for score in exact),
        mean=_rounded(sum(exact, Decimal(0)) / len(exact)),
        median=_rounded(statistics.median(exact)),
        spread=spread,
        std_dev=_rounded(statistics.pstdev(exact)),
        disagreement=spread >= threshold,
    )


def rank_proposals(
    *,
    weights: Mapping[Hashable, Decimal],
    reviews_by_proposal: Mapping[Hashable, Sequence[Mapping[Hashable, int]]],
    threshold: Decimal = DISAGREEMENT_THRESHOLD,
) -> list[ProposalScore]:
    """Every proposal, best mean first, with standard competition ranks (1, 2, 2, 4).

    Ties are listed by proposal id; proposals without a submitted review come last,
    unranked, by id.
    """
    lines = [
        aggregate(
            proposal_id=proposal_id,
            weights=weights,
            reviews=reviews,
            threshold=threshold,
        )
        for proposal_id, reviews in reviews_by_proposal.items()
    ]
    scored = sorted(
        (line for line in lines if line.mean is not None),
        key=lambda line: (-line.mean, line.proposal_id),
    )
    unscored = sorted(
        (line for line in lines if line.mean is None),
        key=lambda line: line.proposal_id,
    )
    ranked = []
    for position, line in enumerate(scored, start=1):
        tied = ranked and ranked[-1].mean == line.mean
        rank = ranked[-1].rank if tied else position
        ranked.append(replace(line, rank=rank))
    return ranked + unscored


@dataclass(frozen=True)
class ScoredReview:
    """One counted review: its proposal, its reviewer and its weighted score
    (`weighted_score`, unrounded)."""

    proposal_id: Hashable
    reviewer_id: Hashable
    score: Decimal


def z_scores(reviews: Sequence[ScoredReview]) -> list[Decimal]:
    """Each review's z-score among its reviewer's reviews, in the order given:
    (score − the reviewer's mean) / the reviewer's population standard deviation;
    0 for a reviewer with one review or no spread. Unrounded."""
    by_reviewer: dict[Hashable, list[Decimal]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(Decimal(review.score))
    figures = {}
    for reviewer_id, scores in by_reviewer.items():
        mean = sum(scores, Decimal(0)) / len(scores)
        variance = sum(((s - mean) ** 2 for s in scores), Decimal(0)) / len(scores)
        figures[reviewer_id] = (mean, variance.sqrt())
    result = []
    for review in reviews:
        mean, std_dev = figures[review.reviewer_id]
        if std_dev == 0:
            result.append(Decimal(0))
        else:
            result.append((Decimal(review.score) - mean) / std_dev)
    return result


def normalised_means(reviews: Sequence[ScoredReview]) -> dict[Hashable, Decimal]:
    """Each reviewed proposal's normalised score: the mean of its reviews'
    z-scores (`z_scores`), rounded to `PLACES`. Proposals without a review are
    absent."""
    by_proposal: dict[Hashable, list[Decimal]] = defaultdict(list)
    for review, z in zip(reviews, z_scores(reviews), strict=True):
        by_proposal[review.proposal_id].append(z)
    return {
        proposal_id: _rounded(sum(zs, Decimal(0)) / len(zs))
        for proposal_id, zs in by_proposal.items()
    }


def competition_ranks(
    values: Mapping[Hashable, Decimal | None],
) -> dict[Hashable, int | None]:
    """Standard competition ranks, highest value first: equal values share a rank
    and the next rank skips (1, 2, 2, 4). None is unranked."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {
        key: None if value is None else first_position[value]
        for key, value in values.items()
    }


def triage_cut(*, scored: int, percent: int | None) -> int | None:
    """The last normalised rank kept above the triage line: a scored proposal
    whose normalised rank is greater is triaged (not discussed). None without a
    triage line.

    cut = ceil(scored × (100 − percent) / 100), so at most `percent` % of the
    scored proposals are triaged; proposals tied with one above the line stay
    above it with it (ranks 1, 2, 2, 4 and a cut of 2 triage only the 4th).
    Proposals without a score are never triaged: they still need reviews.
    """
    if percent is None:
        return None
    return -(-scored * (100 - percent) // 100)


def is_triaged(rank: int | None, *, scored: int, percent: int | None) -> bool:
    """Whether a proposal of normalised rank `rank` falls below the triage line."""
    cut = triage_cut(scored=scored, percent=percent)
    return cut is not None and rank is not None and rank > cut


@dataclass(frozen=True)
class Tally:
    """Proposals and selected proposals for one country or region."""

    key: str | None
    proposals: int
    selected: int

    @property
    def selected_percent(self) -> Decimal | None:
        if not self.proposals:
            return None
        return (Decimal(100) * self.selected / self.proposals).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def country_summary(rows: Iterable[tuple[str, bool]]) -> list[Tally]:
    """From (country code, selected) pairs: one tally per country, most first."""
    proposals, selected = Counter(), Counter()
    for country, is_selected in rows:
        proposals[country] += 1
        selected[country] += bool(is_selected)
    return [
        Tally(country, count, selected[country])
        for country, count in sorted(proposals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def region_summary(rows: Iterable[tuple[str, bool]]) -> list[Tally]:
    """From (country code, selected) pairs: every region in order, zeros included,
    then a None row for countries without a region (Antarctica) if there are any.
    """
    tallies = country_summary(rows)
    proposals, selected = Counter(), Counter()
    for tally in tallies:
        region = region_for(tally.key)
        proposals[region] += tally.proposals
        selected[region] += tally.selected
    keys = [*Region, None] if proposals[None] else list(Region)
    return [Tally(key, proposals[key], selected[key]) for key in keys]
