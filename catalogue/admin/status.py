"""Status moves and amendments of calls, from the admin.

Every move goes through catalogue.workflow.transition, which judges it; every
amendment through catalogue.services.post_amendment. The change page offers
the moves the workflow allows as buttons, each opening a confirmation page that
posts; the changelist offers bulk publish, close and cancel, also confirmed.
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from catalogue import services, views, workflow
from catalogue.enums import OpportunityStatus as S
from catalogue.forms import AmendmentForm, TransitionForm
from catalogue.models import MissionSubscription, Opportunity

TEMPLATES = "admin/catalogue/opportunity/"


@dataclass(frozen=True)
class Move:
    """A status move offered to administrators; the workflow judges it."""

    name: str
    to: str
    label: Promise
    question: Promise
    # Where the button shows; None: wherever the workflow allows the move.
    shown_from: frozenset[str] | None = None

    def shown_for(self, opportunity: Opportunity) -> bool:
        allowed = self.to in workflow.allowed_targets(opportunity)
        return allowed and (
            self.shown_from is None or opportunity.status in self.shown_from
        )


MOVES = {
    move.name: move
    for move in [
        Move(
            "publish",
            S.PUBLISHED,
            gettext_lazy("Publish"),
            gettext_lazy(
                "Publish this call? It becomes public at once, and its CNSA "
                "contacts and the researchers following its mission are emailed."
            ),
            shown_from=frozenset({S.DRAFT}),
        ),
        Move(
            "close",
            S.CLOSED,
            pgettext_lazy("close a call for proposals", "Close"),
            gettext_lazy("Close this call? It stops taking proposals."),
        ),
        Move(
            "reopen",
            S.PUBLISHED,
            gettext_lazy("Reopen"),
            gettext_lazy(
                "Reopen this call? It takes proposals again until its deadline. "
                "No new announcement is emailed."
            ),
            shown_from=frozenset({S.CLOSED}),
        ),
        Move(
            "decide",
            S.DECIDED,
            gettext_lazy("Mark decided"),
            gettext_lazy(
                "Mark this call decided? The selection is over; this cannot be undone."
            ),
        ),
        Move(
            "cancel",
            S.CANCELLED,
            gettext_lazy("Cancel the call"),
            gettext_lazy("Cancel this call? This cannot be undone."),
        ),
    ]
}


class StatusMovesMixin:
    """For OpportunityAdmin: the move buttons and pages, amendments, the
    preview and the bulk actions."""

    actions = ["publish_selected", "close_selected", "cancel_selected"]

    def _object_tools(self, request, object_id) -> dict:
        """The change page's buttons: the preview for whoever may view the
        call; the moves the workflow allows now and the amendment for whoever
        may change it."""
        if object_id is None:
            return {}
        opportunity = self.get_object(request, unquote(object_id))
        if opportunity is None:
            return {}
        tools = {"preview_url": self._url("preview", opportunity)}
        if self.has_change_permission(request, opportunity):
            tools["moves"] = [
                {"label": move.label, "url": self._url("transition", opportunity, move)}
                for move in MOVES.values()
                if move.shown_for(opportunity)
            ]
            tools["amend_url"] = (
                self._url("amend", opportunity)
                if services.is_amendable(opportunity)
                else None
            )
        return tools

    # Extra views

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/move/<slug:move>/",
                wrap(self.transition_view),
                name="catalogue_opportunity_transition",
            ),
            path(
                "<path:object_id>/amend/",
                wrap(self.amend_view),
                name="catalogue_opportunity_amend",
            ),
            path(
                "<int:pk>/preview/",
                wrap(views.opportunity_preview),
                name="catalogue_opportunity_preview",
            ),
            *super().get_urls(),
        ]

    def _url(self, view: str, opportunity: Opportunity, move: Move | None = None):
        args = [opportunity.pk] if move is None else [opportunity.pk, move.name]
        return reverse(
            f"{self.admin_site.name}:catalogue_opportunity_{view}", args=args
        )

    def _change_url(self, opportunity: Opportunity) -> str:
        return reverse(
            f"{self.admin_site.name}:catalogue_opportunity_change",
            args=[opportunity.pk],
        )

    def _opportunity_to_change(self, request, object_id) -> Opportunity:
        opportunity = self.get_object(request, unquote(object_id))
        if opportunity is None:
            raise Http404(_("No such opportunity."))
        if not self.has_change_permission(request, opportunity):
            raise PermissionDenied
        return opportunity

    def _page(self, request, template: str, opportunity: Opportunity | None, **context):
        return TemplateResponse(
            request,
            TEMPLATES + template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": opportunity,
                **context,
            },
        )

    def transition_view(self, request: HttpRequest, object_id: str, move: str):
        """Confirm, then make, one status move of one call."""
        chosen = MOVES.get(move)
        if chosen is None:
            raise Http404(_("No such status move."))
        opportunity = self._opportunity_to_change(request, object_id)
        change_url = self._change_url(opportunity)
        form = TransitionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                workflow.transition(
                    opportunity,
                    to=chosen.to,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except workflow.TransitionNotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("“%(title)s” is now %(status)s.")
                    % {"title": opportunity, "status": S(chosen.to).label},
                    messages.SUCCESS,
                )
            return redirect(change_url)
        refusal = workflow.refusal(opportunity, to=chosen.to)
        if refusal is not None:
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(change_url)
        return self._page(
            request,
            "transition_confirm.html",
            opportunity,
            title=_("%(move)s “%(title)s”")
            % {"move": chosen.label, "title": opportunity},
            move=chosen,
            form=form,
            audience=self._audience(opportunity) if chosen.name == "publish" else None,
            change_url=change_url,
        )

    @staticmethod
    def _audience(opportunity: Opportunity) -> dict:
        return {
            "contacts": opportunity.contacts.count(),
            "subscribers": MissionSubscription.objects.filter(
                mission_id=opportunity.mission_id, user__is_active=True
            ).count(),
        }

    def amend_view(self, request: HttpRequest, object_id: str):
        """Post a dated amendment to a published or closed call."""
        opportunity = self._opportunity_to_change(request, object_id)
        change_url = self._change_url(opportunity)
        if not services.is_amendable(opportunity):
            self.message_user(request, str(services.AmendmentRefused()), messages.ERROR)
            return redirect(change_url)
        form = AmendmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                amendment = services.post_amendment(
                    opportunity=opportunity, actor=request.user, **form.cleaned_data
                )
            except services.AmendmentRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "Amendment “%(title)s” posted; the call's contacts, "
                        "followers and teams at work are being emailed."
                    )
                    % {"title": amendment.title_en},
                    messages.SUCCESS,
                )
            return redirect(change_url)
        return self._page(
            request,
            "amend_form.html",
            opportunity,
            title=_("Post an amendment to “%(title)s”") % {"title": opportunity},
            form=form,
            change_url=change_url,
        )

    # Bulk actions

    def _bulk_move(
        self, request, queryset: QuerySet[Opportunity], move: Move, action: str
    ) -> HttpResponse | None:
        """Confirm, then move each selected call; report what moved and what
        the workflow refused."""
        form = TransitionForm(request.POST)
        if request.POST.get("post") != "yes" or not form.is_valid():
            opportunities = list(queryset.select_related("mission"))
            refusals = [
                (opportunity, workflow.refusal(opportunity, to=move.to))
                for opportunity in opportunities
            ]
            return self._page(
                request,
                "action_confirm.html",
                None,
                title=_("%(move)s the selected calls") % {"move": move.label},
                move=move,
                action=action,
                form=TransitionForm(),
                movable=[o for o, refusal in refusals if refusal is None],
                refused=[(o, refusal) for o, refusal in refusals if refusal],
                queryset=opportunities,
                action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            )
        moved, refused = 0, []
        for opportunity in queryset:
            try:
                workflow.transition(
                    opportunity,
                    to=move.to,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except workflow.TransitionNotAllowed as refusal:
                refused.append(f"“{opportunity}”: {refusal}")
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d call is now %(status)s.",
                    "%(count)d calls are now %(status)s.",
                    moved,
                )
                % {"count": moved, "status": S(move.to).label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not moved: %(refusals)s") % {"refusals": " ".join(refused)},
                messages.ERROR,
            )
        return None

    @admin.action(
        description=gettext_lazy("Publish the selected calls"), permissions=["change"]
    )
    def publish_selected(self, request, queryset):
        return self._bulk_move(request, queryset, MOVES["publish"], "publish_selected")

    @admin.action(
        description=gettext_lazy("Close the selected calls"), permissions=["change"]
    )
    def close_selected(self, request, queryset):
        return self._bulk_move(request, queryset, MOVES["close"], "close_selected")

    @admin.action(
        description=gettext_lazy("Cancel the selected calls"), permissions=["change"]
    )
    def cancel_selected(self, request, queryset):
        return self._bulk_move(request, queryset, MOVES["cancel"], "cancel_selected")
