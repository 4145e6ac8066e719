"""The people and payloads the administrators' payload pages are tested with.

An administrator as the admin's permission matrix builds one (staff, in the
Administrators group, reading proposals, with an authenticator), signed in
past the second factor; the payload's principal investigator; another
researcher; a reviewer.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from payloads.enums import ConditionStatus, DeliveryStatus
from tests.factories import CarrierFactory, OpportunityFactory
from tests.mfa import login_with_mfa
from tests.payloads.factories import (
    AgreementFactory,
    ConditionFactory,
    DeliveryFactory,
    MilestoneFactory,
    PayloadFactory,
)
from tests.reviews import reviewer_admin as build

ROLES = ("team member", "other researcher", "reviewer", "administrator", "anonymous")


def administrator():
    return build.administrator()


def sign_in_administrator(client):
    user = administrator()
    login_with_mfa(client, user)
    return user


def decided_call(**kwargs):
    """A decided call with one carrier whose envelope is known."""
    opportunity = OpportunityFactory(decided=True, **kwargs)
    CarrierFactory(
        opportunity=opportunity,
        total_mass_kg=Decimal(20),
        max_payload_mass_kg=Decimal(10),
        power_w=Decimal(30),
        data_mb_per_day=Decimal(500),
        max_size_mm="400 × 400 × 300",
    )
    return opportunity


def payload_on(opportunity, **kwargs):
    """A selected payload of `opportunity`, on its carrier, allocated 5 kg,
    10 W, 100 MB a day and 200 × 150 × 100 mm."""
    carrier = opportunity.carriers.first()
    defaults = {
        "version__proposal__opportunity": opportunity,
        "version__proposal__carrier": carrier,
        "allocated_mass_kg": Decimal(5),
        "allocated_power_w": Decimal(10),
        "allocated_data_mb_per_day": Decimal(100),
    }
    return PayloadFactory(**{**defaults, **kwargs})


def full_payload(opportunity=None, **kwargs):
    """A conditional payload with one part of each kind: an answered condition,
    an agreement under negotiation, a milestone, a recorded delivery."""
    opportunity = opportunity or decided_call()
    payload = payload_on(opportunity, conditional=True, **kwargs)
    ConditionFactory(
        payload=payload, status=ConditionStatus.ANSWERED, answer="Here is the design."
    )
    AgreementFactory(payload=payload, status="negotiation")
    MilestoneFactory(payload=payload)
    DeliveryFactory(payload=payload, status=DeliveryStatus.RECORDED)
    return payload


def late_payload(opportunity, *, name: str, late: int = 1):
    """A payload with `late` milestones past their planned date."""
    payload = payload_on(opportunity, name=name)
    today = timezone.localdate()
    for index in range(late):
        MilestoneFactory(
            payload=payload,
            name=f"Late milestone {index + 1}",
            planned_date=today - timedelta(days=10 + index),
        )
    return payload
