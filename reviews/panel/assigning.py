"""Assigning reviewers: by hand (one proposal or several at once) and
automatically, with the plan shown before it is saved. Administrators only
(reviews.permissions.can_manage_reviews); every write is a reviews.services
call. Both pages show one page of proposals at a time."""

from collections import defaultdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.templatetags.catalogue_tags import beijing
from reviews import selectors, services
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, BidPreference
from reviews.panel.base import (
    REFUSALS,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    render,
    show_refusal,
)
from reviews.panel_forms import AssignForm, AutoAssignForm
from reviews.permissions import can_manage_reviews
from reviews.services import assigning as plan_services

# While a plan is computing, its page reloads itself every this many seconds.
PLAN_REFRESH_SECONDS = 5


def _refusal_lines(refused) -> list[str]:
    return [
        _("%(reference)s, %(reviewer)s: %(reasons)s")
        % {
            "reference": proposal.reference,
            "reviewer": reviewer.get_full_name() or reviewer.email,
            "reasons": " ".join(str(reason) for reason in reasons),
        }
        for proposal, reviewer, reasons in refused
    ]


def assign_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The proposals awaiting review with their reviewers; tick one or more and
    choose a reviewer and a due date. A refused pair (a conflict of interest,
    say) is shown with every reason."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_reviews)
    if request.method == "POST" and "cancel" in request.POST:
        return _cancel_assignment(request, opportunity)
    proposals = selectors.proposals_to_assign(opportunity=opportunity)
    form = AssignForm(
        request.POST or None,
        proposals=proposals,
        reviewers=selectors.eligible_reviewers(),
    )
    if request.method == "POST" and form.is_valid():
        chosen = sorted(form.cleaned_data["proposals"], key=lambda p: p.pk)
        reviewer = form.cleaned_data["reviewer"]
        result = services.assign_reviewers(
            pairs=[(proposal, reviewer) for proposal in chosen],
            due=form.due_at(),
            actor=request.user,
        )
        if result.assigned:
            messages.success(
                request,
                ngettext(
                    "%(reviewer)s is assigned %(count)s proposal.",
                    "%(reviewer)s is assigned %(count)s proposals.",
                    len(result.assigned),
                )
                % {
                    "reviewer": reviewer.get_full_name() or reviewer.email,
                    "count": len(result.assigned),
                },
            )
            for line in _refusal_lines(result.refused):
                messages.error(request, _("Not assigned: %(why)s") % {"why": line})
            return redirect(panel_url("assign", opportunity.pk))
        for line in _refusal_lines(result.refused):
            form.add_error(None, _("Not assigned: %(why)s") % {"why": line})

    page = paginate(request, proposals)
    reviewers = selectors.reviewer_loads(opportunity=opportunity)
    by_proposal = defaultdict(list)
    for assignment in selectors.assignments_listed(
        user=request.user,
        opportunity=opportunity,
        proposal_ids=[proposal.pk for proposal in page],
    ):
        by_proposal[assignment.proposal_id].append(assignment)
    ticked = {str(value) for value in form["proposals"].value() or []}
    rows = []
    shown = _AssignmentLines()
    for proposal in page:
        held = by_proposal.get(proposal.pk, [])
        active = [a for a in held if a.status in ACTIVE_ASSIGNMENT_STATUSES]
        rows.append(
            {
                "proposal": proposal,
                "assignments": [shown.line(assignment) for assignment in held],
                "active": len(active),
                "missing": max(0, opportunity.reviewers_per_proposal - len(active)),
                "ticked": str(proposal.pk) in ticked,
            }
        )
    return render(
        request,
        "assign.html",
        opportunity=opportunity,
        title=_("Assign reviewers"),
        tab="assign",
        form=form,
        rows=rows,
        # The reviewer select and the loads table list every reviewer of the
        # pool (150 at the bench): written here in one pass each, not through a
        # template loop of several lookups per row.
        reviewer_options=format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    SELECTED if option["selected"] else "",
                    option["label"],
                )
                for option in form.reviewer_options(reviewers)
            ),
        ),
        reviewer_rows=format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td>'
            '<td class="number">{}</td></tr>',
            (
                (
                    reviewer.get_full_name(),
                    reviewer.institution,
                    _expertise(reviewer),
                    reviewer.load,
                )
                for reviewer in reviewers
            ),
        ),
        **pages(request, page),
    )


SELECTED = mark_safe(" selected")


def _expertise(reviewer) -> str:
    profile = getattr(reviewer, "reviewer_profile", None)
    return (profile.expertise if profile is not None else "") or "—"


class _AssignmentLines:
    """What the assignment page shows of each assignment, its texts worked out
    once per status and per due date rather than once per assignment."""

    def __init__(self):
        self.statuses = {value: str(label) for value, label in AssignmentStatus.choices}
        self.dues: dict = {}

    def line(self, assignment) -> dict:
        due = assignment.due_at
        if due not in self.dues:
            self.dues[due] = beijing(due)
        name = assignment.reviewer.get_full_name()
        return {
            "pk": assignment.pk,
            "reviewer": name,
            "status": self.statuses.get(assignment.status, assignment.status),
            "is_active": assignment.status in ACTIVE_ASSIGNMENT_STATUSES,
            "due": self.dues[due],
            "cancel": _("the assignment of %(name)s") % {"name": name},
        }


