"""The manifest recommendation: the best selection within the carriers'
envelopes (reviews.manifest), for the limits and pins in the query string.

The candidates come from the SQL ranking (reviews.selectors.manifest_candidates:
a fixed number of queries whatever the size of the call; what is read of each
frozen version's snapshot is kept in the cache). The solver reads every
candidate and takes from a quarter of a second to seconds at 2,000 proposals
(CBC runs as a process of its own for each carrier), so its result is cached
under a fingerprint of everything it reads: the call, the candidates with
their scores and requests, the envelopes, the limits and pins, and the
language of its messages. A new score, a changed envelope or another pin is
another key, so a cached recommendation is never stale (its "solved in" is
that of the solve it keeps). The page lists one page each of the selection,
the candidates with their pins, those that cannot fly and the proposals not
yet scored.

Only administrators open it (reviews.permissions.can_view_ranking).
"""

import hashlib
import json
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalogue.templatetags.catalogue_tags import quantity
from proposals.models import Proposal
from reviews import exports, selectors
from reviews.manifest import TIME_LIMIT_S, Constraints, Manifest, recommend_manifest
from reviews.panel.base import (
    PER_PAGE,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    render,
)
from reviews.panel_forms import (
    PIN_AUTO,
    PIN_CHOICES,
    PIN_IN,
    PIN_OUT,
    ManifestForm,
    pin_field_name,
)
from reviews.permissions import can_view_ranking

FULL = 100  # percent of an envelope
NONE = "—"  # a request not made
CACHE_PREFIX = "reviews:manifest:"
CACHE_TIMEOUT_S = 60 * 60 * 24  # keys hold every input: this only bounds memory


@dataclass(frozen=True)
class ManifestLine:
    """One candidate as the page's tables show it, its figures formatted once
    here rather than through filters in each cell."""

    proposal: Proposal  # its id, reference and title loaded
    country_name: str
    carrier: str
    mass: str
    power: str
    data: str
    mean: Decimal
    reviews_submitted: int
    reviews_assigned: int
    legend: str  # the pin's fieldset legend


def _line(candidate, row) -> ManifestLine:
    return ManifestLine(
        proposal=row.proposal,
        country_name=exports.country_name(candidate.country),
        carrier=row.carrier,
        mass=quantity(candidate.mass_kg) or NONE,
        power=quantity(candidate.power_w) or NONE,
        data=quantity(candidate.data_mb_per_day) or NONE,
        mean=row.mean,
        reviews_submitted=row.reviews_in,
        reviews_assigned=row.reviews_assigned,
        legend=_("Pin %(label)s") % {"label": candidate.label},
    )


