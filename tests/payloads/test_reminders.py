"""Milestone and condition reminders: each exactly once per milestone (or
condition), occasion and recipient, whatever how often beat runs."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.reminders import send_due_reminders
from payloads.enums import ConditionStatus
from tests.factories import TeamMemberFactory, UserFactory
from tests.payloads.factories import (
    ConditionFactory,
    MilestoneFactory,
    payload_factory,
)

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(timedelta(hours=8))


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    """A moment of a Beijing day."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def _sent(template: str | None = None) -> list[tuple[str, str]]:
    emails = OutboundEmail.objects.filter(template__startswith="payload_")
    if template:
        emails = emails.filter(template=template)
    return sorted(emails.values_list("template", "to_email"))


@pytest.fixture
def payload(db):
    """A selected payload: its PI, a confirmed co-investigator, an unconfirmed one."""
    payload = payload_factory(team=1)
    TeamMemberFactory(proposal=payload.proposal, user=UserFactory())
    return payload


def _team(payload) -> list[str]:
    confirmed = payload.proposal.team_members.filter(confirmed_at__isnull=False)
    return sorted(
        [payload.proposal.principal_investigator.email]
        + [member.user.email for member in confirmed]
    )


def test_due_soon_then_overdue_each_once(
    payload, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    milestone = MilestoneFactory(payload=payload, planned_date=today + timedelta(10))

    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders(now=_at(today))
        second = send_due_reminders(now=_at(today, 15))
    later = milestone.planned_date + timedelta(days=1)
    third = send_due_reminders(now=_at(later))
    fourth = send_due_reminders(now=_at(later + timedelta(days=5)))

    team = _team(payload)
    assert (first, second, third, fourth) == (len(team), 0, len(team), 0)
    assert _sent() == sorted(
        [("payload_milestone_due_soon", email) for email in team]
        + [("payload_milestone_overdue", email) for email in team]
    )
    assert sorted(m.to[0] for m in mailoutbox) == team
    assert mailoutbox[0].subject == (
        f"[{payload.proposal.reference}] Milestone due on "
        f"{milestone.planned_date.day} {milestone.planned_date:%b %Y}: "
        f"{milestone.name}"
    )


def test_no_reminder_for_a_milestone_far_ahead_or_done(payload):
    today = timezone.localdate()
    MilestoneFactory(payload=payload, planned_date=today + timedelta(days=15))
    MilestoneFactory(
        payload=payload,
        planned_date=today - timedelta(days=3),
        actual_date=today - timedelta(days=4),
    )

    assert send_due_reminders(now=_at(today)) == 0


def test_no_reminder_for_a_deselected_payload():
    today = timezone.localdate()
    MilestoneFactory(
        payload=payload_factory(deselected=True), planned_date=today + timedelta(1)
    )

    assert send_due_reminders(now=_at(today)) == 0


def test_a_slipped_milestone_is_reminded_again_for_its_new_date(payload):
    today = timezone.localdate()
    milestone = MilestoneFactory(payload=payload, planned_date=today + timedelta(3))
    send_due_reminders(now=_at(today))
    milestone.planned_date = today + timedelta(days=12)
    milestone.save()

    again = send_due_reminders(now=_at(today + timedelta(days=1)))

    assert again == len(_team(payload))
    assert len(_sent("payload_milestone_due_soon")) == 2 * len(_team(payload))


def test_two_milestones_are_two_reminders(payload):
    today = timezone.localdate()
    MilestoneFactory(payload=payload, planned_date=today + timedelta(days=2))
    MilestoneFactory(payload=payload, planned_date=today + timedelta(days=2))

    assert send_due_reminders(now=_at(today)) == 2 * len(_team(payload))


def test_overdue_condition_awaiting_the_team_is_reminded_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    condition = ConditionFactory(due_date=today - timedelta(days=2))
    ConditionFactory(
        payload=condition.payload,
        due_date=today - timedelta(days=2),
        status=ConditionStatus.ANSWERED,
    )
    ConditionFactory(payload=condition.payload, due_date=today)

    with django_capture_on_commit_callbacks(execute=True):
        counts = [send_due_reminders(now=_at(today)) for _run in range(2)]

    assert counts == [1, 0]
    assert [m.to for m in mailoutbox] == [
        [condition.payload.proposal.principal_investigator.email]
    ]
    assert mailoutbox[0].subject == (
        f"[{condition.payload.proposal.reference}] Condition overdue: "
        f"{condition.payload.name}"
    )
