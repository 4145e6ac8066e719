"""Decisions: letters of intent shortlisted or declined; full proposals
selected, conditionally selected or not, each with its letter; the call's
letter templates; and the release of every decision at once.

Administrators only (reviews.permissions.can_decide; the letter templates
can_manage_reviews). Every write is a reviews.services call — a letter through
`decide_letter`, the one door whichever button starts it; nothing reaches a
proposer before "Release all decisions". The lists show a page of proposals at
a time, with their reviews in / assigned and the incomplete ones flagged.
"""

from collections import Counter
from functools import partial

from django import forms
from django.contrib import messages
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.formats import get_format
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reviews import selectors, services
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from reviews.panel.base import (
    PER_PAGE,
    PROBLEMS_SHOWN,
    REFUSALS,
    confirm,
    figure,
    html,
    kept,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    ranked_page,
    render,
    show_refusal,
)
from reviews.panel_forms import (
    SHORTLIST,
    DecisionLetterForm,
    DecisionRowForm,
    LetterRowForm,
    LetterTemplatesForm,
    decision_prefix,
)
from reviews.permissions import can_decide, can_manage_reviews
from reviews.selectors.panel import call_stamp
from reviews.selectors.standings import figure_set_id


def decision_of(proposal) -> Decision | None:
    try:
        return proposal.decision
    except Decision.DoesNotExist:
        return None


def _selected_ids(request: HttpRequest) -> set[int] | None:
    """The proposals a manifest recommended (`?selected=3,7`), or None."""
    if "selected" not in request.GET:
        return None
    return {
        int(part)
        for part in request.GET["selected"].split(",")
        if part.strip().isdigit()
    }


def letter_prefill(proposal, outcome: str, conditions: str = "") -> str:
    """The call's letter for `outcome` (else the default), in the investigator's
    language, with the proposal's details filled in."""
    language = proposal.principal_investigator.preferred_language
    with translation.override(language):
        body = selectors.letter_template_body(
            opportunity=proposal.opportunity, outcome=outcome
        )
    return services.render_letter(body, proposal=proposal, conditions=conditions)


# --- letters of intent -----------------------------------------------------------


def letters_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_decide)
    if not opportunity.has_loi_stage:
        raise Http404(_("This call has no letter-of-intent stage."))
    page = paginate(request, selectors.letters_to_decide(opportunity=opportunity))
    forms_by_pk = {
        row.pk: LetterRowForm(request.POST or None, prefix=decision_prefix(row))
        for row in page
    }
    if request.method == "POST" and all(f.is_valid() for f in forms_by_pk.values()):
        done = Counter()
        for row in page:
            data = forms_by_pk[row.pk].cleaned_data
            if not data["choice"]:
                continue
            try:
                services.decide_letter(
                    proposal=row,
                    shortlist=data["choice"] == SHORTLIST,
                    actor=request.user,
                    note=data["note"],
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal, about=row.reference)
            else:
                done[data["choice"]] += 1
        if done:
            messages.success(
                request,
                _("Letters shortlisted: %(shortlisted)s; declined: %(declined)s.")
                % {
                    "shortlisted": done[SHORTLIST],
                    "declined": sum(done.values()) - done[SHORTLIST],
                },
            )
        return redirect(panel_url("letters", opportunity.pk))
    return render(
        request,
        "letters.html",
        opportunity=opportunity,
        title=_("Letters of intent"),
        tab="letters",
        rows=[
            {
                "row": row,
                "form": forms_by_pk[row.pk],
                **_values(forms_by_pk[row.pk], "choice", "note"),
            }
            for row in page
        ],
        choices=_choices(LetterRowForm, "choice"),
        note_attributes=_widget_attributes(LetterRowForm, "note"),
        decided=selectors.letters_decided(opportunity=opportunity)[:PER_PAGE],
        **pages(request, page),
    )


# --- decisions -------------------------------------------------------------------


