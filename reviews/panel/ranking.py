"""The ranking (sortable by the raw weighted mean or the normalised score, a
page at a time, with statistics, charts and streamed exports) and one
proposal's reviews (with reopening). The manifest is reviews.panel.manifest.

Only administrators open these pages (reviews.permissions.can_view_ranking),
so identities are shown in dual-anonymous calls too.
"""

import functools
import hashlib

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from proposals.enums import ProposalStage
from reviews import charts, exports, scoring, selectors, services
from reviews.admin.reviewer_pages import history_lines, scored_rows
from reviews.enums import DecisionOutcome
from reviews.panel.base import (
    REFUSALS,
    figure,
    html,
    kept,
    opportunity_for,
    pages,
    panel_url,
    ranked_page,
    render,
    show_refusal,
)
from reviews.panel_forms import ReopenForm
from reviews.permissions import can_reopen_review, can_view_ranking
from reviews.selectors.panel import call_stamp
from reviews.selectors.standings import (
    RANKING_SORTS,
    figure_set_id,
    ranking_rows,
    ranking_summary,
)

FILE_FORMATS = ("csv", "xlsx")

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


# What a line of the ranking page shows: the page's 50 proposals are read
# with these fields only, not whole proposals, accounts and letters (the
# order of every proposal of the call is kept, reviews.panel.base.ranked_page).
PAGE_FIELDS = (
    "pk",
    "opportunity_id",
    "reference",
    "title",
    "status",
    "principal_investigator__full_name",
    "principal_investigator__email",
    "principal_investigator__institution",
    "decision__outcome",
    "decision__released_at",
)


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
    # The kept figures are looked up once for the page's rows, order and
    # summary; the call's stamp once for the summary, order and statistics.
    figure_set = figure_set_id(opportunity=opportunity, stage=stage)
    stamp = call_stamp(opportunity=opportunity)
    summary = kept(
        f"{_KEPT}summary:{figure_set}:{stamp}",
        lambda: ranking_summary(
            opportunity=opportunity, stage=stage, figure_set=figure_set
        ),
    )
    rows = (
        _sorted_and_filtered(
            ranking_rows(opportunity=opportunity, stage=stage, figure_set=figure_set),
            sort=sort,
            show=show,
        )
        .select_related(None)
        .select_related("principal_investigator", "decision")  # not the carrier
        .only(*PAGE_FIELDS)
    )
    order = kept(
        f"{_KEPT}order:{figure_set}:{stamp}:{sort}:{show}",
        lambda: list(rows.values_list("pk", flat=True)),
    )
    page = ranked_page(request, rows, order=order)
    details, score_svg = _page_details(
        opportunity=opportunity, stage=stage, figure_set=figure_set, page=page
    )
    lines = [{"row": row, "details": details[row.pk]} for row in page]
    # Read only if the template's cached fragment of them is missing.
    statistics = functools.cache(
        lambda: selectors.call_statistics(opportunity=opportunity, stamp=stamp)
    )
    # Every save of the panel makes a new figure set (reviews.signals).
    threshold, triage_percent = kept(
        f"{_KEPT}panel:{figure_set}", lambda: _panel_figures(opportunity)
    )
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
        table_rows=_table_rows(lines, sort=sort, opportunity=opportunity),
        summary=summary,
        sort=sort,
        sorts=[
            (value, label, f"?sort={value}{stage_query}")
            for value, (_rank, label) in SORTS.items()
        ],
        show=show,
        filters=[
            (value, label, f"?sort={sort}&show={value}{stage_query}")
            for value, label in FILTERS.items()
            if value != "triaged" or triage_percent
        ],
        all_url=f"?sort={sort}{stage_query}",
        # The statistics part is a cached fragment of the template, keyed by
        # the call's stamp (what the statistics are counted from, kept as long
        # as they are) and the language; the statistics, their tables and
        # charts are read and worked out only when the fragment is not in the
        # cache (callables, which the template calls).
        statistics_key=stamp,
        countries=lambda: _named_tallies(statistics().countries, exports.country_name),
        regions=lambda: _named_tallies(statistics().regions, exports.region_name),
        charts=_lazy_charts(score_svg, statistics),
        threshold=threshold,
        triage_percent=triage_percent,
        export_urls={
            file_format: panel_url("export", opportunity.pk, file_format)
            + (f"?stage={stage}" if stage != ProposalStage.FULL else "")
            for file_format in FILE_FORMATS
        },
        **pages(request, page),
    )


# What the page reads of the reviews (the summary's counts, the order of the
# proposals, a page's review scores, recommendations and chart) is kept in the
# cache under the ranking's figure set: every save of a review, score,
# assignment, criterion or panel makes a new set (reviews.signals). The
# summary and the order also count which proposals are ranked (their stage
# and status), so they are kept under the call's stamp too
# (reviews.selectors.panel.call_stamp: the proposals' number and latest
# change, the decisions'). A kept entry is never stale; a day bounds memory.
_KEPT = "reviews:ranking-page:"
_DETAILS_CACHE = _KEPT + "details:{figure_set}:{language}:{ids}"


def _page_details(*, opportunity, stage: str, figure_set: int, page) -> tuple:
    """The page's RankingDetails by proposal and its score chart (SVG), from
    the cache when the same proposals were shown at the same figure set."""
    ids = [row.pk for row in page]
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    key = _DETAILS_CACHE.format(
        figure_set=figure_set, language=get_language(), ids=digest
    )

    def read() -> tuple:
        details = selectors.ranking_details(
            opportunity=opportunity, proposal_ids=ids, stage=stage
        )
        lines = [{"row": row, "details": details[row.pk]} for row in page]
        return details, score_chart(lines)

    return kept(key, read)


