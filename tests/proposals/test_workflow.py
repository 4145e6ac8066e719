import itertools
import re
from pathlib import Path

import pytest

from proposals import workflow
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalEvent
from tests.factories import ProposalFactory, UserFactory

L = ProposalStage.LETTER_OF_INTENT
F = ProposalStage.FULL
S = ProposalStatus

ALLOWED = {
    ((L, S.DRAFT), (L, S.SUBMITTED)),
    ((L, S.DRAFT), (L, S.WITHDRAWN)),
    ((L, S.SUBMITTED), (L, S.UNDER_REVIEW)),
    ((L, S.SUBMITTED), (F, S.DRAFT)),
    ((L, S.SUBMITTED), (L, S.DECLINED)),
    ((L, S.SUBMITTED), (L, S.WITHDRAWN)),
    ((L, S.UNDER_REVIEW), (F, S.DRAFT)),
    ((L, S.UNDER_REVIEW), (L, S.DECLINED)),
    ((F, S.DRAFT), (F, S.SUBMITTED)),
    ((F, S.DRAFT), (F, S.WITHDRAWN)),
    ((F, S.SUBMITTED), (F, S.UNDER_REVIEW)),
    ((F, S.SUBMITTED), (F, S.WITHDRAWN)),
    ((F, S.UNDER_REVIEW), (F, S.SELECTED)),
    ((F, S.UNDER_REVIEW), (F, S.CONDITIONALLY_SELECTED)),
    ((F, S.UNDER_REVIEW), (F, S.NOT_SELECTED)),
}
ALL_STATES = list(itertools.product(ProposalStage.values, ProposalStatus.values))
REACHABLE = sorted(workflow.TRANSITIONS)
CASES = [(before, after) for before in REACHABLE for after in ALL_STATES]


def _proposal_in(state):
    """With a reference number, which every state but a first draft may have
    (submit_proposal takes it before moving to submitted)."""
    stage, status = state
    return ProposalFactory(
        stage=stage,
        status=status,
        reference="TST-2026-0001",
        opportunity__with_loi=stage == L,
    )


def test_transition_table_is_the_documented_one():
    moves = {
        (before, after)
        for before, targets in workflow.TRANSITIONS.items()
        for after in targets
    }

    assert moves == ALLOWED


def test_transition_table_has_every_reachable_state():
    targets = {after for targets in workflow.TRANSITIONS.values() for after in targets}

    assert targets <= set(workflow.TRANSITIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before", "after"), CASES, ids=[f"{b[0]}.{b[1]}->{a[0]}.{a[1]}" for b, a in CASES]
)
def test_transition_allowed_or_refused(before, after):
    proposal = _proposal_in(before)
    actor = UserFactory()

    if (before, after) in ALLOWED:
        workflow.transition(proposal, to=after[1], stage=after[0], actor=actor)
        stored = Proposal.objects.get(pk=proposal.pk)
        event = ProposalEvent.objects.get(proposal=proposal)
        assert (stored.stage, stored.status) == after
        assert (proposal.stage, proposal.status) == after
        assert (event.from_stage, event.from_status) == before
        assert (event.to_stage, event.to_status) == after
        assert event.actor == actor
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.transition(proposal, to=after[1], stage=after[0], actor=actor)
        stored = Proposal.objects.get(pk=proposal.pk)
        assert (stored.stage, stored.status) == before
        assert ProposalEvent.objects.filter(proposal=proposal).count() == 0


@pytest.mark.django_db
def test_transition_refusal_explains_the_move():
    proposal = ProposalFactory(status=S.WITHDRAWN)

    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.transition(
            proposal, to=S.SUBMITTED, actor=proposal.principal_investigator
        )

    assert str(refusal.value) == (
        "A full proposal cannot move from “Withdrawn” to “Submitted”."
    )


@pytest.mark.django_db
def test_transition_records_the_note_in_the_history():
    proposal = ProposalFactory()
    pi = proposal.principal_investigator

    workflow.transition(proposal, to=S.WITHDRAWN, actor=pi, note="Instrument cancelled")

    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.note, event.actor, event.to_status) == (
        "Instrument cancelled",
        pi,
        S.WITHDRAWN,
    )


@pytest.mark.django_db
def test_transition_shortlisting_keeps_everything_entered():
    proposal = ProposalFactory(
        letter=True, complete=True, status=S.SUBMITTED, reference="CE7-2026-0001"
    )
    fields = {
        name: getattr(proposal, name)
        for name in (
            "title",
            "abstract",
            "payload_description",
            "mass_kg",
            "carrier_id",
        )
    }

    workflow.transition(proposal, to=S.DRAFT, stage=F, actor=UserFactory())

    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.stage, stored.status, stored.reference) == (
        F,
        S.DRAFT,
        "CE7-2026-0001",
    )
    assert {name: getattr(stored, name) for name in fields} == fields


def test_allowed_targets_of_an_unknown_state_is_empty():
    proposal = Proposal(stage=L, status=S.SELECTED)

    assert workflow.allowed_targets(proposal) == frozenset()


def test_only_the_workflow_assigns_stage_or_status():
    """Nothing but workflow.transition assigns Proposal.stage or .status."""
    root = Path(__file__).resolve().parents[2] / "proposals"
    assignment = re.compile(
        r"\.(stage|status)\s*=[^=]|\.(stage|status),\s*\w+\.\w+\s*="
    )
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path.name != "workflow.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if assignment.search(line)
    ]

    assert offenders == []