# What a line of the decisions page reads of its proposal (a POST reads whole
# proposals: the services record the decisions on them).
DECISION_FIELDS = (
    "pk",
    "reference",
    "title",
    "principal_investigator__full_name",
    "principal_investigator__email",
    "principal_investigator__institution",
    "carrier__name",  # ranking_rows reads the carrier along
    "decision__outcome",
    "decision__conditions",
    "decision__released_at",
)


def decisions_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """Every full proposal in review (or decided), best first, a page at a time,
    with an outcome to choose; a new outcome takes the call's letter for it."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_decide)
    # The ranking's kept figures and the call's stamp name what the order of
    # the proposals, the counts and the release's problems are read from: they
    # are kept in the cache under them (reviews.panel.ranking explains how).
    figure_set = figure_set_id(opportunity=opportunity)
    stamp = call_stamp(opportunity=opportunity)
    rows = selectors.proposals_to_decide(opportunity=opportunity, figure_set=figure_set)
    order = kept(
        f"reviews:decisions-page:order:{figure_set}:{stamp}",
        lambda: list(rows.values_list("pk", flat=True)),
    )
    if request.method != "POST":
        rows = rows.only(*DECISION_FIELDS)
    page = ranked_page(request, rows, order=order)
    recommended = _selected_ids(request)
    initials = {}
    for row in page:
        decision = decision_of(row)
        if decision is not None and decision.is_released:
            continue
        initial = {}
        if decision is not None:
            initial = {"outcome": decision.outcome, "conditions": decision.conditions}
        elif recommended is not None:
            initial = {
                "outcome": DecisionOutcome.SELECTED
                if row.pk in recommended
                else DecisionOutcome.NOT_SELECTED
            }
        initials[row.pk] = initial
    if request.method == "POST":
        forms_by_pk = {
            row.pk: DecisionRowForm(
                request.POST, prefix=decision_prefix(row), initial=initials[row.pk]
            )
            for row in page
            if row.pk in initials
        }
    else:
        # A GET shows each field's initial value: the rows are written without
        # a form each (50 forms copying their fields were a fifth of the
        # page); the context's forms are made only if something reads them.
        forms_by_pk = {
            row.pk: SimpleLazyObject(
                partial(
                    DecisionRowForm,
                    None,
                    prefix=decision_prefix(row),
                    initial=initials[row.pk],
                )
            )
            for row in page
            if row.pk in initials
        }
    if request.method == "POST" and all(f.is_valid() for f in forms_by_pk.values()):
        recorded = _record_decisions(request, page, forms_by_pk)
        if recorded:
            messages.success(
                request,
                ngettext(
                    "%(count)s decision recorded. Nothing is sent before the release.",
                    "%(count)s decisions recorded. Nothing is sent before the release.",
                    recorded,
                )
                % {"count": recorded},
            )
        return redirect(panel_url("decisions", opportunity.pk) + _page_suffix(request))
    outcomes = kept(
        f"reviews:decisions-page:counts:{figure_set}:{stamp}",
        lambda: selectors.decision_counts(opportunity=opportunity),
    )
    language = translation.get_language()
    rows = [
        {
            "row": row,
            "decision": decision_of(row),
            "incomplete": row.reviews_in < row.reviews_assigned,
            "form": forms_by_pk.get(row.pk),
            **(
                _values(forms_by_pk.get(row.pk), "outcome", "conditions")
                if request.method == "POST"
                else _initial_values(initials.get(row.pk), "outcome", "conditions")
            ),
            "recommended": recommended is not None and row.pk in recommended,
        }
        for row in page
    ]
    return render(
        request,
        "decisions.html",
        opportunity=opportunity,
        title=_("Decisions"),
        tab="decisions",
        rows=rows,
        table_rows=_decision_rows(
            rows, opportunity=opportunity, bound=request.method == "POST"
        ),
        recommended=recommended,
        summary=[
            (outcome.label, outcomes.get(outcome.value, 0))
            for outcome in DecisionOutcome
        ],
        undecided=outcomes.get("", 0),
        **kept(
            f"reviews:decisions-page:problems:{opportunity.pk}:{stamp}:"
            f"{opportunity.status}:{language}",
            lambda: _release_problems(opportunity),
        ),
        **pages(request, page),
    )


# One line of the decisions page, written in one pass (50 lines, each with a
# select and a text area: through the template, most of the page's time).
_DECISION_ROW = (
    '<tr id="decision-{pk}"><td class="number">{rank}</td>'
    '<th scope="row"><span class="panel-ref">{reference}</span><br>'
    '<span class="panel-note">{title}</span>{recommended}</th>'
    '<td>{pi}<br><span class="panel-note">{institution}</span></td>'
    '<td class="number reviews">{reviews_in} / {reviews_assigned}{incomplete}</td>'
    '<td class="number">{mean}</td>{choice}</tr>\n'
)
_DECISION_FIELDS = (
    "<td>{outcome_errors}"
    '<label class="visually-hidden" for="{outcome_id}">{outcome_label}</label>'
    '<select name="{outcome_name}" id="{outcome_id}"{outcome_invalid}>{options}'
    "</select></td><td>{conditions_errors}"
    '<label class="visually-hidden" for="{conditions_id}">{conditions_label}</label>'
    '<textarea name="{conditions_name}"{conditions_attributes} id="{conditions_id}"'
    "{conditions_invalid}>\n{conditions}</textarea></td>"
    '<td><a href="{letter_url}">{letter}</a></td>'
)
_RELEASED = (
    "<td>{outcome}</td><td>{conditions}</td>"
    '<td><a href="{letter_url}">{read}</a> <span class="panel-note">({released})'
    "</span></td>"
)
INVALID = ' aria-invalid="true"'


def _decision_rows(rows, *, opportunity, bound: bool) -> str:
    """The decisions table's rows as HTML: every cell, and each row's outcome
    select and conditions text area (their names, ids and attributes as
    their widgets write them), written here once."""
    letter_url = panel_url("letter", opportunity.pk, 0).rsplit("0/", 1)[0]
    separator = get_format("DECIMAL_SEPARATOR")
    # Each option as written, unselected and selected, and the labels'
    # sentences, translated once for every row.
    options = [
        (
            value,
            f'<option value="{html(value)}">{html(label)}</option>',
            f'<option value="{html(value)}" selected>{html(label)}</option>',
        )
        for value, label in _choices(DecisionRowForm, "outcome")
    ]
    outcome_for = _("Outcome for %(reference)s")
    conditions_for = _("Conditions for %(reference)s")
    attributes = _widget_attributes(DecisionRowForm, "conditions")
    outcomes = {value: html(label) for value, label in DecisionOutcome.choices}
    words = {
        "recommended": '<br><span class="panel-ok">'
        f"{html(_('in the manifest'))}</span>",
        "incomplete": ' <span class="panel-flag incomplete">'
        f"{html(_('incomplete'))}</span>",
        "edit": html(_("Edit the letter")),
        "write": html(_("Write the letter")),
        "read": html(_("Read the letter")),
        "released": html(pgettext("a decision already released", "released")),
    }
    written = []
    for item in rows:
        row, decision, form = item["row"], item["decision"], item["form"]
        url = f"{letter_url}{row.pk}/"
        if form is not None:
            # A bound form's errors; the fields' names and ids as the form
            # (prefix p<pk>, auto_id "id_%s") gives them.
            errors = form.errors if bound else {}
            selected = item["outcome"]
            prefix = decision_prefix(row)
            choice = _DECISION_FIELDS.format(
                outcome_errors=errors.get("outcome", ""),
                outcome_id=f"id_{prefix}-outcome",
                outcome_name=f"{prefix}-outcome",
                outcome_label=html(outcome_for % {"reference": row.reference}),
                outcome_invalid=INVALID if "outcome" in errors else "",
                options="".join(
                    chosen if value == selected else option
                    for value, option, chosen in options
                ),
                conditions_errors=errors.get("conditions", ""),
                conditions_id=f"id_{prefix}-conditions",
                conditions_name=f"{prefix}-conditions",
                conditions_label=html(conditions_for % {"reference": row.reference}),
                conditions_attributes=attributes,
                conditions_invalid=INVALID if "conditions" in errors else "",
                conditions=html(item["conditions"]),
                letter_url=url,
                letter=words["edit"] if decision else words["write"],
            )
        else:
            choice = _RELEASED.format(
                outcome=outcomes.get(decision.outcome, html(decision.outcome)),
                conditions=html(decision.conditions or "—"),
                letter_url=url,
                read=words["read"],
                released=words["released"],
            )
        written.append(
            _DECISION_ROW.format(
                pk=row.pk,
                rank=row.rank_mean or "—",
                reference=html(row.reference),
                title=html(row.title),
                recommended=words["recommended"] if item["recommended"] else "",
                pi=html(row.principal_investigator.get_full_name()),
                institution=html(row.principal_investigator.institution),
                reviews_in=row.reviews_in,
                reviews_assigned=row.reviews_assigned,
                incomplete=words["incomplete"] if item["incomplete"] else "",
                mean=figure(row.weighted_mean, separator),
                choice=choice,
            )
        )
    return mark_safe("".join(written))  # noqa: S308 — every value escaped above


def _values(form, *names: str) -> dict[str, str]:
    """Each field's value as its widget shows it ("" for none): the rows of a
    page render their fields in the page's template, not one widget template
    per field (at 50 rows, most of the page's time)."""
    if form is None:
        return {}
    values = {name: form[name].value() for name in names}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _initial_values(initial: dict | None, *names: str) -> dict[str, str]:
    """`_values` of an unbound form with this `initial`, without the form."""
    if initial is None:
        return {}
    values = {name: initial.get(name) for name in names}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _choices(form_class, name: str) -> list[tuple[str, str]]:
    """The field's choices, their labels translated once for every row."""
    return [
        (value, str(label)) for value, label in form_class.base_fields[name].choices
    ]


def _widget_attributes(form_class, name: str) -> str:
    """The HTML attributes the field's widget has besides its name, id and
    value (rows, cols, maxlength), written once for every row of a page."""
    field = form_class.base_fields[name]
    return flatatt(
        field.widget.build_attrs(field.widget.attrs, field.widget_attrs(field.widget))
    )


def _release_problems(opportunity) -> dict:
    """What the decisions and release pages show of what holds the release
    back: the first PROBLEMS_SHOWN, and how many more (one query)."""
    problems, more = services.first_release_problems(opportunity, shown=PROBLEMS_SHOWN)
    return {"problems": problems, "more_problems": more}


def _page_suffix(request: HttpRequest) -> str:
    page = request.GET.get("page", "")
    return f"?page={page}" if page.isdigit() else ""


def _record_decisions(request, page, forms_by_pk) -> int:
    recorded = 0
    for row in page:
        form = forms_by_pk.get(row.pk)
        if form is None:
            continue
        outcome = form.cleaned_data["outcome"]
        conditions = form.cleaned_data["conditions"].strip()
        decision = decision_of(row)
        if not outcome:
            continue
        if decision is not None and (decision.outcome, decision.conditions) == (
            outcome,
            conditions,
        ):
            continue
        try:
            services.record_decision(
                proposal=row,
                outcome=outcome,
                conditions=conditions,
                actor=request.user,
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal, about=row.reference)
        else:
            recorded += 1
    return recorded


def letter_view(
    request: HttpRequest, opportunity_pk: int, proposal_pk: int
) -> HttpResponse:
    """One proposal's outcome and letter, the letter prefilled from the call's
    template for the outcome and editable."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_decide)
    proposal = selectors.panel_proposal(opportunity=opportunity, pk=proposal_pk)
    decision = selectors.decision_on(proposal=proposal)
    released = decision is not None and decision.is_released
    outcome = request.GET.get("outcome", "")
    if outcome not in DecisionOutcome.values:
        outcome = decision.outcome if decision else DecisionOutcome.SELECTED
    conditions = decision.conditions if decision else ""
    if decision is not None and outcome == decision.outcome:
        letter = decision.letter
    else:
        letter = letter_prefill(proposal, outcome, conditions)
    form = DecisionLetterForm(
        request.POST or None,
        initial={"outcome": outcome, "conditions": conditions, "letter": letter},
    )
    if request.method == "POST" and not released and form.is_valid():
        try:
            services.record_decision(
                proposal=proposal,
                outcome=form.cleaned_data["outcome"],
                conditions=form.cleaned_data["conditions"],
                letter=form.cleaned_data["letter"],
                actor=request.user,
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(
                request,
                _("The decision on %(reference)s is recorded with its letter.")
                % {"reference": proposal.reference},
            )
            return redirect(panel_url("decisions", opportunity.pk))
    return render(
        request,
        "letter.html",
        opportunity=opportunity,
        title=_("Decision letter for %(reference)s")
        % {"reference": proposal.reference},
        tab="decisions",
        proposal=proposal,
        decision=decision,
        released=released,
        form=form,
        outcomes=[
            (value, label, value == outcome) for value, label in DecisionOutcome.choices
        ],
        comments=selectors.proposer_comments(proposal=proposal),
    )


def templates_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The call's own letter for each outcome, replacing the default."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_reviews)
    current = selectors.letter_templates(opportunity=opportunity)
    form = LetterTemplatesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            for outcome in DecisionOutcome:
                body = form.cleaned_data[outcome.value].strip()
                if body != current.get(outcome.value, ""):
                    services.set_letter_template(
                        opportunity=opportunity,
                        outcome=outcome.value,
                        body=body,
                        actor=request.user,
                    )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(request, _("The letters of this call are saved."))
            return redirect(panel_url("decisions", opportunity.pk))
    return render(
        request,
        "templates.html",
        opportunity=opportunity,
        title=_("Decision letter templates"),
        tab="decisions",
        form=form,
        fields=[
            (
                form[outcome.value],
                services.default_letter_body(
                    outcome.value, language=translation.get_language()
                ),
            )
            for outcome in DecisionOutcome
        ],
    )


# --- release ---------------------------------------------------------------------


class ReleaseForm(forms.Form):
    """The number of reviews still outstanding, typed back by the
    administrator when there are any."""

    outstanding = forms.IntegerField(
        label=_("Reviews outstanding"), min_value=0, required=False
    )


def release_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """Confirm — typing the number of reviews still outstanding when there are
    any — then release every decision of the call at once."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_decide)
    outstanding = services.outstanding_reviews(opportunity)
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            released = services.release_decisions(
                opportunity=opportunity,
                actor=request.user,
                outstanding_confirmed=form.cleaned_data["outstanding"],
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
            return redirect(panel_url("release", opportunity.pk))
        messages.success(
            request,
            ngettext(
                "%(count)s decision released: the investigator and the team are "
                "emailed, and the call is decided.",
                "%(count)s decisions released: the investigators and their "
                "teams are emailed, and the call is decided.",
                len(released),
            )
            % {"count": len(released)},
        )
        return redirect(panel_url("decisions", opportunity.pk))
    page = paginate(request, selectors.decisions_to_release(opportunity=opportunity))
    return confirm(
        request,
        opportunity=opportunity,
        title=_("Release all decisions"),
        tab="decisions",
        details="release_details.html",
        question=_(
            "Release every decision of this call at once? Each proposal moves to "
            "its outcome, its principal investigator and team are emailed the "
            "letter and the reviewers' comments meant for them (never names, "
            "scores or confidential comments), every open assignment and draft "
            "review of the call ends and its reviewer is told, and the call's "
            "review closes: it becomes decided. This cannot be undone."
        ),
        form=form if outstanding.outstanding else None,
        button=_("Release all decisions"),
        back_url=panel_url("decisions", opportunity.pk),
        **_release_problems(opportunity),
        summary=selectors.release_summary(opportunity=opportunity),
        outstanding=outstanding,
        decisions=page,
        **pages(request, page),
    )
