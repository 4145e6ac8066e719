"""Decisions: letters of intent shortlisted or declined; full proposals
selected, conditionally selected or not, each with its letter; the call's
letter templates; and the release of every decision at once.

Administrators only (reviews.permissions.can_decide; the letter templates
can_manage_reviews). Every write is a reviews.services call; nothing reaches a
proposer before "Release all decisions".
"""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.workflow import TransitionNotAllowed as CallTransitionNotAllowed
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import TeamMember
from proposals.services import LetterDecisionRefused
from proposals.workflow import TransitionNotAllowed as ProposalTransitionNotAllowed
from reviews import emails, exports, selectors, services
from reviews.enums import DecisionOutcome
from reviews.models import Decision, DecisionLetterTemplate
from reviews.panel_forms import (
    SHORTLIST,
    DecisionLetterForm,
    DecisionRowForm,
    LetterRowForm,
    LetterTemplatesForm,
    decision_prefix,
)
from reviews.permissions import can_decide, can_manage_reviews

IN_REVIEW = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW)
REFUSALS = (
    services.DecisionRefused,
    ValidationError,
    PermissionDenied,
    LetterDecisionRefused,
    ProposalTransitionNotAllowed,
    CallTransitionNotAllowed,
)


def refusal_text(refusal: Exception) -> str:
    """Every sentence of a refusal, whatever kind it is."""
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    found = getattr(refusal, "messages", None)
    return " ".join(str(message) for message in found) if found else str(refusal)


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


