"""The ranking (sortable by the raw weighted mean or the normalised score, a
page at a time, with statistics, charts and streamed exports), one proposal's
reviews (with reopening), and the manifest recommendation.

Only administrators open these pages (reviews.permissions.can_view_ranking),
so identities are shown in dual-anonymous calls too.
"""

import time
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.enums import ProposalStage
from reviews import charts, exports, scoring, selectors, services
from reviews.admin.reviewer_pages import history_lines, scored_rows
from reviews.manifest import Constraints, recommend_manifest
from reviews.panel.base import (
    REFUSALS,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    render,
    show_refusal,
)
from reviews.panel_forms import PIN_IN, PIN_OUT, ManifestForm, ReopenForm
from reviews.permissions import can_reopen_review, can_view_ranking
from reviews.selectors.panel import ranking as full_ranking
from reviews.selectors.standings import RANKING_SORTS, ranking_rows, ranking_summary

FILE_FORMATS = ("csv", "xlsx")
FULL = 100  # percent of an envelope

# ?sort= → the rank it orders by (ties by reference)
SORTS = {
    "mean": ("rank_mean", gettext_lazy("Weighted mean")),
    "normalised": ("rank_normalised", gettext_lazy("Normalised score")),
}
# ?show= → the rows kept
FILTERS = {
    "disagreement": gettext_lazy("Disagreements"),
    "incomplete": gettext_lazy("Reviews missing"),
    "triaged": gettext_lazy("Below the triage line"),
}


def _stage(request: HttpRequest, opportunity) -> str:
    stage = request.GET.get("stage", ProposalStage.FULL)
    if stage == ProposalStage.LETTER_OF_INTENT and opportunity.has_loi_stage:
        return stage
    return ProposalStage.FULL


def _sorted_and_filtered(rows, *, sort: str, show: str):
    """The ranking's queryset ordered and filtered in the database."""
    if show == "disagreement":
        rows = rows.filter(disagreement=True)
    elif show == "incomplete":
        rows = rows.filter(incomplete=True)
    elif show == "triaged":
        rows = rows.filter(triaged=True)
    return rows.order_by(*RANKING_SORTS[SORTS[sort][0]])


def ranking_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    stage = _stage(request, opportunity)
    sort = request.GET.get("sort", "mean")
    sort = sort if sort in SORTS else "mean"
    show = request.GET.get("show", "")
    show = show if show in FILTERS else ""
    rows = _sorted_and_filtered(
        ranking_rows(opportunity=opportunity, stage=stage), sort=sort, show=show
    )
    page = paginate(request, rows)
    details = selectors.ranking_details(
        opportunity=opportunity, proposal_ids=[row.pk for row in page], stage=stage
    )
    lines = [{"row": row, "details": details[row.pk]} for row in page]
    statistics = selectors.call_statistics(opportunity=opportunity)
    panel = selectors.panel_settings(opportunity=opportunity)
    stage_query = f"&stage={stage}" if stage != ProposalStage.FULL else ""
    return render(
        request,
        "ranking.html",
        opportunity=opportunity,
        title=_("Ranking"),
        tab="ranking",
        stage=stage,
        stages=[
            (ProposalStage.FULL, ProposalStage.FULL.label),
            (ProposalStage.LETTER_OF_INTENT, ProposalStage.LETTER_OF_INTENT.label),
        ]
        if opportunity.has_loi_stage
        else [],
        lines=lines,
        summary=ranking_summary(opportunity=opportunity, stage=stage),
        sort=sort,
        sorts=[
            (value, label, f"?sort={value}{stage_query}")
            for value, (_rank, label) in SORTS.items()
        ],
        show=show,
        filters=[
            (value, label, f"?sort={sort}&show={value}{stage_query}")
            for value, label in FILTERS.items()
            if value != "triaged" or panel.triage_percent
        ],
        all_url=f"?sort={sort}{stage_query}",
        statistics=statistics,
        countries=[
            (exports.country_name(tally.key), tally) for tally in statistics.countries
        ],
        regions=[
            (exports.region_name(tally.key), tally) for tally in statistics.regions
        ],
        charts=ranking_charts(lines, statistics),
        threshold=panel.disagreement_threshold,
        triage_percent=panel.triage_percent,
        export_urls={
            file_format: panel_url("export", opportunity.pk, file_format)
            + (f"?stage={stage}" if stage != ProposalStage.FULL else "")
            for file_format in FILE_FORMATS
        },
        **pages(request, page),
    )


