"""Allocations checked against the carrier's envelope together with the call's
other payloads, and delivered units against their allocation and the envelope."""

from decimal import Decimal

import pytest
from django.utils import translation

from payloads.checks import (
    Allocation,
    Finding,
    allocation_findings,
    delivery_findings,
    render_finding,
)
from payloads.models import Delivery
from tests.factories import CarrierFactory, OpportunityFactory
from tests.payloads.factories import PayloadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(db):
    """10 kg in all, 6 kg per payload, 30 W, 500 MB per day, 300 × 300 × 300 mm."""
    return CarrierFactory(
        opportunity=OpportunityFactory(decided=True),
        name_en="Lander",
        total_mass_kg=Decimal(10),
        max_payload_mass_kg=Decimal(6),
        power_w=Decimal(30),
        data_mb_per_day=Decimal(500),
        max_size_mm="300 × 300 × 300",
    )


def _on(carrier, **kwargs):
    return PayloadFactory(
        version__proposal__opportunity=carrier.opportunity,
        version__proposal__carrier=carrier,
        **kwargs,
    )


def _allocation(**figures) -> Allocation:
    defaults = {
        "mass_kg": Decimal(4),
        "power_w": Decimal(10),
        "data_mb_per_day": Decimal(100),
        "size_mm": "200 × 200 × 200",
    }
    return Allocation(**{**defaults, **figures})


def test_allocation_within_the_envelope_with_the_other_payloads(carrier):
    _on(carrier, allocated_mass_kg=Decimal("4.5"), allocated_power_w=Decimal(20))
    payload = _on(carrier)

    findings = allocation_findings(
        payload, _allocation(mass_kg=Decimal("5.5"), power_w=Decimal(10))
    )

    assert findings == []


def test_allocation_over_the_envelope_with_the_other_payloads(carrier):
    _on(
        carrier,
        allocated_mass_kg=Decimal("4.5"),
        allocated_power_w=Decimal(25),
        allocated_data_mb_per_day=Decimal(450),
    )
    payload = _on(carrier)

    findings = allocation_findings(
        payload,
        _allocation(
            mass_kg=Decimal("5.6"), power_w=Decimal("5.5"), data_mb_per_day=Decimal(60)
        ),
    )

    assert [(f.code, f.value, f.limit) for f in findings] == [
        ("carrier_mass", "10.1", "10"),
        ("carrier_power", "30.5", "30"),
        ("carrier_data", "510", "500"),
    ]
    assert [f.message for f in findings] == [
        "With this allocation the payloads on the Lander take 10.1 kg, more than "
        "its 10 kg in all. Lower the mass allocated or reduce another payload's "
        "first.".replace("Lander", str(carrier)),
        "With this allocation the payloads on the Lander take 30.5 W, more than "
        "the 30 W it supplies. Lower the power allocated or reduce another "
        "payload's first.".replace("Lander", str(carrier)),
        "With this allocation the payloads on the Lander return 510 MB per day, "
        "more than its 500 MB per day. Lower the data volume allocated or reduce "
        "another payload's first.".replace("Lander", str(carrier)),
    ]


def test_deselected_payloads_and_other_carriers_do_not_count(carrier):
    _on(carrier, deselected=True, allocated_mass_kg=Decimal(6))
    elsewhere = CarrierFactory(opportunity=carrier.opportunity, name_en="Rover")
    _on(elsewhere, allocated_mass_kg=Decimal(6))
    payload = _on(carrier)

    assert allocation_findings(payload, _allocation(mass_kg=Decimal(6))) == []


def test_the_payloads_own_former_allocation_does_not_count_twice(carrier):
    payload = _on(carrier, allocated_mass_kg=Decimal(6))

    assert allocation_findings(payload, _allocation(mass_kg=Decimal(6))) == []


def test_one_payload_over_its_limits(carrier):
    payload = _on(carrier)

    findings = allocation_findings(
        payload, _allocation(mass_kg=Decimal("6.5"), size_mm="310 × 100 × 100")
    )

    assert [(f.code, f.value, f.limit) for f in findings] == [
        ("payload_mass_limit", "6.5", "6"),
        ("carrier_size", "310 × 100 × 100", "300 × 300 × 300"),
    ]


def test_missing_figures_are_skipped(carrier):
    carrier.power_w = None
    carrier.save()
    payload = _on(carrier)

    findings = allocation_findings(
        payload, Allocation(mass_kg=None, power_w=Decimal(99), size_mm="")
    )

    assert findings == []


def _delivery(payload, **measured) -> Delivery:
    defaults = {"mass_kg": Decimal("4.4"), "power_w": Decimal("7.5"), "size_mm": ""}
    return Delivery(payload=payload, **{**defaults, **measured})


def test_a_delivery_within_its_allocation_has_no_findings(carrier):
    payload = _on(carrier)

    assert delivery_findings(_delivery(payload, size_mm="200 × 100 × 150")) == []


def test_a_delivery_over_its_allocation_and_the_envelope(carrier):
    payload = _on(
        carrier,
        allocated_mass_kg=Decimal("4.5"),
        allocated_power_w=Decimal(8),
        allocated_size_mm="200 × 150 × 100",
    )

    findings = delivery_findings(
        _delivery(
            payload,
            mass_kg=Decimal("6.2"),
            power_w=Decimal(31),
            size_mm="310 × 150 × 100",
        )
    )

    assert [(f.code, f.value, f.limit) for f in findings] == [
        ("mass_over_allocation", "6.2", "4.5"),
        ("power_over_allocation", "31", "8"),
        ("size_over_allocation", "310 × 150 × 100", "200 × 150 × 100"),
        ("mass_over_envelope", "6.2", "6"),
        ("power_over_envelope", "31", "30"),
        ("size_over_envelope", "310 × 150 × 100", "300 × 300 × 300"),
    ]
    assert (
        findings[0].message == "The unit weighs 6.2 kg, more than the 4.5 kg allocated."
    )


def test_a_stored_finding_renders_in_the_readers_language():
    stored = Finding("mass_over_allocation", "mass_kg", "6.2", "4.5").as_data()

    with translation.override("en"):
        english = render_finding(stored)

    assert english == "The unit weighs 6.2 kg, more than the 4.5 kg allocated."
    assert Finding.from_data(stored) == Finding(
        "mass_over_allocation", "mass_kg", "6.2", "4.5"
    )
