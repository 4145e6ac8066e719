"""A call's panel phases (bidding, discussion) as data: the whole table, allowed
and forbidden moves alike, who may move them, and that nothing but the workflow
assigns a phase."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import services, workflow
from reviews.enums import PhaseStatus
from reviews.models import Panel, PanelEvent
from tests.factories import OpportunityFactory, ReviewerFactory, UserFactory
from tests.reviews.reviewer_admin import administrator

pytestmark = pytest.mark.django_db

P = PhaseStatus
PHASE_ALLOWED = {(P.NOT_OPENED, P.OPEN), (P.OPEN, P.CLOSED), (P.CLOSED, P.OPEN)}
PHASE_MOVES = [
    (phase, a, b) for phase in workflow.PHASES for a in P.values for b in P.values
]


def test_phase_table_is_the_documented_one():
    allowed = {
        (current, target)
        for current, targets in workflow.PHASE_TRANSITIONS.items()
        for target in targets
    }

    assert allowed == PHASE_ALLOWED
    assert set(workflow.PHASE_TRANSITIONS) == set(P.values)


@pytest.mark.parametrize(("phase", "current", "target"), PHASE_MOVES)
def test_phase_transition_follows_the_table(phase, current, target):
    panel = Panel.objects.create(opportunity=OpportunityFactory(), **{phase: current})
    actor = UserFactory()

    if (current, target) in PHASE_ALLOWED:
        workflow.transition_phase(
            panel, phase=phase, to=target, actor=actor, note="Now."
        )
        event = PanelEvent.objects.get(panel=panel)
        assert getattr(Panel.objects.get(pk=panel.pk), phase) == target
        assert getattr(panel, phase) == target
        assert (event.phase, event.from_status, event.to_status, event.actor) == (
            phase,
            current,
            target,
            actor,
        )
        assert event.note == "Now."
    else:
        with pytest.raises(workflow.PhaseNotAllowed):
            workflow.transition_phase(panel, phase=phase, to=target, actor=actor)
        assert getattr(Panel.objects.get(pk=panel.pk), phase) == current
        assert not PanelEvent.objects.filter(panel=panel).exists()


def test_phase_transition_refuses_an_unknown_phase():
    panel = Panel.objects.create(opportunity=OpportunityFactory())

    with pytest.raises(ValueError, match="No panel phase"):
        workflow.transition_phase(panel, phase="status", to=P.OPEN, actor=None)


def test_panel_for_makes_one_panel_with_the_defaults():
    opportunity = OpportunityFactory()

    first = services.panel_for(opportunity)
    second = services.panel_for(opportunity)

    assert first.pk == second.pk
    assert (first.bidding, first.discussion) == (P.NOT_OPENED, P.NOT_OPENED)
    assert first.disagreement_threshold == Decimal("1.50")
    assert first.triage_percent is None


def test_administrator_opens_and_closes_bidding_and_discussion():
    opportunity = OpportunityFactory()
    chair = administrator()

    services.open_bidding(opportunity=opportunity, actor=chair)
    services.close_bidding(opportunity=opportunity, actor=chair)
    services.open_discussion(opportunity=opportunity, actor=chair)
    panel = services.close_discussion(opportunity=opportunity, actor=chair)

    assert (panel.bidding, panel.discussion) == (P.CLOSED, P.CLOSED)
    assert list(
        PanelEvent.objects.filter(panel=panel)
        .order_by("pk")
        .values_list("phase", "to_status")
    ) == [
        ("bidding", P.OPEN),
        ("bidding", P.CLOSED),
        ("discussion", P.OPEN),
        ("discussion", P.CLOSED),
    ]


@pytest.mark.parametrize("make_actor", [ReviewerFactory, UserFactory])
def test_phase_moves_are_refused_to_anyone_but_administrators(make_actor):
    opportunity = OpportunityFactory()

    with pytest.raises(PermissionDenied):
        services.open_bidding(opportunity=opportunity, actor=make_actor())

    assert not PanelEvent.objects.exists()


def test_panel_settings_are_checked_and_saved():
    opportunity = OpportunityFactory()
    chair = administrator()

    panel = services.update_panel_settings(
        opportunity=opportunity,
        actor=chair,
        disagreement_threshold=Decimal("1.25"),
        triage_percent=20,
    )

    assert (panel.disagreement_threshold, panel.triage_percent) == (
        Decimal("1.25"),
        20,
    )


@pytest.mark.parametrize(
    ("threshold", "triage", "field"),
    [
        (Decimal(0), None, "disagreement_threshold"),
        (Decimal("4.5"), None, "disagreement_threshold"),
        (Decimal(1), 0, "triage_percent"),
        (Decimal(1), 95, "triage_percent"),
    ],
)
def test_panel_settings_out_of_range_are_refused(threshold, triage, field):
    opportunity = OpportunityFactory()

    with pytest.raises(ValidationError) as refusal:
        services.update_panel_settings(
            opportunity=opportunity,
            actor=administrator(),
            disagreement_threshold=threshold,
            triage_percent=triage,
        )

    assert list(refusal.value.message_dict) == [field]


def test_only_the_workflow_assigns_a_phase():
    root = Path(__file__).resolve().parents[2] / "reviews"
    assignment = re.compile(
        r"\.(bidding|discussion)\s*=[^=]|setattr\([^,]+,\s*(\w*phase|\"bidding\"|\"discussion\")"
    )
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path.name != "workflow.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if assignment.search(line)
    ]

    assert offenders == []
