"""The catalogue's models: database constraints and translated fields."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Carrier, CooperationTable, Opportunity
from tests.factories import CarrierFactory, MissionFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 4, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)

DEADLINE_MESSAGE = "The proposal deadline must be after opening."
LOI_MESSAGE = (
    "The letter-of-intent deadline must fall between opening and the proposal deadline."
)
MASS_MESSAGE = "The most one payload may take cannot exceed the carrier's total."


def _opportunity(**dates) -> Opportunity:
    """An unsaved call with a valid timeline unless `dates` say otherwise."""
    fields = {"opens_at": NOW, "proposal_deadline": NOW + 30 * DAY, **dates}
    return OpportunityFactory.build(mission=MissionFactory(), **fields)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"proposal_deadline": NOW}, DEADLINE_MESSAGE),
        ({"proposal_deadline": NOW - DAY}, DEADLINE_MESSAGE),
        ({"loi_deadline": NOW - DAY}, LOI_MESSAGE),
        ({"loi_deadline": NOW}, LOI_MESSAGE),
        ({"loi_deadline": NOW + 30 * DAY}, LOI_MESSAGE),
        ({"loi_deadline": NOW + 31 * DAY}, LOI_MESSAGE),
    ],
)
def test_opportunity_timeline_constraints(dates, message):
    opportunity = _opportunity(**dates)

    with pytest.raises(ValidationError) as invalid:
        opportunity.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        opportunity.save()

    assert invalid.value.messages == [message]
    assert not Opportunity.objects.filter(slug=opportunity.slug).exists()


@pytest.mark.parametrize("loi_deadline", [None, NOW + DAY, NOW + 29 * DAY])
def test_opportunity_timeline_accepts_a_letter_of_intent_in_between(loi_deadline):
    opportunity = _opportunity(loi_deadline=loi_deadline)

    opportunity.full_clean()
    opportunity.save()

    assert Opportunity.objects.get(pk=opportunity.pk).loi_deadline == loi_deadline


def test_opportunity_needs_at_least_one_reviewer():
    opportunity = _opportunity(reviewers_per_proposal=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        opportunity.save()

    assert not Opportunity.objects.filter(slug=opportunity.slug).exists()


@pytest.mark.parametrize(
    ("total", "per_payload", "valid"),
    [
        (Decimal(10), Decimal(12), False),
        (Decimal(10), Decimal("10.001"), False),
        (Decimal(10), Decimal(10), True),
        (Decimal(200), Decimal(100), True),
        (Decimal(15), None, True),
    ],
)
def test_carrier_payload_mass_within_total(total, per_payload, valid):
    carrier = CarrierFactory.build(
        opportunity=OpportunityFactory(),
        total_mass_kg=total,
        max_payload_mass_kg=per_payload,
    )

    if valid:
        carrier.full_clean()
        carrier.save()
    else:
        with pytest.raises(ValidationError) as invalid:
            carrier.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            carrier.save()
        assert invalid.value.messages == [MASS_MESSAGE]

    assert Carrier.objects.filter(pk=carrier.pk).exists() is valid


@pytest.mark.parametrize(
    ("per_payload", "limit"), [(Decimal("4.5"), Decimal("4.5")), (None, Decimal(10))]
)
def test_carrier_payload_mass_limit_defaults_to_total(per_payload, limit):
    carrier = CarrierFactory.build(
        total_mass_kg=Decimal(10), max_payload_mass_kg=per_payload
    )

    assert carrier.payload_mass_limit_kg == limit


def test_translated_field_gives_the_active_language():
    opportunity = OpportunityFactory(
        title_en="Chang'E-7 payloads", title_zh_hans="嫦娥七号载荷"
    )

    with translation.override("zh-hans"):
        chinese = Opportunity.objects.get(pk=opportunity.pk).title
    with translation.override("en"):
        english = Opportunity.objects.get(pk=opportunity.pk).title

    assert (english, chinese) == ("Chang'E-7 payloads", "嫦娥七号载荷")


@pytest.mark.parametrize("chinese", [None, ""])
def test_translated_field_falls_back_to_english(chinese):
    opportunity = OpportunityFactory(
        title_en="Tianwen-3 payloads", title_zh_hans=chinese, summary_zh_hans=None
    )

    with translation.override("zh-hans"):
        stored = Opportunity.objects.get(pk=opportunity.pk)
        title, summary, mission_target = (
            stored.title,
            stored.summary,
            stored.mission.target,
        )

    assert title == "Tianwen-3 payloads"
    assert summary == "Flight opportunities for international payloads."
    assert mission_target == "Lunar south pole"


def test_cooperation_table_without_chinese_rows_falls_back_to_english():
    table = CooperationTable.objects.create(
        slug="space-science",
        section_en="Space science",
        title_en="Cooperation levels",
        columns_en=["Field", "Level"],
        rows_en=[["Lunar and planetary science", "Equipment"]],
    )

    with translation.override("zh-hans"):
        stored = CooperationTable.objects.get(pk=table.pk)
        columns, rows = stored.columns, stored.rows

    assert columns == ["Field", "Level"]
    assert rows == [["Lunar and planetary science", "Equipment"]]


@pytest.mark.parametrize(
    ("trait", "is_open"),
    [({}, True), ({"draft": True}, False), ({"closed": True}, False)],
)
def test_opportunity_is_open_only_while_published_and_before_the_deadline(
    trait, is_open
):
    opportunity = OpportunityFactory(**trait)

    assert opportunity.is_open is is_open
    assert opportunity.is_public is (opportunity.status != S.DRAFT)


def test_opportunity_is_not_open_at_its_deadline():
    opportunity = OpportunityFactory()

    assert opportunity.is_open_at(opportunity.proposal_deadline) is False
    assert opportunity.is_open_at(opportunity.opens_at) is True


def test_opportunity_next_deadline_is_the_letter_of_intent_then_the_proposal():
    opportunity = OpportunityFactory(with_loi=True)
    past_loi = OpportunityFactory(loi_deadline=timezone.now() - DAY)

    assert opportunity.next_deadline == opportunity.loi_deadline
    assert past_loi.next_deadline == past_loi.proposal_deadline


def test_opportunity_url_is_its_public_page():
    opportunity = OpportunityFactory(slug="change-7-payloads")

    assert opportunity.get_absolute_url() == "/opportunities/change-7-payloads/"
    assert str(opportunity) == opportunity.title_en
