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

from django import forms
from django.contrib import messages
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews import selectors, services
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from reviews.panel.base import (
    PER_PAGE,
    PROBLEMS_SHOWN,
    REFUSALS,
    confirm,
    opportunity_for,
    pages,
    paginate,
    panel_url,
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


def decisions_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """Every full proposal in review (or decided), best first, a page at a time,
    with an outcome to choose; a new outcome takes the call's letter for it."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_decide)
    page = paginate(request, selectors.proposals_to_decide(opportunity=opportunity))
    recommended = _selected_ids(request)
    forms_by_pk = {}
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
        forms_by_pk[row.pk] = DecisionRowForm(
            request.POST or None, prefix=decision_prefix(row), initial=initial
        )
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
    outcomes = selectors.decision_counts(opportunity=opportunity)
    return render(
        request,
        "decisions.html",
        opportunity=opportunity,
        title=_("Decisions"),
        tab="decisions",
        rows=[
            {
                "row": row,
                "decision": decision_of(row),
                "incomplete": row.reviews_in < row.reviews_assigned,
                "form": forms_by_pk.get(row.pk),
                **_values(forms_by_pk.get(row.pk), "outcome", "conditions"),
                "recommended": recommended is not None and row.pk in recommended,
                "letter_url": panel_url("letter", opportunity.pk, row.pk),
            }
            for row in page
        ],
        outcome_choices=_choices(DecisionRowForm, "outcome"),
        conditions_attributes=_widget_attributes(DecisionRowForm, "conditions"),
        recommended=recommended,
        summary=[
            (outcome.label, outcomes.get(outcome.value, 0))
            for outcome in DecisionOutcome
        ],
        undecided=outcomes.get("", 0),
        **_release_problems(opportunity),
        **pages(request, page),
    )


def _values(form, *names: str) -> dict[str, str]:
    """Each field's value as its widget shows it ("" for none): the rows of a
    page render their fields in the page's template, not one widget template
    per field (at 50 rows, most of the page's time)."""
    if form is None:
        return {}
    values = {name: form[name].value() for name in names}
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
