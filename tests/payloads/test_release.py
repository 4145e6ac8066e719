"""Releasing a call's selections creates each selected proposal's payload,
once: through the real release_decisions, a retried release, and a receiver
called twice."""

from decimal import Decimal

import pytest
from django.db import transaction

from payloads import services
from payloads.enums import ConditionStatus, PayloadStatus
from payloads.models import Payload, PayloadEvent
from payloads.receivers import create_payload_on_release
from proposals.enums import ProposalStatus
from reviews import services as review_services
from reviews.models import Decision
from reviews.services import DecisionRefused
from reviews.signals import decision_released
from tests.factories import (
    ContactFactory,
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalVersionFactory,
    make_review_administrator,
)
from tests.payloads.factories import CallAgreementFactory, CallMilestoneFactory

pytestmark = pytest.mark.django_db

CONDITIONS = (
    "1. Reduce the mass to 4 kg.\n"
    "2. Provide a thermal design that survives\n"
    "   the lunar night.\n"
    "\n"
    "• Sign the export licence."
)


class LaterStepError(Exception):
    """A failure after the release, inside its transaction."""


def _release_then_fail(call, administrator) -> int:
    with transaction.atomic():
        review_services.release_decisions(opportunity=call, actor=administrator)
        created = Payload.objects.count()
        raise LaterStepError(created)


@pytest.fixture
def administrator(db):
    return make_review_administrator()


@pytest.fixture
def call(db):
    opportunity = OpportunityFactory(closed=True)
    opportunity.contacts.add(ContactFactory())
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(100))
    CallAgreementFactory(opportunity=opportunity, name="Implementing agreement")
    CallAgreementFactory(opportunity=opportunity, name="Export licence")
    CallMilestoneFactory(opportunity=opportunity, kind="pdr", name="PDR")
    CallMilestoneFactory(opportunity=opportunity, kind="launch", name="Launch")
    return opportunity


def _decided(call, administrator, outcome, conditions=""):
    version = ProposalVersionFactory(
        proposal__opportunity=call, proposal__status=ProposalStatus.UNDER_REVIEW
    )
    review_services.record_decision(
        proposal=version.proposal,
        outcome=outcome,
        conditions=conditions,
        actor=administrator,
    )
    return version


def test_release_creates_a_payload_per_selected_proposal(call, administrator):
    conditional = _decided(call, administrator, "conditionally_selected", CONDITIONS)
    selected = _decided(call, administrator, "selected")
    _decided(call, administrator, "not_selected")

    review_services.release_decisions(opportunity=call, actor=administrator)

    assert Payload.objects.count() == 2
    payload = Payload.objects.get(proposal=conditional.proposal)
    assert payload.status == PayloadStatus.CONDITIONAL
    assert (payload.version, payload.decision, payload.opportunity) == (
        conditional,
        conditional.proposal.decision,
        call,
    )
    assert payload.carrier == conditional.proposal.carrier
    assert (
        payload.allocated_mass_kg,
        payload.allocated_power_w,
        payload.allocated_data_mb_per_day,
        payload.allocated_size_mm,
    ) == (Decimal("4.500"), Decimal("8.00"), Decimal("50.00"), "200 × 150 × 100")
    assert payload.name == conditional.proposal.title
    assert list(payload.conditions.values_list("order", "text", "status")) == [
        (1, "Reduce the mass to 4 kg.", ConditionStatus.OPEN),
        (2, "Provide a thermal design that survives the lunar night.", "open"),
        (3, "Sign the export licence.", "open"),
    ]
    assert sorted(payload.agreements.values_list("name", "status")) == [
        ("Export licence", "draft"),
        ("Implementing agreement", "draft"),
    ]
    assert list(payload.milestones.values_list("kind", "name")) == [
        ("pdr", "PDR"),
        ("launch", "Launch"),
    ]
    other = Payload.objects.get(proposal=selected.proposal)
    assert other.status == PayloadStatus.SELECTED
    assert other.conditions.count() == 0
    assert list(PayloadEvent.objects.values_list("kind", flat=True)) == [
        "created",
        "created",
    ]


def test_a_retried_release_creates_no_second_payload(call, administrator):
    _decided(call, administrator, "selected")
    review_services.release_decisions(opportunity=call, actor=administrator)

    with pytest.raises(DecisionRefused):
        review_services.release_decisions(opportunity=call, actor=administrator)

    assert Payload.objects.count() == 1


def test_a_release_rolled_back_leaves_no_payload_and_its_retry_creates_one(
    call, administrator
):
    _decided(call, administrator, "selected")

    with pytest.raises(LaterStepError) as failure:
        _release_then_fail(call, administrator)

    assert failure.value.args == (1,)
    assert Payload.objects.count() == 0
    review_services.release_decisions(opportunity=call, actor=administrator)
    assert Payload.objects.count() == 1


def test_the_signal_sent_twice_creates_one_payload(call, administrator):
    version = _decided(call, administrator, "conditionally_selected", CONDITIONS)
    review_services.release_decisions(opportunity=call, actor=administrator)
    decision = Decision.objects.get(proposal=version.proposal)

    decision_released.send(sender=Decision, decision=decision, actor=administrator)
    create_payload_on_release(sender=Decision, decision=decision, actor=administrator)
    again = services.create_payload_for_decision(decision=decision, actor=administrator)

    assert Payload.objects.get() == again
    assert again.conditions.count() == 3
    assert again.agreements.count() == 2
    assert PayloadEvent.objects.count() == 1


def test_a_rejected_proposal_gets_no_payload(call, administrator):
    version = _decided(call, administrator, "not_selected")
    review_services.release_decisions(opportunity=call, actor=administrator)

    create_payload_on_release(
        sender=Decision, decision=version.proposal.decision, actor=administrator
    )

    assert Payload.objects.count() == 0
    with pytest.raises(services.PayloadRefused):
        services.create_payload_for_decision(
            decision=version.proposal.decision, actor=administrator
        )


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Reduce the mass.", ["Reduce the mass."]),
        ("Reduce the mass.\nAdd a heater.", ["Reduce the mass.", "Add a heater."]),
        (
            "1) Reduce the mass.\n(b) Add a heater\n  for the night.\n- Sign.",
            ["Reduce the mass.", "Add a heater for the night.", "Sign."],
        ),
        ("\n\n  \n", []),
    ],
)
def test_split_conditions(text, items):
    assert services.split_conditions(text) == items
