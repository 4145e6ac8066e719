"""The payload models: constraints, properties and the factories' fixtures."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from payloads.enums import ConditionStatus, PayloadStatus
from payloads.models import Agreement, Condition, DataHandover, Payload
from tests.payloads.factories import (
    AgreementFactory,
    MilestoneFactory,
    MilestoneSlipFactory,
    PayloadFactory,
    payload_factory,
)

pytestmark = pytest.mark.django_db


def test_payload_factory_builds_a_selected_payload_of_a_decided_call():
    payload = PayloadFactory()

    assert (payload.status, payload.proposal.status, payload.decision.outcome) == (
        "selected",
        "selected",
        "selected",
    )
    assert payload.opportunity.status == "decided"
    assert payload.carrier.opportunity_id == payload.opportunity_id
    assert payload.version.proposal_id == payload.proposal_id


def test_conditional_payload_factory_matches_its_decision():
    payload = payload_factory(conditions=2, team=1)

    assert (payload.status, payload.proposal.status, payload.decision.outcome) == (
        "conditional",
        "conditionally_selected",
        "conditionally_selected",
    )
    assert payload.conditions.count() == 2
    assert payload.proposal.team_members.filter(confirmed_at__isnull=False).count() == 1


def test_one_payload_per_proposal():
    payload = PayloadFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Payload.objects.create(
            proposal=payload.proposal,
            version=payload.version,
            decision=PayloadFactory().decision,
            opportunity=payload.opportunity,
            name="Twin",
        )


def test_one_agreement_per_requirement_of_a_payload():
    agreement = AgreementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            payload=agreement.payload, requirement=agreement.requirement, name="Twin"
        )


def test_status_outside_the_vocabulary_is_refused_by_the_database():
    payload = PayloadFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Payload.objects.filter(pk=payload.pk).update(status="launched")


def test_deselected_payload_needs_its_date():
    payload = PayloadFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Payload.objects.filter(pk=payload.pk).update(status=PayloadStatus.DESELECTED)


def test_signed_agreement_needs_its_file_and_date():
    agreement = AgreementFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(status="signed")


@pytest.mark.parametrize(
    ("days", "status", "overdue"),
    [
        (-1, ConditionStatus.OPEN, True),
        (-1, ConditionStatus.ANSWERED, True),
        (-1, ConditionStatus.ACCEPTED, False),
        (0, ConditionStatus.OPEN, False),
        (3, ConditionStatus.RETURNED, False),
    ],
)
def test_condition_is_overdue_past_its_due_date_until_accepted(days, status, overdue):
    condition = Condition(
        due_date=timezone.localdate() + timedelta(days=days), status=status
    )

    assert condition.is_overdue is overdue


def test_milestone_slip_days_count_from_the_date_first_planned():
    today = timezone.localdate()
    milestone = MilestoneFactory(planned_date=today + timedelta(days=40))
    MilestoneSlipFactory(
        milestone=milestone,
        from_date=today + timedelta(days=10),
        to_date=today + timedelta(days=25),
    )
    MilestoneSlipFactory(
        milestone=milestone,
        from_date=today + timedelta(days=25),
        to_date=today + timedelta(days=40),
    )

    assert milestone.slip_days == 30
    assert milestone.original_date == today + timedelta(days=10)
    assert not milestone.is_done
    assert milestone.is_overdue(today + timedelta(days=41)) is True
    assert milestone.is_overdue(today + timedelta(days=40)) is False


@pytest.mark.parametrize(
    ("link", "valid"),
    [
        ("https://data.example.org/ce7/radon", True),
        ("10.5281/zenodo.1234567", True),
        ("http://data.example.org/", False),
        ("javascript:alert(1)", False),
        ("doi:10.5281/zenodo.1", False),
    ],
)
def test_handover_link_is_an_https_address_or_a_doi(link, valid):
    handover = DataHandover(link=link)

    try:
        handover.clean_fields(
            exclude=[f.name for f in DataHandover._meta.fields if f.name != "link"]
        )
    except ValidationError:
        accepted = False
    else:
        accepted = True

    assert accepted is valid


def test_a_bare_doi_links_through_doi_org():
    assert DataHandover(link="10.5281/zenodo.1").link_url == (
        "https://doi.org/10.5281/zenodo.1"
    )
