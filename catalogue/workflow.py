"""The opportunity's life: draft → published → closed → decided, or cancelled.

`transition()` is the only code that assigns `Opportunity.status` (a test greps
for it). Side effects of each move, all inside one transaction:

- the row is locked (`select_for_update`) and the move checked against TRANSITIONS;
- a move to published (publishing a draft, reopening a closed call) is refused
  with CriteriaWeightsRefused unless the weights of the call's evaluation
  criteria add up to exactly 100 % (a call without criteria counts as 0 %);
- `published_at` is set on the first publication;
- the change is recorded in the opportunity's history (django-simple-history)
  with the actor and the note (its first 100 characters) as the change reason;
- publishing queues an "opportunity published" email to the CNSA contacts and to
  the researchers subscribed to the mission, through the notifications outbox,
  handed to Celery once the transaction commits.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Opportunity
from config.refusals import Refused
from notifications.events import opportunity_published

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.CLOSED, S.CANCELLED}),
    S.CLOSED: frozenset({S.DECIDED, S.PUBLISHED, S.CANCELLED}),
    S.DECIDED: frozenset(),
    S.CANCELLED: frozenset(),
}


CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column
FULL_WEIGHT = Decimal(100)  # the criteria's weights, in %, of a call that is public


class TransitionNotAllowed(Refused):
    def __init__(self, *, current: str, to: str):
        self.current = current
        self.to = to
        super().__init__(
            _("An opportunity cannot move from %(current)s to %(to)s.")
            % {"current": S(current).label, "to": S(to).label}
        )


class CriteriaWeightsRefused(TransitionNotAllowed):
    """Publishing refused: the criteria's weights do not add up to 100 %."""

    def __init__(self, *, current: str, to: str, total: Decimal):
        self.current = current
        self.to = to
        self.total = total
        Refused.__init__(
            self,
            _(
                "The weights of this call's evaluation criteria add up to "
                "%(total)s %%; they must add up to exactly 100 %% before the call "
                "is published. Add or correct its evaluation criteria on the "
                "call's page, save, then publish it."
            )
            % {"total": f"{total.normalize():f}"},
        )


def allowed_targets(opportunity: Opportunity) -> frozenset[str]:
    return TRANSITIONS[opportunity.status]


def criteria_weight(opportunity: Opportunity) -> Decimal:
    """The sum of the weights of the call's evaluation criteria, in %."""
    total = opportunity.criteria.aggregate(total=Sum("weight"))["total"]
    return total if total is not None else Decimal(0)


def refusal(opportunity: Opportunity, *, to: str) -> TransitionNotAllowed | None:
    """Why `opportunity` may not move to `to` now, or None if it may."""
    if to not in TRANSITIONS[opportunity.status]:
        return TransitionNotAllowed(current=opportunity.status, to=to)
    if to == S.PUBLISHED:
        total = criteria_weight(opportunity)
        if total != FULL_WEIGHT:
            return CriteriaWeightsRefused(
                current=opportunity.status, to=to, total=total
            )
    return None


@transaction.atomic
def transition(
    opportunity: Opportunity, *, to: str, actor, note: str = ""
) -> Opportunity:
    """Move `opportunity` to status `to`, or raise TransitionNotAllowed (or its
    CriteriaWeightsRefused, when publishing a call whose criteria are not 100 %)."""
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    refused = refusal(locked, to=to)
    if refused is not None:
        raise refused
    first_publication = to == S.PUBLISHED and locked.published_at is None
    locked.status = to
    if first_publication:
        locked.published_at = timezone.now()
    reason = note or _("Status changed to %(status)s") % {"status": S(to).label}
    # The history keeps at most CHANGE_REASON_LENGTH characters of the note.
    locked._change_reason = reason[:CHANGE_REASON_LENGTH]
    locked._history_user = actor
    locked.save()
    if first_publication:
        opportunity_published(opportunity=locked)
    opportunity.status = locked.status
    opportunity.published_at = locked.published_at
    return locked