def ranking_charts(lines, statistics) -> dict:
    """The three charts of the ranking page, as inline SVG: the review scores of
    the page's proposals, and the call's proposals and selections by country
    and by region."""
    scored = [line for line in lines if line["details"].review_scores]
    selections = _("Selected")
    proposals = _("Proposals")
    return {
        "scores": charts.dot_plot(
            [
                charts.DotRow(
                    label=line["row"].reference or str(line["row"].pk),
                    values=line["details"].review_scores,
                    mean=line["row"].weighted_mean,
                    flagged=line["row"].disagreement,
                )
                for line in scored
            ],
            chart_id="chart-scores",
            title=_("Score distribution per proposal"),
            desc=_(
                "Each reviewer's weighted score of each proposal on the 1 to 5 "
                "scale, with the mean; the table of the ranking gives the figures."
            ),
        )
        if scored
        else "",
        "countries": charts.bar_chart(
            [
                charts.BarGroup(
                    exports.country_name(tally.key), (tally.proposals, tally.selected)
                )
                for tally in statistics.countries
            ],
            series=[proposals, selections],
            chart_id="chart-countries",
            title=_("Proposals and selections by country"),
            desc=_("Proposals and proposals selected, by the investigator's country."),
        )
        if statistics.countries
        else "",
        "regions": charts.bar_chart(
            [
                charts.BarGroup(
                    exports.region_name(tally.key), (tally.proposals, tally.selected)
                )
                for tally in statistics.regions
            ],
            series=[proposals, selections],
            chart_id="chart-regions",
            title=_("Proposals and selections by region"),
            desc=_("Proposals and proposals selected, by UN region."),
        )
        if statistics.countries
        else "",
    }


def export_view(
    request: HttpRequest, opportunity_pk: int, file_format: str
) -> HttpResponse:
    """The whole ranking as CSV (streamed) or XLSX (written row by row)."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    if file_format not in FILE_FORMATS:
        raise Http404
    stage = _stage(request, opportunity)
    rows = full_ranking(opportunity=opportunity, stage=stage)
    lines = exports.ranking_lines(rows)
    filename = f"ranking-{slugify(opportunity.slug)}-{stage}"
    if file_format == "csv":
        return exports.csv_response(lines, filename=filename)
    statistics = selectors.country_statistics(opportunity=opportunity, rows=rows)
    return exports.xlsx_response(lines, statistics, filename=filename)


def proposal_view(
    request: HttpRequest, opportunity_pk: int, proposal_pk: int
) -> HttpResponse:
    """One proposal's assignments and reviews, with names, scores, both kinds
    of comments and the history; a submitted review can be reopened."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    proposal = selectors.panel_proposal(opportunity=opportunity, pk=proposal_pk)
    assignments = list(
        selectors.assignments_on_proposals(
            user=request.user, opportunity=opportunity, proposal_ids=[proposal.pk]
        ).prefetch_related("review__scores")
    )
    if request.method == "POST":
        return _reopen(request, opportunity, proposal, assignments)
    criteria = list(opportunity.criteria.all())
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    cards = []
    for assignment in assignments:
        review = getattr(assignment, "review", None)
        given = {s.criterion_id: s.score for s in review.scores.all()} if review else {}
        cards.append(
            {
                "assignment": assignment,
                "review": review,
                "scores": scored_rows(review, criteria) if review else [],
                "weighted": scoring.weighted_score(
                    weights=weights, scores=given
                ).quantize(scoring.PLACES)
                if given and any(weights.get(c) for c in given)
                else None,
                "history": history_lines(
                    user=request.user,
                    assignment=assignment,
                    anonymous_actors=False,
                ),
                "can_reopen": review is not None
                and can_reopen_review(request.user, review),
                "reopen_form": ReopenForm(prefix=f"r{review.pk}") if review else None,
            }
        )
    return render(
        request,
        "proposal.html",
        opportunity=opportunity,
        title=_("Reviews of %(reference)s") % {"reference": proposal.reference},
        tab="ranking",
        proposal=proposal,
        cards=cards,
        criteria=criteria,
        thread_url=panel_url("thread", opportunity.pk, proposal.pk),
    )


