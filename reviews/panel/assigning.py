"""Assigning reviewers: by hand (one proposal or several at once) and
automatically, with the plan shown before it is saved. Administrators only
(reviews.permissions.can_manage_reviews); every write is a reviews.services
call. Both pages show one page of proposals at a time."""

from collections import defaultdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews import selectors, services
from reviews.assignment import plan_assignments
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, BidPreference
from reviews.panel.base import (
    REFUSALS,
    opportunity_for,
    pages,
    paginate,
    panel_url,
    render,
    show_refusal,
)
from reviews.panel_forms import AssignForm, AutoAssignForm, plan_pairs, sign_plan
from reviews.permissions import can_manage_reviews


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
    proposals = selectors.proposals_awaiting_review(opportunity=opportunity)
    reviewers = selectors.reviewer_loads(opportunity=opportunity)
    form = AssignForm(request.POST or None, proposals=proposals, reviewers=reviewers)
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
    by_proposal = defaultdict(list)
    for assignment in selectors.assignments_on_proposals(
        user=request.user,
        opportunity=opportunity,
        proposal_ids=[proposal.pk for proposal in page],
    ):
        by_proposal[assignment.proposal_id].append(assignment)
    ticked = {str(value) for value in form["proposals"].value() or []}
    rows = []
    for proposal in page:
        held = by_proposal.get(proposal.pk, [])
        active = [a for a in held if a.status in ACTIVE_ASSIGNMENT_STATUSES]
        rows.append(
            {
                "proposal": proposal,
                "assignments": held,
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
        reviewer_rows=[
            {"reviewer": reviewer, "load": reviewer.load} for reviewer in reviewers
        ],
        **pages(request, page),
    )


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
    """The automatic plan (reviews.assignment.plan_assignments), shown a page
    of proposals at a time; "Save this plan" saves it only if it is still the
    plan that was shown."""
    opportunity = opportunity_for(request, opportunity_pk, allowed=can_manage_reviews)
    reviewers = list(selectors.eligible_reviewers())
    proposals = list(selectors.proposals_awaiting_review(opportunity=opportunity))
    existing = list(selectors.call_assignments(opportunity=opportunity))
    plan = plan_assignments(
        opportunity=opportunity,
        reviewers=reviewers,
        existing=existing,
        proposals=proposals,
    )
    form = AutoAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.shown_plan() != plan_pairs(plan):
            messages.warning(
                request,
                _(
                    "The plan has changed since it was shown (an assignment, a "
                    "reviewer or a proposal changed). Here is the plan as it "
                    "stands now: check it and save it again."
                ),
            )
        elif not plan.assignments:
            messages.info(request, _("There is nothing to assign."))
        else:
            try:
                made = services.apply_plan(
                    plan=plan, due=form.due_at(), actor=request.user
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal)
            else:
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
        form = AutoAssignForm(
            initial={"due": form.cleaned_data["due"], "plan": sign_plan(plan)}
        )
    elif request.method != "POST":
        form = AutoAssignForm(initial={"plan": sign_plan(plan)})
    else:
        form.data = form.data.copy()
        form.data["plan"] = sign_plan(plan)

    planned = defaultdict(list)
    for row in plan.assignments:
        planned[row.proposal.pk].append(row)
    unfilled = {slot.proposal.pk: slot for slot in plan.unfilled}
    held = defaultdict(int)
    for assignment in existing:
        if assignment.status in ACTIVE_ASSIGNMENT_STATUSES:
            held[assignment.proposal_id] += 1
    page = paginate(request, proposals)
    rows = [
        {
            "proposal": proposal,
            "held": held[proposal.pk],
            "planned": [
                (row, BidPreference(row.bid).label if row.bid else "")
                for row in planned.get(proposal.pk, [])
            ],
            "unfilled": unfilled.get(proposal.pk),
        }
        for proposal in page
    ]
    return render(
        request,
        "auto.html",
        opportunity=opportunity,
        title=_("Automatic assignment"),
        tab="auto",
        form=form,
        plan=plan,
        rows=rows,
        reviewers=reviewers,
        **pages(request, page),
    )