class DecisionPages:
    """Mixed into the panel's ModelAdmin with PanelPages."""

    # --- letters of intent -------------------------------------------------------

    def letters_view(self, request: HttpRequest, opportunity_pk: int) -> HttpResponse:
        opportunity = self.panel_opportunity(
            request, opportunity_pk, allowed=can_decide
        )
        if not opportunity.has_loi_stage:
            raise Http404(_("This call has no letter-of-intent stage."))
        lines = exports.ranking_lines(
            selectors.ranking(
                opportunity=opportunity, stage=ProposalStage.LETTER_OF_INTENT
            )
        )
        pending = [
            line
            for line in lines
            if line.proposal.stage == ProposalStage.LETTER_OF_INTENT
            and line.proposal.status in IN_REVIEW
        ]
        forms = {
            line.proposal.pk: LetterRowForm(
                request.POST or None, prefix=decision_prefix(line.proposal)
            )
            for line in pending
        }
        if request.method == "POST" and all(form.is_valid() for form in forms.values()):
            done = Counter()
            for line in pending:
                data = forms[line.proposal.pk].cleaned_data
                if not data["choice"]:
                    continue
                try:
                    services.decide_letter(
                        proposal=line.proposal,
                        shortlist=data["choice"] == SHORTLIST,
                        actor=request.user,
                        note=data["note"],
                    )
                except REFUSALS as refusal:
                    messages.error(
                        request,
                        _("%(reference)s: %(why)s")
                        % {
                            "reference": line.proposal.reference,
                            "why": refusal_text(refusal),
                        },
                    )
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
            return redirect(self.panel_url("letters", opportunity.pk))
        return self.panel_page(
            request,
            "letters.html",
            opportunity=opportunity,
            title=_("Letters of intent"),
            tab="letters",
            rows=[{"line": line, "form": forms[line.proposal.pk]} for line in pending],
            decided=[line for line in lines if line.proposal.pk not in forms],
        )

    # --- decisions ---------------------------------------------------------------

    def decisions_view(self, request: HttpRequest, opportunity_pk: int) -> HttpResponse:
        """Every full proposal in review (or decided), best first, with an outcome
        to choose; a new outcome takes the call's letter for it."""
        opportunity = self.panel_opportunity(
            request, opportunity_pk, allowed=can_decide
        )
        lines = [
            line
            for line in exports.ranking_lines(
                selectors.ranking(opportunity=opportunity)
            )
            if line.proposal.stage == ProposalStage.FULL
            and (line.proposal.status in IN_REVIEW or line.row.decision is not None)
        ]
        recommended = _selected_ids(request)
        forms = {}
        for line in lines:
            decision = line.row.decision
            if decision is not None and decision.is_released:
                continue
            initial = {}
            if decision is not None:
                initial = {
                    "outcome": decision.outcome,
                    "conditions": decision.conditions,
                }
            elif recommended is not None:
                initial = {
                    "outcome": DecisionOutcome.SELECTED
                    if line.proposal.pk in recommended
                    else DecisionOutcome.NOT_SELECTED
                }
            forms[line.proposal.pk] = DecisionRowForm(
                request.POST or None,
                prefix=decision_prefix(line.proposal),
                initial=initial,
            )
        if request.method == "POST" and all(form.is_valid() for form in forms.values()):
            recorded = self._record_decisions(request, lines, forms)
            if recorded:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s decision recorded. Nothing is sent before the "
                        "release.",
                        "%(count)s decisions recorded. Nothing is sent before the "
                        "release.",
                        recorded,
                    )
                    % {"count": recorded},
                )
            return redirect(self.panel_url("decisions", opportunity.pk))
        outcomes = Counter(
            line.row.decision.outcome for line in lines if line.row.decision
        )
        return self.panel_page(
            request,
            "decisions.html",
            opportunity=opportunity,
            title=_("Decisions"),
            tab="decisions",
            rows=[
                {
                    "line": line,
                    "form": forms.get(line.proposal.pk),
                    "recommended": recommended is not None
                    and line.proposal.pk in recommended,
                    "letter_url": self.panel_url(
                        "letter", opportunity.pk, line.proposal.pk
                    ),
                }
                for line in lines
            ],
            recommended=recommended,
            summary=[
                (outcome.label, outcomes[outcome.value]) for outcome in DecisionOutcome
            ],
            undecided=sum(1 for line in lines if line.row.decision is None),
            problems=services.release_problems(opportunity),
        )

    def _record_decisions(self, request, lines, forms) -> int:
        recorded = 0
        for line in lines:
            form = forms.get(line.proposal.pk)
            if form is None:
                continue
            outcome = form.cleaned_data["outcome"]
            conditions = form.cleaned_data["conditions"].strip()
            decision = line.row.decision
            if not outcome:
                continue
            if decision is not None and (decision.outcome, decision.conditions) == (
                outcome,
                conditions,
            ):
                continue
            try:
                services.record_decision(
                    proposal=line.proposal,
                    outcome=outcome,
                    conditions=conditions,
                    actor=request.user,
                )
            except REFUSALS as refusal:
                messages.error(
                    request,
                    _("%(reference)s: %(why)s")
                    % {
                        "reference": line.proposal.reference,
                        "why": refusal_text(refusal),
                    },
                )
            else:
                recorded += 1
        return recorded

    def letter_view(
        self, request: HttpRequest, opportunity_pk: int, proposal_pk: int
    ) -> HttpResponse:
        """One proposal's outcome and letter, the letter prefilled from the call's
        template for the outcome and editable."""
        opportunity = self.panel_opportunity(
            request, opportunity_pk, allowed=can_decide
        )
        proposal = self.panel_proposal(opportunity, proposal_pk)
        decision = Decision.objects.filter(proposal=proposal).first()
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
                form.add_error(None, refusal_text(refusal))
            else:
                messages.success(
                    request,
                    _("The decision on %(reference)s is recorded with its letter.")
                    % {"reference": proposal.reference},
                )
                return redirect(self.panel_url("decisions", opportunity.pk))
        return self.panel_page(
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
                (value, label, value == outcome)
                for value, label in DecisionOutcome.choices
            ],
            comments=selectors.proposer_comments(proposal=proposal),
        )

    def templates_view(self, request: HttpRequest, opportunity_pk: int) -> HttpResponse:
        """The call's own letter for each outcome, replacing the default."""
        opportunity = self.panel_opportunity(
            request, opportunity_pk, allowed=can_manage_reviews
        )
        current = {
            template.outcome: template.body
            for template in DecisionLetterTemplate.objects.filter(
                opportunity=opportunity
            )
        }
        form = LetterTemplatesForm(request.POST or None, initial=current)
        if request.method == "POST" and form.is_valid():
            for outcome in DecisionOutcome:
                body = form.cleaned_data[outcome.value].strip()
                if body != current.get(outcome.value, ""):
                    services.set_letter_template(
                        opportunity=opportunity,
                        outcome=outcome.value,
                        body=body,
                        actor=request.user,
                    )
            messages.success(request, _("The letters of this call are saved."))
            return redirect(self.panel_url("decisions", opportunity.pk))
        return self.panel_page(
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

    # --- release -----------------------------------------------------------------

    def release_view(self, request: HttpRequest, opportunity_pk: int) -> HttpResponse:
        """Confirm, then release every decision of the call at once."""
        opportunity = self.panel_opportunity(
            request, opportunity_pk, allowed=can_decide
        )
        if request.method == "POST":
            try:
                released = services.release_decisions(
                    opportunity=opportunity, actor=request.user
                )
            except REFUSALS as refusal:
                messages.error(request, refusal_text(refusal))
                return redirect(self.panel_url("release", opportunity.pk))
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
            return redirect(self.panel_url("decisions", opportunity.pk))
        waiting = list(
            Decision.objects.filter(
                proposal__opportunity=opportunity,
                proposal__status__in=IN_REVIEW,
                released_at__isnull=True,
            )
            .select_related("proposal__principal_investigator")
            .prefetch_related(
                Prefetch(
                    "proposal__team_members",
                    queryset=TeamMember.objects.select_related("user"),
                )
            )
            .order_by("proposal__reference", "pk")
        )
        outcomes = Counter(decision.outcome for decision in waiting)
        recipients = sum(len(emails.team(d.proposal)) for d in waiting)
        return self.panel_page(
            request,
            "release.html",
            opportunity=opportunity,
            title=_("Release all decisions"),
            tab="decisions",
            decisions=waiting,
            summary=[
                (outcome.label, outcomes[outcome.value]) for outcome in DecisionOutcome
            ],
            recipients=recipients,
            problems=services.release_problems(opportunity),
        )