def manifest_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The recommendation for the limits and pins of `?solve=` (none on a bare
    GET), the selection, one page of candidates, one page of the unscored."""
    started = time.perf_counter()
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    inputs = selectors.manifest_candidates(opportunity=opportunity)
    data = request.GET if "solve" in request.GET else None
    # Only the candidates whose pin is in the query string get a form field:
    # on a bare GET none, not one per candidate.
    sent = {c.id for c in inputs.candidates if data and pin_field_name(c.id) in data}
    form = ManifestForm(data, candidates=[c for c in inputs.candidates if c.id in sent])
    constraints = Constraints()
    if form.is_bound and form.is_valid():
        constraints = Constraints(
            max_per_country=form.cleaned_data["max_per_country"],
            min_countries=form.cleaned_data["min_countries"],
            pinned_in=form.pins(PIN_IN),
            pinned_out=form.pins(PIN_OUT),
        )
    manifest = cached_manifest(
        opportunity_pk=opportunity.pk, inputs=inputs, constraints=constraints
    )
    selected = set(manifest.selected)
    ineligible = {row.candidate_id: row for row in manifest.ineligible}
    candidates = sorted(
        inputs.candidates, key=lambda c: (c.id not in selected, -c.score, c.id)
    )
    page = paginate(request, candidates, per_page=PER_PAGE)
    shown = {candidate.id for candidate in page}

    def candidate_row(candidate) -> dict:
        row = inputs.rows[candidate.id]
        return {
            "candidate": candidate,
            "line": _line(candidate, row),
            "incomplete": row.incomplete,
            "selected": candidate.id in selected,
            "ineligible": ineligible.get(candidate.id),
            "pin": _pin_choices(candidate.id, data) if candidate.id in shown else None,
        }

    unscored = _listing(request, inputs.unscored, "unscored_page")
    chosen = _listing(
        request, [c for c in candidates if c.id in selected], "selected_page"
    )
    cannot_fly = _listing(
        request, [c for c in candidates if c.id in ineligible], "ineligible_page"
    )
    return render(
        request,
        "manifest.html",
        opportunity=opportunity,
        title=_("Manifest recommendation"),
        tab="manifest",
        form=form,
        manifest=manifest,
        candidate_rows=[candidate_row(candidate) for candidate in page],
        # The pins set on the other pages, carried along as hidden fields.
        other_pins=[
            (pin_field_name(pk), data[pin_field_name(pk)])
            for pk in sorted(sent - shown)
            if data[pin_field_name(pk)] not in ("", PIN_AUTO)
        ],
        # The selection, those that cannot fly and the unscored, a page each.
        selected_rows=[candidate_row(c) for c in chosen["page"]],
        selected_pages=chosen,
        ineligible_rows=[candidate_row(c) for c in cannot_fly["page"]],
        ineligible_pages=cannot_fly,
        unscored_pages=unscored,
        unscored=unscored["page"],
        incomplete=inputs.incomplete,
        usage=[_usage_rows(usage) for usage in manifest.usage],
        total_score=Decimal(str(manifest.total_score)).quantize(Decimal("0.01")),
        countries=[
            (exports.country_name(code), count)
            for code, count in manifest.country_counts
        ],
        constraints=constraints,
        decisions_url=panel_url("decisions", opportunity.pk)
        + "?selected="
        + ",".join(str(pk) for pk in manifest.selected),
        page_time_ms=round((time.perf_counter() - started) * 1000),
        **pages(request, page),
    )


def _pin_choices(candidate_id, data) -> list[dict]:
    """The radio buttons of a candidate's pin (auto, in, out), the one in the
    query string checked (auto when none): the form itself holds fields only
    for the pins sent, so a page of candidates renders no widget templates."""
    name = pin_field_name(candidate_id)
    value = (data.get(name) if data else None) or PIN_AUTO
    return [
        {
            "name": name,
            "value": choice,
            "label": label,
            "checked": choice == value,
            "id": f"id_{name}_{index}",
        }
        for index, (choice, label) in enumerate(PIN_CHOICES)
    ]


def _listing(request: HttpRequest, items, name: str) -> dict:
    """One page (`?<name>=`) of `items` with the links to its neighbours, as
    templates/admin/reviews/panel/pages.html shows them."""
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(name))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[name] = number
        return "?" + query.urlencode()

    return {
        "page": page,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def cached_manifest(
    *, opportunity_pk: int, inputs, constraints: Constraints
) -> Manifest:
    """`recommend_manifest` over `inputs` and `constraints`, from the cache
    when the same call, candidates, envelopes, limits and pins were solved
    before (in the same language: its messages are translated)."""
    key = CACHE_PREFIX + manifest_fingerprint(
        opportunity_pk=opportunity_pk, inputs=inputs, constraints=constraints
    )
    manifest = cache.get(key)
    if manifest is None:
        manifest = recommend_manifest(
            candidates=inputs.candidates,
            envelopes=inputs.envelopes,
            constraints=constraints,
            time_limit_s=TIME_LIMIT_S,
        )
        cache.set(key, manifest, CACHE_TIMEOUT_S)
    return manifest


def manifest_fingerprint(*, opportunity_pk: int, inputs, constraints) -> str:
    """A digest of everything the solver reads, stable across processes."""
    text = json.dumps(
        [
            opportunity_pk,
            get_language(),
            TIME_LIMIT_S,
            [
                [
                    c.id,
                    c.score,
                    c.carrier_id,
                    c.country,
                    str(c.mass_kg),
                    str(c.power_w),
                    str(c.data_mb_per_day),
                    c.label,
                ]
                for c in inputs.candidates
            ],
            [
                [
                    e.carrier_id,
                    e.name,
                    str(e.mass_kg),
                    str(e.power_w),
                    str(e.data_mb_per_day),
                    str(e.max_payload_mass_kg),
                ]
                for e in inputs.envelopes
            ],
            constraints.max_per_country,
            constraints.min_countries,
            sorted(constraints.pinned_in),
            sorted(constraints.pinned_out),
        ],
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Decimal | None) -> str:
    """212.500 → "212.5", 10.000 → "10"."""
    return "" if value is None else f"{value.normalize():f}"


def _usage_rows(usage) -> dict:
    """One carrier's bars: each resource with its share of the limit."""
    resources = []
    for use in usage.resources:
        percent = use.percent
        resources.append(
            {
                "label": use.resource.label,
                "unit": use.unit,
                "used": _plain(use.used),
                "limit": _plain(use.limit),
                "slack": _plain(use.slack),
                "percent": percent,
                "width": min(percent, FULL) if percent is not None else 0,
                "over": percent is not None and percent > FULL,
            }
        )
    return {"name": usage.name, "payloads": usage.payloads, "resources": resources}
