"""The transition tables of payloads, conditions, agreements and deliveries:
every move, allowed and forbidden, and what a move records."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from payloads import workflow
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    EventKind,
    PayloadStatus,
)
from payloads.models import Agreement, Condition, Delivery, Payload, PayloadEvent
from tests.factories import UserFactory
from tests.payloads.factories import (
    AgreementFactory,
    ConditionFactory,
    DeliveryFactory,
    PayloadFactory,
)

pytestmark = pytest.mark.django_db


def _pairs(vocabulary, table):
    return [
        pytest.param(current, to, to in table[current], id=f"{current}->{to}")
        for current in vocabulary.values
        for to in vocabulary.values
    ]


def _payload(status):
    if status == PayloadStatus.DESELECTED:
        return PayloadFactory(deselected=True)
    return PayloadFactory(status=status)


def _agreement(status):
    # Signed needs its file and date (a database constraint): every fixture
    # carries them, as sign_agreement stores them before the move.
    return AgreementFactory(signed=True, status=status)


def _check_move(obj, model, to, allowed, actor):
    before = obj.status
    if allowed:
        moved = workflow.transition(obj, to=to, actor=actor, note="Because.")
        assert (moved.status, obj.status) == (to, to)
        assert model.objects.get(pk=obj.pk).status == to
        event = PayloadEvent.objects.latest("pk")
        assert (event.actor, event.note, event.data["from"], event.data["to"]) == (
            actor,
            "Because.",
            before,
            to,
        )
    else:
        events = PayloadEvent.objects.count()
        with pytest.raises(workflow.TransitionRefused) as refusal:
            workflow.transition(obj, to=to, actor=actor, note="Because.")
        assert model.objects.get(pk=obj.pk).status == before
        assert PayloadEvent.objects.count() == events
        assert refusal.value.current == before
        assert refusal.value.to == to


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    _pairs(PayloadStatus, workflow.PAYLOAD_TRANSITIONS),
)
def test_payload_moves(current, to, allowed):
    _check_move(_payload(current), Payload, to, allowed, UserFactory(staff=True))


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    _pairs(ConditionStatus, workflow.CONDITION_TRANSITIONS),
)
def test_condition_moves(current, to, allowed):
    condition = ConditionFactory(status=current)
    _check_move(condition, Condition, to, allowed, UserFactory(staff=True))


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    _pairs(AgreementStatus, workflow.AGREEMENT_TRANSITIONS),
)
def test_agreement_moves(current, to, allowed):
    _check_move(_agreement(current), Agreement, to, allowed, UserFactory(staff=True))


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    _pairs(DeliveryStatus, workflow.DELIVERY_TRANSITIONS),
)
def test_delivery_moves(current, to, allowed):
    delivery = DeliveryFactory(status=current)
    _check_move(delivery, Delivery, to, allowed, UserFactory(staff=True))


def test_every_state_has_a_row_in_its_table():
    for vocabulary, table in (
        (PayloadStatus, workflow.PAYLOAD_TRANSITIONS),
        (ConditionStatus, workflow.CONDITION_TRANSITIONS),
        (AgreementStatus, workflow.AGREEMENT_TRANSITIONS),
        (DeliveryStatus, workflow.DELIVERY_TRANSITIONS),
    ):
        assert set(table) == set(vocabulary.values)


def test_forbidden_move_names_both_states():
    payload = PayloadFactory(deselected=True)

    with pytest.raises(workflow.TransitionRefused) as refusal:
        workflow.transition(payload, to=PayloadStatus.SELECTED, actor=None)

    assert refusal.value.messages == [
        "This payload is “De-selected” and cannot become “Selected”."
    ]


def test_deselection_keeps_the_date_and_the_letter():
    payload = PayloadFactory()
    actor = UserFactory(staff=True)

    workflow.transition(
        payload, to=PayloadStatus.DESELECTED, actor=actor, note="Dear team, …"
    )

    stored = Payload.objects.get(pk=payload.pk)
    assert stored.deselected_at is not None
    assert stored.deselection_letter == "Dear team, …"
    assert PayloadEvent.objects.get(payload=payload).kind == EventKind.DESELECTED


def test_answer_and_review_keep_who_and_when():
    condition = ConditionFactory()
    pi = condition.payload.proposal.principal_investigator
    admin = UserFactory(staff=True)

    workflow.transition(condition, to=ConditionStatus.ANSWERED, actor=pi, note="Done.")
    workflow.transition(
        condition, to=ConditionStatus.RETURNED, actor=admin, note="Add the night."
    )

    stored = Condition.objects.get(pk=condition.pk)
    assert (stored.answer, stored.answered_by, stored.reviewed_by) == (
        "Done.",
        pi,
        admin,
    )
    assert stored.review_note == "Add the night."
    assert list(PayloadEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        EventKind.CONDITION_ANSWERED,
        EventKind.CONDITION_RETURNED,
    ]


STATUS_ASSIGNMENT = re.compile(r"\.status\s*=[^=]")


def test_only_the_workflow_assigns_a_status():
    root = Path(settings.BASE_DIR) / "payloads"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "workflow.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_ASSIGNMENT.search(line)
    ]

    assert offenders == []