def _cancel_assignment(request: HttpRequest, opportunity) -> HttpResponse:
    assignment = selectors.assignment_on_call(
        opportunity=opportunity, pk=request.POST.get("cancel", "")
    )
    if assignment is not None:
        try:
            services.cancel_assignment(
                assignment=assignment,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except REFUSALS as refusal:
            show_refusal(request, refusal)
        else:
            messages.success(
                request,
                _("The assignment of %(reference)s to %(reviewer)s is cancelled.")
                % {
                    "reference": assignment.proposal.reference,
                    "reviewer": assignment.reviewer.get_full_name(),
                },
            )
    return redirect(panel_url("assign", opportunity.pk))


def auto_view(request: HttpRequest, opportunity_pk: int) -> HttpResponse:
    """The call's automatic plan (reviews.assignment.plan_assignments), computed
    by a task when asked ("Compute the plan") and stored: shown a page of
    proposals at a time, with its age and a warning once its inputs changed.
    "Save this plan" saves the stored plan shown, if it is still up to date."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_reviews)
    if request.method == "POST" and "compute" in request.POST:
        return _compute_plan(request, opportunity)
    form = AutoAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save_plan(request, opportunity, form)
        if saved is not None:
            return saved
    plan = selectors.latest_assignment_plan(opportunity=opportunity)
    context = {}
    if plan is not None and plan.is_ready:
        fingerprint = selectors.plan_fingerprint(opportunity=opportunity)
        context["outdated"] = fingerprint != plan.fingerprint
        if not form.is_bound:
            form = AutoAssignForm(
                initial={"plan": plan.pk, "fingerprint": plan.fingerprint}
            )
    if plan is not None and (plan.is_ready or plan.is_applied):
        page = paginate(request, selectors.proposals_to_plan(opportunity=opportunity))
        context |= {
            "show_plan": True,
            "rows": _plan_rows(plan, page),
            "loads": selectors.plan_loads(plan=plan),
            **pages(request, page),
        }
    return render(
        request,
        "auto.html",
        opportunity=opportunity,
        title=_("Automatic assignment"),
        tab="auto",
        form=form,
        plan=plan,
        refresh_seconds=PLAN_REFRESH_SECONDS,
        **context,
    )


def _plan_rows(plan, page) -> list[dict]:
    """The page's proposals with their planned reviewers and shortfalls (two
    queries, whatever the page)."""
    ids = [proposal.pk for proposal in page]
    planned = defaultdict(list)
    for pair in selectors.planned_pair_rows(plan=plan, proposal_ids=ids):
        planned[pair["proposal_id"]].append(pair)
    short = {
        slot.proposal_id: slot
        for slot in selectors.plan_shortfalls(plan=plan, proposal_ids=ids)
    }
    return [
        {
            "proposal": proposal,
            "held": proposal.held,
            "planned": [
                (pair, BidPreference(pair["bid"]).label if pair["bid"] else "")
                for pair in planned.get(proposal.pk, [])
            ],
            "unfilled": short.get(proposal.pk),
        }
        for proposal in page
    ]


def _compute_plan(request: HttpRequest, opportunity) -> HttpResponse:
    try:
        plan, started = plan_services.request_assignment_plan(
            opportunity=opportunity,
            actor=request.user,
            language=translation.get_language() or "",
        )
    except REFUSALS as refusal:
        show_refusal(request, refusal)
    else:
        if not started:
            messages.info(
                request,
                _(
                    "The plan is already being computed (asked for at %(when)s): "
                    "this page shows it when it is ready."
                )
                % {"when": beijing(plan.requested_at)},
            )
    return redirect(panel_url("auto", opportunity.pk))


def _save_plan(request: HttpRequest, opportunity, form) -> HttpResponse | None:
    """Save the stored plan posted; None (the page is shown again, with the
    refusal) when it is refused."""
    plan = selectors.assignment_plan_on_call(
        opportunity=opportunity, pk=form.cleaned_data["plan"]
    )
    if plan is None:
        messages.error(request, _("This plan no longer exists: compute it again."))
        return redirect(panel_url("auto", opportunity.pk))
    if not plan.planned_count:
        messages.info(request, _("There is nothing to assign."))
        return None
    try:
        made = services.apply_plan(
            plan=plan,
            due=form.due_at(),
            actor=request.user,
            fingerprint=form.cleaned_data["fingerprint"],
        )
    except REFUSALS as refusal:
        show_refusal(request, refusal)
        return None
    messages.success(
        request,
        ngettext(
            "%(count)s assignment saved; the reviewer is emailed.",
            "%(count)s assignments saved; the reviewers are emailed.",
            len(made),
        )
        % {"count": len(made)},
    )
    return redirect(panel_url("assign", opportunity.pk))
