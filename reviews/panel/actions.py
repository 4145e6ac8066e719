"""The administrators' actions on the assignments' and reviews' changelists
(reviews.admin.reviewing): "Cancel the selected assignments" and "Reopen the
selected reviews", each asking for the reason on the panel's one confirmation
page, each a reviews.services call per row with refusals shown one way."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reviews import services
from reviews.enums import ReviewStatus
from reviews.panel.base import REFUSALS, confirm, show_refusal
from reviews.panel_forms import ReopenForm


def _reason_page(modeladmin, request, objects, *, action, title, question, form):
    opts = modeladmin.model._meta
    return confirm(
        request,
        opportunity=None,
        title=title,
        question=question,
        objects=objects,
        form=form,
        button=title,
        back_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        hidden=[
            *((helpers.ACTION_CHECKBOX_NAME, item.pk) for item in objects),
            ("action", action),
            ("apply", "yes"),
        ],
    )


@admin.action(
    description=gettext_lazy("Reopen the selected reviews"), permissions=["manage"]
)
def reopen_reviews(modeladmin, request, queryset):
    """Reopen submitted reviews for their reviewers, with one reason for all;
    each reopening is kept in the review's history and emailed."""
    reviews = list(
        queryset.select_related("assignment__reviewer", "assignment__proposal")
    )
    form = ReopenForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for review in reviews:
            if review.status != ReviewStatus.SUBMITTED:
                messages.warning(
                    request,
                    _("%(review)s is not submitted: nothing to reopen.")
                    % {"review": review},
                )
                continue
            try:
                services.reopen_review(
                    review=review,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal, about=str(review))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s review reopened; its reviewer is emailed the reason.",
                    "%(count)s reviews reopened; their reviewers are emailed the "
                    "reason.",
                    done,
                )
                % {"count": done},
            )
        return None
    return _reason_page(
        modeladmin,
        request,
        reviews,
        action="reopen_reviews",
        title=_("Reopen reviews"),
        question=_(
            "Reopen these reviews? Each reviewer can change and submit theirs "
            "again; the reason is kept in the review's history and emailed."
        ),
        form=form,
    )


@admin.action(
    description=gettext_lazy("Cancel the selected assignments"),
    permissions=["manage"],
)
def cancel_assignments(modeladmin, request, queryset):
    """Withdraw invited or accepted assignments, with one reason for all; each
    reviewer is emailed (reviews.services.cancel_assignment)."""
    assignments = list(queryset.select_related("reviewer", "proposal"))
    form = ReopenForm(request.POST if "apply" in request.POST else None)
    form.fields["reason"].label = _("Why the assignments are cancelled")
    form.fields["reason"].help_text = _("Kept in each assignment's history.")
    if "apply" in request.POST and form.is_valid():
        done = 0
        for assignment in assignments:
            try:
                services.cancel_assignment(
                    assignment=assignment,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except REFUSALS as refusal:
                show_refusal(request, refusal, about=str(assignment))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)s assignment cancelled.",
                    "%(count)s assignments cancelled.",
                    done,
                )
                % {"count": done},
            )
        return None
    return _reason_page(
        modeladmin,
        request,
        assignments,
        action="cancel_assignments",
        title=_("Cancel assignments"),
        question=_("Cancel these assignments? Their reviewers stop being reminded."),
        form=form,
    )