# One line of the ranking's table, written in one pass (the page shows 50
# lines of 11 cells; through the template, most of its rendering time).
_ROW = (
    '<tr id="rank-{pk}" class="{css}"><td class="number rank">{rank}</td>'
    '<th scope="row"><a href="{url}{pk}/" class="panel-ref">{reference}</a><br>'
    '<span class="panel-note">{title}</span>{triaged}</th>'
    '<td>{pi}<br><span class="panel-note">{institution}</span></td>'
    '<td class="number reviews">{reviews_in} / {reviews_assigned}{incomplete}</td>'
    '<td class="number mean">{mean}</td>'
    '<td class="number normalised">{normalised}</td>'
    '<td class="number median">{median}</td>'
    '<td class="number spread">{spread}{disagreement}</td>'
    '<td>{scores}</td><td class="panel-recs">{recommendations}</td>'
    "<td>{decision}{released}</td></tr>\n"
)


def _table_rows(lines, *, sort: str, opportunity) -> str:
    """The ranking table's rows as HTML, every cell written here, once."""
    proposal_url = panel_url("proposal", opportunity.pk, 0).rsplit("0/", 1)[0]
    rank_of = "rank_normalised" if sort == "normalised" else "rank_mean"
    separator = get_format("DECIMAL_SEPARATOR")
    outcomes = {value: html(label) for value, label in DecisionOutcome.choices}
    triaged = html(_("below the triage line"))
    triaged = f'<br><span class="panel-flag triage">{triaged}</span>'
    incomplete = html(_("incomplete"))
    incomplete = f' <span class="panel-flag incomplete">{incomplete}</span>'
    disagreement = (
        f' <span class="panel-flag" title="{html(_("The reviewers disagree"))}">'
        f"{html(_('disagreement'))}</span>"
    )
    released = html(pgettext("a decision already released", "released"))
    released = f' <span class="panel-note">({released})</span>'
    written = []
    for line in lines:
        row, detail = line["row"], line["details"]
        decision = getattr(row, "decision", None)
        written.append(
            _ROW.format(
                pk=row.pk,
                css=("disagreement" if row.disagreement else "")
                + (" panel-triaged triaged" if row.triaged else ""),
                rank=getattr(row, rank_of) or "—",
                url=proposal_url,
                reference=html(row.reference),
                title=html(row.title),
                triaged=triaged if row.triaged else "",
                pi=html(row.principal_investigator.get_full_name()),
                institution=html(row.principal_investigator.institution),
                reviews_in=row.reviews_in,
                reviews_assigned=row.reviews_assigned,
                incomplete=incomplete if row.reviews_in < row.reviews_assigned else "",
                mean=figure(row.weighted_mean, separator),
                normalised=figure(row.normalised, separator),
                median=figure(detail.median, separator),
                spread=figure(row.spread, separator),
                disagreement=disagreement if row.disagreement else "",
                scores=", ".join(
                    figure(score, separator) for score in detail.review_scores
                )
                or "—",
                recommendations="<br>".join(
                    html(f"{label}: {count}") for label, count in detail.recommendations
                )
                or "—",
                decision=outcomes.get(decision.outcome, html(decision.outcome))
                if decision
                else "—",
                released=released if decision and decision.is_released else "",
            )
        )
    return mark_safe("".join(written))  # noqa: S308 — every value escaped above


def _named_tallies(tallies, name) -> list:
    return [(name(tally.key), tally) for tally in tallies]


def _panel_figures(opportunity) -> tuple:
    """The call's disagreement threshold and triage line (its panel's, else
    the defaults)."""
    panel = selectors.panel_settings(opportunity=opportunity)
    return panel.disagreement_threshold, panel.triage_percent


def _lazy_charts(score_svg: str, statistics) -> dict:
    """The page's charts: the scores' (made with the page's details), the
    statistics' (`statistics()`) only if the template's cached fragment
    needs them."""
    by_group = functools.cache(lambda: statistics_charts(statistics()))
    return {
        "scores": score_svg,
        "countries": lambda: by_group()["countries"],
        "regions": lambda: by_group()["regions"],
    }


def ranking_charts(lines, statistics) -> dict:
    """The three charts of the ranking page, as inline SVG: the review scores of
    the page's proposals, and the call's proposals and selections by country
    and by region."""
    return {"scores": score_chart(lines), **statistics_charts(statistics)}


def score_chart(lines) -> str:
    """The review scores of the page's proposals, as a dot plot."""
    scored = [line for line in lines if line["details"].review_scores]
    if not scored:
        return ""
    return charts.dot_plot(
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


def statistics_charts(statistics) -> dict:
    """The call's proposals and selections by country and by region."""
    if not statistics.countries:
        return {"countries": "", "regions": ""}
    selections = _("Selected")
    proposals = _("Proposals")
    return {
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
        ),
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
        ),
    }


def export_view(
    request: HttpRequest, opportunity_pk: int, file_format: str
) -> HttpResponse:
    """The whole ranking as CSV (streamed) or XLSX (written row by row)."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_view_ranking)
    if file_format not in FILE_FORMATS:
        raise Http404
    stage = _stage(request, opportunity)
    # Ranked by weighted mean in the database, read a chunk at a time as the
    # response is written (reviews.exports.ranking_lines).
    figure_set = figure_set_id(opportunity=opportunity, stage=stage)
    rows = ranking_rows(
        opportunity=opportunity, stage=stage, figure_set=figure_set
    ).order_by(*RANKING_SORTS[SORTS["mean"][0]])
    lines = exports.ranking_lines(rows, opportunity=opportunity, stage=stage)
    filename = f"ranking-{slugify(opportunity.slug)}-{stage}"
    if file_format == "csv":
        return exports.csv_response(lines, filename=filename)
    statistics = selectors.call_statistics(opportunity=opportunity)
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
