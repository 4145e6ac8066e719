"""A call's panel: its bidding and discussion phases and its settings.

Administrators only (reviews.permissions.can_manage_panel). Each phase moves
through reviews.workflow.transition_phase, which records who moved it and when.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reviews import workflow
from reviews.enums import PhaseStatus
from reviews.models import Panel
from reviews.permissions import can_manage_panel


def panel_for(opportunity) -> Panel:
    """The call's panel, made with the defaults the first time it is asked for."""
    panel, _created = Panel.objects.get_or_create(opportunity=opportunity)
    return panel


def _require_panel_manager(actor) -> None:
    if not can_manage_panel(actor):
        raise PermissionDenied(_("Only administrators run the review panel."))


@transaction.atomic
def move_phase(*, opportunity, phase: str, to: str, actor, note: str = "") -> Panel:
    """Open or close the call's bidding or discussion phase.

    Closing the discussion locks every review of the call against revision, the
    threads against new messages and the primary reviewers' consensus reports
    (reviews.permissions reads the phase). Raises PermissionDenied,
    reviews.workflow.PhaseNotAllowed.
    """
    _require_panel_manager(actor)
    panel = panel_for(opportunity)
    return workflow.transition_phase(panel, phase=phase, to=to, actor=actor, note=note)


def open_bidding(*, opportunity, actor) -> Panel:
    return move_phase(
        opportunity=opportunity, phase="bidding", to=PhaseStatus.OPEN, actor=actor
    )


def close_bidding(*, opportunity, actor) -> Panel:
    return move_phase(
        opportunity=opportunity, phase="bidding", to=PhaseStatus.CLOSED, actor=actor
    )


def open_discussion(*, opportunity, actor) -> Panel:
    return move_phase(
        opportunity=opportunity, phase="discussion", to=PhaseStatus.OPEN, actor=actor
    )


def close_discussion(*, opportunity, actor) -> Panel:
    return move_phase(
        opportunity=opportunity,
        phase="discussion",
        to=PhaseStatus.CLOSED,
        actor=actor,
    )


@transaction.atomic
def update_panel_settings(
    *,
    opportunity,
    actor,
    disagreement_threshold: Decimal,
    triage_percent: int | None,
) -> Panel:
    """Set the spread that flags a disagreement (0–4 exclusive of 0) and the
    triage line (1–90 % of proposals, or None for none)."""
    _require_panel_manager(actor)
    errors = {}
    if not Decimal(0) < disagreement_threshold <= Decimal(4):
        errors["disagreement_threshold"] = _(
            "The disagreement threshold lies between 0 and 4."
        )
    if triage_percent is not None and not 1 <= triage_percent <= 90:  # noqa: PLR2004
        errors["triage_percent"] = _("The triage line lies between 1 and 90 %.")
    if errors:
        raise ValidationError(errors)
    panel = Panel.objects.select_for_update().get(pk=panel_for(opportunity).pk)
    panel.disagreement_threshold = disagreement_threshold
    panel.triage_percent = triage_percent
    panel.save(update_fields=["disagreement_threshold", "triage_percent", "updated_at"])
    return panel
