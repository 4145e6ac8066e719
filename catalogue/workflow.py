"""The opportunity's life: draft → published → closed → decided, or cancelled.

`transition()` is the only code that assigns `Opportunity.status` (a test greps
for it). Side effects of each move, all inside one transaction:

- the row is locked (`select_for_update`) and the move checked against TRANSITIONS;
- `published_at` is set on the first publication;
- the change is recorded in the opportunity's history (django-simple-history)
  with the actor and the note (its first 100 characters) as the change reason;
- publishing queues an "opportunity published" email to the CNSA contacts and to
  the researchers subscribed to the mission, through the notifications outbox,
  handed to Celery once the transaction commits.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Opportunity
from notifications.events import opportunity_published

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.CLOSED, S.CANCELLED}),
    S.CLOSED: frozenset({S.DECIDED, S.PUBLISHED, S.CANCELLED}),
    S.DECIDED: frozenset(),
    S.CANCELLED: frozenset(),
}


CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


class TransitionNotAllowed(Exception):  # noqa: N818 — the name reads as the refusal
    def __init__(self, *, current: str, to: str):
        self.current = current
        self.to = to
        super().__init__(
            _("An opportunity cannot move from %(current)s to %(to)s.")
            % {"current": S(current).label, "to": S(to).label}
        )


def allowed_targets(opportunity: Opportunity) -> frozenset[str]:
    return TRANSITIONS[opportunity.status]


@transaction.atomic
def transition(
    opportunity: Opportunity, *, to: str, actor, note: str = ""
) -> Opportunity:
    """Move `opportunity` to status `to`, or raise TransitionNotAllowed."""
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if to not in TRANSITIONS[locked.status]:
        raise TransitionNotAllowed(current=locked.status, to=to)
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
