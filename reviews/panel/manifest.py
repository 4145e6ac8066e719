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
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalogue.templatetags.catalogue_tags import quantity
from proposals.models import Proposal
from reviews import exports, selectors
from reviews.manifest import TIME_LIMIT_S, Constraints, Manifest, recommend_manifest
from reviews.panel.base import (
    PER_PAGE,
    html,
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
from reviews.selectors.panel import ManifestRow

FULL = 100  # percent of an envelope
NONE = "—"  # a request not made
CACHE_PREFIX = "reviews:manifest:"
CACHE_TIMEOUT_S = 60 * 60 * 24  # keys hold every input: this only bounds memory


@dataclass(frozen=True)
class ManifestLine:
    """One candidate as the page's tables show it, its figures formatted once
    here rather than through filters in each cell."""

    row: ManifestRow  # the candidate's proposal, read from the cache
    country_name: str
    carrier: str
    mass: str
    power: str
    data: str
    mean: Decimal
    reviews_submitted: int
    reviews_assigned: int
    legend: str  # the pin's fieldset legend

    @property
    def proposal(self) -> Proposal:
        """The proposal with its id, reference and title loaded (no query),
        made when asked: the page's rows read the title alone."""
        return self.row.proposal

    @property
    def title(self) -> str:
        return self.row.title


class _CountryNames(dict):
    """Country names in the active language, each looked up once a page."""

    def __missing__(self, code: str) -> str:
        self[code] = name = exports.country_name(code)
        return name


def _line(candidate, row, names=None) -> ManifestLine:
    return ManifestLine(
        row=row,
        country_name=(names if names is not None else _CountryNames())[
            candidate.country
        ],
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
    sent = {pk for pk, _score in inputs.scores if data and pin_field_name(pk) in data}
    form = ManifestForm(
        data,
        candidates=[inputs.candidate(pk) for pk, _score in inputs.scores if pk in sent],
    )
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
    # The candidates' ids, the selected first, then by score: only the
    # candidates a page shows are built (ManifestInput explains why).
    candidates = [
        pk
        for pk, _score in sorted(
            inputs.scores, key=lambda c: (c[0] not in selected, -c[1], c[0])
        )
    ]
    page = paginate(request, candidates, per_page=PER_PAGE)
    shown = set(page)
    names = _CountryNames()

    made: dict[int, dict] = {}

    def candidate_row(pk: int) -> dict:
        """A candidate as the tables show it, made once a page (the first
        page of candidates is mostly the first page of the selection)."""
        if pk not in made:
            candidate, row = inputs.candidate(pk), inputs.row(pk)
            made[pk] = {
                "candidate": candidate,
                "line": _line(candidate, row, names),
                "incomplete": row.incomplete,
                "selected": pk in selected,
                "ineligible": ineligible.get(pk),
                "pin": _pin_choices(pk, data) if pk in shown else None,
            }
        return made[pk]

    unscored = _listing(request, inputs.unscored, "unscored_page")
    chosen = _listing(
        request, [pk for pk in candidates if pk in selected], "selected_page"
    )
    cannot_fly = _listing(
        request, [pk for pk in candidates if pk in ineligible], "ineligible_page"
    )
    candidate_rows = [candidate_row(pk) for pk in page]
    selected_rows = [candidate_row(c) for c in chosen["page"]]
    ineligible_rows = [candidate_row(c) for c in cannot_fly["page"]]
    written = _Rows()
    return render(
        request,
        "manifest.html",
        opportunity=opportunity,
        title=_("Manifest recommendation"),
        tab="manifest",
        form=form,
        manifest=manifest,
        candidate_rows=candidate_rows,
        candidates_html=written.candidates(candidate_rows),
        # The pins set on the other pages, carried along as hidden fields.
        other_pins=[
            (pin_field_name(pk), data[pin_field_name(pk)])
            for pk in sorted(sent - shown)
            if data[pin_field_name(pk)] not in ("", PIN_AUTO)
        ],
        # The selection, those that cannot fly and the unscored, a page each.
        selected_rows=selected_rows,
        selected_html=written.selected(selected_rows),
        selected_pages=chosen,
        ineligible_rows=ineligible_rows,
        ineligible_html=written.ineligible(ineligible_rows),
        ineligible_pages=cannot_fly,
        unscored_pages=unscored,
        unscored=unscored["page"],
        unscored_html=format_html_join(
            "", "<li>{} — {}</li>", ((p.reference, p.title) for p in unscored["page"])
        ),
        incomplete=inputs.incomplete,
        usage=[_usage_rows(usage) for usage in manifest.usage],
        total_score=Decimal(str(manifest.total_score)).quantize(Decimal("0.01")),
        countries=[(names[code], count) for code, count in manifest.country_counts],
        constraints=constraints,
        decisions_url=panel_url("decisions", opportunity.pk)
        + "?selected="
        + ",".join(str(pk) for pk in manifest.selected),
        page_time_ms=round((time.perf_counter() - started) * 1000),
        **pages(request, page),
    )


# The tables' rows, written in one pass (50 candidates with three pins each
# and 50 selected: through the template, most of the page's time).
_SELECTED_ROW = (
    '<tr><th scope="row"><span class="panel-ref">{label}</span><br>'
    '<span class="panel-note">{title}</span></th>{cells}</tr>\n'
)
_CELLS = (
    '<td>{country}</td><td>{carrier}</td><td class="number">{mass}</td>'
    '<td class="number">{power}</td><td class="number">{data}</td>'
    '<td class="number">{mean}</td>'
    '<td class="number reviews">{reviews_in} / {reviews_assigned}{incomplete}</td>'
)
_CANDIDATE_ROW = (
    '<tr id="candidate-{pk}"><th scope="row"><span class="panel-ref">{label}'
    "</span></th>{cells}<td>{selected}</td>"
    '<td><fieldset class="panel-pin"><legend class="visually-hidden">{legend}'
    '</legend><ul class="panel-pins">{pins}</ul></fieldset></td></tr>\n'
)
_PIN = (
    '<li><input type="radio" name="{name}" value="{value}" id="{id}"{checked}> '
    '<label for="{id}">{label}</label></li>'
)


class _Rows:
    """The manifest's rows as HTML, their words translated once a page."""

    def __init__(self):
        self.separator = get_format("DECIMAL_SEPARATOR")
        self.incomplete = (
            f' <span class="panel-flag incomplete">{html(_("incomplete"))}</span>'
        )
        self.chosen = f'<span class="panel-ok">✓ {html(_("selected"))}</span>'
        self.cannot_fly = html(_("cannot fly"))

    def cells(self, row: dict) -> str:
        line = row["line"]
        return _CELLS.format(
            country=html(line.country_name),
            carrier=html(line.carrier),
            mass=html(line.mass),
            power=html(line.power),
            data=html(line.data),
            mean=html(format(line.mean, "f").replace(".", self.separator)),
            reviews_in=line.reviews_submitted,
            reviews_assigned=line.reviews_assigned,
            incomplete=self.incomplete if row["incomplete"] else "",
        )

    def selected(self, rows) -> str:
        return mark_safe(  # noqa: S308 — every value escaped
            "".join(
                _SELECTED_ROW.format(
                    label=html(row["candidate"].label),
                    title=html(row["line"].title),
                    cells=self.cells(row),
                )
                for row in rows
            )
        )

    def candidates(self, rows) -> str:
        written = []
        for row in rows:
            if row["selected"]:
                selected = self.chosen
            elif row["ineligible"]:
                selected = self.cannot_fly
            else:
                selected = "—"
            pins = "".join(
                _PIN.format(
                    name=html(radio["name"]),
                    value=html(radio["value"]),
                    id=html(radio["id"]),
                    checked=" checked" if radio["checked"] else "",
                    label=html(radio["label"]),
                )
                for radio in row["pin"] or ()
            )
            written.append(
                _CANDIDATE_ROW.format(
                    pk=row["candidate"].id,
                    label=html(row["candidate"].label),
                    cells=self.cells(row),
                    selected=selected,
                    legend=html(row["line"].legend),
                    pins=pins,
                )
            )
        return mark_safe("".join(written))  # noqa: S308 — every value escaped

    def ineligible(self, rows) -> str:
        return format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            (
                (
                    row["candidate"].label,
                    mark_safe(  # noqa: S308 — as the join filter: each escaped
                        " ".join(
                            conditional_escape(reason)
                            for reason in row["ineligible"].reasons
                        )
                    ),
                )
                for row in rows
            ),
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
            # of every candidate, worked out once when they are read
            inputs.digest,
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
