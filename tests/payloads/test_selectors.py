"""The payload reads: who sees what, the overview's flags and order, and its
query count pinned for any number of payloads."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from payloads import selectors
from payloads.enums import ConditionStatus
from tests.factories import ReviewerFactory, TeamMemberFactory, UserFactory
from tests.payloads.factories import (
    AgreementFactory,
    ConditionFactory,
    DataHandoverFactory,
    DeliveryFactory,
    MilestoneFactory,
    MilestoneSlipFactory,
    PayloadFactory,
    SelectionEntryFactory,
    SelectionListFactory,
    payload_factory,
)

pytestmark = pytest.mark.django_db


def test_payload_for_user_lets_in_the_team_and_administrators_only():
    payload = PayloadFactory()
    member = TeamMemberFactory(
        proposal=payload.proposal, user=UserFactory(), confirmed=True
    )
    unconfirmed = TeamMemberFactory(proposal=payload.proposal, user=UserFactory())

    for user in (payload.proposal.principal_investigator, member.user):
        assert selectors.payload_for_user(user, payload.pk) == payload
    assert selectors.payload_for_user(UserFactory(superuser=True), payload.pk)
    for user in (unconfirmed.user, UserFactory(), ReviewerFactory(), None):
        with pytest.raises(Http404):
            selectors.payload_for_user(user, payload.pk)


def test_payloads_for_user_lists_the_users_own():
    mine = PayloadFactory()
    PayloadFactory()

    assert list(selectors.payloads_for_user(mine.proposal.principal_investigator)) == [
        mine
    ]


def test_overview_flags_and_puts_late_items_first():
    today = timezone.localdate()
    on_time = payload_factory(milestones=2)
    late = PayloadFactory(version__proposal__opportunity=on_time.opportunity)
    MilestoneFactory(payload=late, planned_date=today - timedelta(days=3))
    ConditionFactory(payload=late, due_date=today - timedelta(days=1))
    ConditionFactory(
        payload=late, due_date=today - timedelta(1), status=ConditionStatus.ACCEPTED
    )
    AgreementFactory(payload=late, signed=True)
    AgreementFactory(payload=late)
    DeliveryFactory(payload=late, overrun=True)
    DeliveryFactory(payload=late, overrun=True, status="rejected")

    rows = list(selectors.overview(opportunity=on_time.opportunity, today=today))

    assert rows == [late, on_time]
    flags = rows[0]
    assert (
        flags.conditions_total,
        flags.conditions_open,
        flags.conditions_overdue,
        flags.agreements_signed,
        flags.agreements_total,
        flags.milestones_late,
        flags.deliveries_overrun,
        flags.late_items,
    ) == (2, 1, 1, 1, 2, 1, 1, 2)
    assert rows[1].late_items == 0
    assert rows[1].next_milestone_name == "Milestone 1"


def test_a_deselected_payload_has_nothing_overdue_or_late():
    today = timezone.localdate()
    gone = PayloadFactory(deselected=True)
    MilestoneFactory(payload=gone, planned_date=today - timedelta(days=3))
    ConditionFactory(payload=gone, due_date=today - timedelta(days=1))

    row = selectors.overview(opportunity=gone.opportunity, today=today).get()

    assert (row.milestones_late, row.conditions_overdue, row.late_items) == (0, 0, 0)
    assert row.milestones_total == 1


def test_overview_timeline_shows_each_payloads_next_milestone_with_its_slip():
    today = timezone.localdate()
    payload = PayloadFactory()
    milestone = MilestoneFactory(payload=payload, planned_date=today + timedelta(9))
    MilestoneSlipFactory(
        milestone=milestone,
        from_date=today + timedelta(days=2),
        to_date=today + timedelta(days=9),
    )

    rows = selectors.overview_timeline(
        selectors.overview(opportunity=payload.opportunity, today=today)
    )

    assert [(r.label, r.planned, r.slip, r.done, r.late) for r in rows] == [
        (
            f"{payload.name} — {milestone.name}",
            milestone.planned_date,
            7,
            False,
            False,
        )
    ]


@pytest.mark.parametrize("item_count", [1, 3, 30])
def test_overview_query_count_is_constant(item_count, django_assert_num_queries):
    first = payload_factory(conditions=2, agreements=1, milestones=2)
    for _index in range(item_count - 1):
        payload_factory(
            conditions=2,
            agreements=1,
            milestones=2,
            version__proposal__opportunity=first.opportunity,
        )

    with django_assert_num_queries(1):
        rows = list(
            selectors.overview(
                opportunity=first.opportunity, today=timezone.localdate()
            )
        )
        selectors.overview_timeline(rows)
        [(row.carrier.name, row.opportunity.mission.name) for row in rows]

    assert len(rows) == item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_payload_page_reads_in_a_fixed_number_of_queries(
    item_count, django_assert_num_queries
):
    payload = payload_factory(conditions=item_count, agreements=item_count)
    for _index in range(item_count):
        MilestoneSlipFactory(milestone=MilestoneFactory(payload=payload))
        DeliveryFactory(payload=payload)
        DataHandoverFactory(payload=payload)
    admin = UserFactory(superuser=True)

    with django_assert_num_queries(9):
        page = selectors.payload_for_user(admin, payload.pk)
        selectors.timeline(page, today=timezone.localdate())
        selectors.handovers(page)
        [list(c.documents.all()) for c in page.conditions.all()]
        [d.milestone for d in page.deliveries.all()]


def test_handover_days_count_from_landing_else_launch():
    today = timezone.localdate()
    payload = PayloadFactory()
    MilestoneFactory(
        payload=payload,
        kind="launch",
        planned_date=today - timedelta(40),
        actual_date=today - timedelta(days=40),
    )
    DataHandoverFactory(payload=payload, delivered_on=today)
    page = selectors.payload_for_user(UserFactory(superuser=True), payload.pk)
    assert [(r.days, r.counted_from) for r in selectors.handovers(page)] == [
        (40, "launch")
    ]

    MilestoneFactory(
        payload=payload,
        kind="landing",
        planned_date=today - timedelta(10),
        actual_date=today - timedelta(days=12),
    )
    page = selectors.payload_for_user(UserFactory(superuser=True), payload.pk)

    assert [(r.days, r.counted_from) for r in selectors.handovers(page)] == [
        (12, "landing")
    ]


def test_public_selection_only_once_published():
    entry = SelectionEntryFactory()
    opportunity = entry.selection_list.opportunity
    assert list(selectors.public_selection(opportunity)) == []

    entry.selection_list.published_at = timezone.now()
    entry.selection_list.save()

    assert list(selectors.public_selection(opportunity)) == [entry]
    assert list(selectors.public_selection(SelectionListFactory().opportunity)) == []
