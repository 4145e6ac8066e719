"""Reminders of a payload's milestones and conditions, for its team.

Registered with the notifications reminder registry (found at run time by
notifications.reminders.sources), which beat runs every quarter of an hour.
Days are Beijing days (the project's TIME_ZONE).

- "payload-milestone": a milestone not done, of a payload still on board,
  planned within the next 14 days is reminded once as "due soon"; once its
  planned date has passed, once as "overdue". The key names the occasion, the
  milestone, its planned date and the recipient, so repeated runs (or two at
  once) queue nothing new, and a slipped milestone is reminded again for its
  new date.
- "payload-condition": a condition still awaiting the team's answer (open or
  returned) past its due date, reminded once per due date as "overdue".

Recipients: the principal investigator and the confirmed team members with an
account (payloads.emails.team), each in their language.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from notifications import reminders
from payloads.emails import condition_context, milestone_context, team
from payloads.enums import ConditionStatus, PayloadStatus
from payloads.models import Condition, Milestone
from proposals.models import TeamMember
from reviews.emails import reply_address

DUE_SOON_DAYS = 14
DUE_SOON = "due-soon"
OVERDUE = "overdue"

_TEAM = Prefetch(
    "payload__proposal__team_members",
    queryset=TeamMember.objects.select_related("user"),
)
_RELATED = (
    "payload__opportunity",
    "payload__proposal__principal_investigator",
)


def milestones_due(now: datetime):
    """Milestones not done of payloads on board, planned up to 14 days ahead
    (overdue ones included)."""
    today = timezone.localdate(now)
    return (
        Milestone.objects.filter(
            actual_date__isnull=True,
            planned_date__lte=today + timedelta(days=DUE_SOON_DAYS),
            payload__status__in=PayloadStatus.active(),
        )
        .select_related(*_RELATED)
        .prefetch_related(_TEAM, "payload__opportunity__contacts")
        .order_by("planned_date", "pk")
    )


def conditions_overdue(now: datetime):
    """Conditions awaiting the team's answer past their due date, of payloads
    still conditionally selected."""
    today = timezone.localdate(now)
    return (
        Condition.objects.filter(
            status__in=ConditionStatus.awaiting_team(),
            due_date__lt=today,
            payload__status=PayloadStatus.CONDITIONAL,
        )
        .select_related(*_RELATED)
        .prefetch_related(_TEAM, "payload__opportunity__contacts")
        .order_by("due_date", "pk")
    )


def _recipient_key(recipient) -> str:
    return str(recipient.user_id) if recipient.user_id else recipient.email.lower()


@reminders.register("payload-milestone")
def due_milestone_reminders(now: datetime) -> Iterator[reminders.DueReminder]:
    today = timezone.localdate(now)
    for milestone in milestones_due(now):
        occasion = OVERDUE if milestone.planned_date < today else DUE_SOON
        days = abs((milestone.planned_date - today).days)
        context = {**milestone_context(milestone), "days": days}
        template = (
            "payload_milestone_overdue"
            if occasion == OVERDUE
            else "payload_milestone_due_soon"
        )
        for recipient in team(milestone.payload):
            yield reminders.DueReminder(
                key=(
                    f"{occasion}:{milestone.pk}:{milestone.planned_date.isoformat()}:"
                    f"{_recipient_key(recipient)}"
                ),
                recipient=recipient,
                template=template,
                context=context,
                reply_to=reply_address(milestone.payload.opportunity),
            )


@reminders.register("payload-condition")
def overdue_condition_reminders(now: datetime) -> Iterator[reminders.DueReminder]:
    today = timezone.localdate(now)
    for condition in conditions_overdue(now):
        context = {
            **condition_context(condition),
            "days": (today - condition.due_date).days,
        }
        for recipient in team(condition.payload):
            yield reminders.DueReminder(
                key=(
                    f"{OVERDUE}:{condition.pk}:{condition.due_date.isoformat()}:"
                    f"{_recipient_key(recipient)}"
                ),
                recipient=recipient,
                template="payload_condition_overdue",
                context=context,
                reply_to=reply_address(condition.payload.opportunity),
            )