def _reopen(request, opportunity, proposal, assignments) -> HttpResponse:
    reviews = {
        str(a.review.pk): a.review
        for a in assignments
        if getattr(a, "review", None) is not None
    }
    review = reviews.get(request.POST.get("review", ""))
    if review is None:
        raise Http404
    form = ReopenForm(request.POST, prefix=f"r{review.pk}")
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
    else:
        try:
            services.reopen_review(
                review=review, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(
                request,
                _(
                    "The review by %(reviewer)s is reopened; the reviewer is "
                    "emailed the reason."
                )
                % {"reviewer": review.assignment.reviewer.get_full_name()},
            )
    return redirect(panel_url("proposal", opportunity.pk, proposal.pk))


def manifest_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The best selection within the carriers' envelopes (reviews.manifest),
    for the limits and pins in the query string. The solver reads every
    candidate; the page lists the selection and one page of candidates."""
    started = time.perf_counter()
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    rows = full_ranking(opportunity=opportunity)
    lines = {line.proposal.pk: line for line in exports.ranking_lines(rows)}
    inputs = selectors.manifest_candidates(opportunity=opportunity, rows=rows)
    form = ManifestForm(
        request.GET if "solve" in request.GET else None,
        candidates=inputs.candidates,
    )
    constraints = Constraints()
    if form.is_bound and form.is_valid():
        constraints = Constraints(
            max_per_country=form.cleaned_data["max_per_country"],
            min_countries=form.cleaned_data["min_countries"],
            pinned_in=form.pins(PIN_IN),
            pinned_out=form.pins(PIN_OUT),
        )
    manifest = recommend_manifest(
        candidates=inputs.candidates,
        envelopes=inputs.envelopes,
        constraints=constraints,
    )
    selected = set(manifest.selected)
    ineligible = {row.candidate_id: row for row in manifest.ineligible}
    candidates = sorted(
        inputs.candidates, key=lambda c: (c.id not in selected, -c.score, c.id)
    )

    def candidate_row(candidate) -> dict:
        line = lines[candidate.id]
        return {
            "candidate": candidate,
            "line": line,
            "incomplete": line.row.reviews_submitted < line.row.reviews_assigned,
            "selected": candidate.id in selected,
            "ineligible": ineligible.get(candidate.id),
            "pin": form.pin_field(candidate.id),
        }

    page = paginate(request, candidates)
    shown = {candidate.id for candidate in page}
    return render(
        request,
        "manifest.html",
        opportunity=opportunity,
        title=_("Manifest recommendation"),
        tab="manifest",
        form=form,
        manifest=manifest,
        candidate_rows=[candidate_row(candidate) for candidate in page],
        # The pins of the candidates on other pages, carried along.
        other_pins=[
            form.pin_field(candidate.id)
            for candidate in candidates
            if candidate.id not in shown
        ]
        if form.is_bound
        else [],
        selected_rows=[candidate_row(c) for c in candidates if c.id in selected],
        ineligible_rows=[candidate_row(c) for c in candidates if c.id in ineligible],
        incomplete=sum(
            1
            for candidate in candidates
            if lines[candidate.id].row.reviews_submitted
            < lines[candidate.id].row.reviews_assigned
        ),
        unscored=inputs.unscored,
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
