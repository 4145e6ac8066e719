"""Deadline reminders for drafts not yet submitted, 7 days and 1 day ahead.

Registered with the notifications reminder registry (found at run time by
notifications.reminders.sources), which beat runs every quarter of an hour.
A draft whose stage deadline (the letter's or the full proposal's) is at most
7 days away is reminded once "in 7 days"; at most 1 day away, once "in 1 day".
The key names the proposal, the window, the stage, the deadline and the
recipient, so a run repeated — or two runs at once — queue nothing new, and a
deadline moved by an amendment reminds again.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q

from catalogue.enums import OpportunityStatus
from notifications import reminders
from proposals.emails import editors, proposal_context, reply_address
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, TeamMember

WINDOWS_DAYS = (1, 7)  # the smallest window a deadline falls in wins


def drafts_due(now: datetime, *, days: int):
    """Drafts of published calls whose stage deadline is within `days` of `now`."""
    until = now + timedelta(days=days)
    return (
        Proposal.objects.filter(
            status=ProposalStatus.DRAFT,
            opportunity__status=OpportunityStatus.PUBLISHED,
        )
        .filter(
            Q(
                stage=ProposalStage.LETTER_OF_INTENT,
                opportunity__loi_deadline__gt=now,
                opportunity__loi_deadline__lte=until,
            )
            | Q(
                stage=ProposalStage.FULL,
                opportunity__proposal_deadline__gt=now,
                opportunity__proposal_deadline__lte=until,
            )
        )
        .select_related("opportunity", "principal_investigator")
        .prefetch_related(
            Prefetch(
                "team_members", queryset=TeamMember.objects.select_related("user")
            ),
            "opportunity__contacts",
        )
        .order_by("pk")
    )


def _window(deadline: datetime, now: datetime) -> int:
    return next(days for days in WINDOWS_DAYS if deadline - now <= timedelta(days=days))


@reminders.register("proposal-deadline")
def due_deadline_reminders(now: datetime) -> Iterator[reminders.DueReminder]:
    for proposal in drafts_due(now, days=max(WINDOWS_DAYS)):
        deadline = proposal.deadline
        days = _window(deadline, now)
        context = {**proposal_context(proposal), "days": days}
        for recipient in editors(proposal):
            yield reminders.DueReminder(
                key=(
                    f"{days}d:{proposal.pk}:{proposal.stage}:"
                    f"{int(deadline.timestamp())}:{recipient.email.lower()}"
                ),
                recipient=recipient,
                template="proposal_deadline_reminder",
                context=context,
                reply_to=reply_address(proposal.opportunity),
            )
