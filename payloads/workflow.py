"""The lives of a payload, its conditions, agreements and deliveries, as data.

Payload:    conditional → selected (every condition accepted) or de-selected;
            selected → de-selected. De-selected is final.
Condition:  open → answered (by the team) → accepted or returned (by an
            administrator); returned → answered again. Accepted is final.
Agreement:  draft → under negotiation → signed, or back to draft. Signed is final.
Delivery:   recorded → accepted or rejected. Both are final.

The services (payloads.services) check who acts and what a move needs (a
reason, a signed PDF, a confirmed overrun); this module checks only that the
move is in the table. `transition()` is the only code that assigns the status
of a Payload, Condition, Agreement or Delivery (a test greps for it). Side
effects of each move, all inside the caller's transaction:

- the row is locked (`select_for_update`) and the move checked against its
  table; an illegal move raises TransitionRefused and changes nothing;
- the bookkeeping of the new state is saved with it: a condition answered keeps
  the answer (`note`), who and when; accepted or returned keeps the reviewer,
  when and the note; a payload de-selected keeps when and the letter (`note`);
  an agreement keeps who moved it; a delivery accepted or rejected keeps who,
  when and the note;
- a PayloadEvent records who moved what, when, from what, to what, and the note;
- emails are queued in the notifications outbox (payloads.emails), sent once
  the transaction commits: condition accepted → the team; condition returned →
  the team, with the note; payload selected → the team; payload de-selected →
  the team, with the letter. Agreement and delivery moves send nothing here
  (a delivery's overrun is told when it is recorded).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from payloads import emails
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    EventKind,
    PayloadStatus,
)
from payloads.models import Agreement, Condition, Delivery, Payload, PayloadEvent

P = PayloadStatus
C = ConditionStatus
A = AgreementStatus
D = DeliveryStatus

PAYLOAD_TRANSITIONS: dict[str, frozenset[str]] = {
    P.CONDITIONAL: frozenset({P.SELECTED, P.DESELECTED}),
    P.SELECTED: frozenset({P.DESELECTED}),
    P.DESELECTED: frozenset(),
}

CONDITION_TRANSITIONS: dict[str, frozenset[str]] = {
    C.OPEN: frozenset({C.ANSWERED}),
    C.ANSWERED: frozenset({C.ACCEPTED, C.RETURNED}),
    C.RETURNED: frozenset({C.ANSWERED}),
    C.ACCEPTED: frozenset(),
}

AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.NEGOTIATION}),
    A.NEGOTIATION: frozenset({A.DRAFT, A.SIGNED}),
    A.SIGNED: frozenset(),
}

DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    D.RECORDED: frozenset({D.ACCEPTED, D.REJECTED}),
    D.ACCEPTED: frozenset(),
    D.REJECTED: frozenset(),
}

# Each workflow's model, table, and status vocabulary.
TABLES: dict[type, tuple[dict[str, frozenset[str]], type]] = {
    Payload: (PAYLOAD_TRANSITIONS, PayloadStatus),
    Condition: (CONDITION_TRANSITIONS, ConditionStatus),
    Agreement: (AGREEMENT_TRANSITIONS, AgreementStatus),
    Delivery: (DELIVERY_TRANSITIONS, DeliveryStatus),
}

# The history line each move writes.
EVENT_KINDS: dict[tuple[type, str], str] = {
    (Payload, P.SELECTED): EventKind.FULLY_SELECTED,
    (Payload, P.DESELECTED): EventKind.DESELECTED,
    (Condition, C.ANSWERED): EventKind.CONDITION_ANSWERED,
    (Condition, C.ACCEPTED): EventKind.CONDITION_ACCEPTED,
    (Condition, C.RETURNED): EventKind.CONDITION_RETURNED,
    (Agreement, A.DRAFT): EventKind.AGREEMENT_MOVED,
    (Agreement, A.NEGOTIATION): EventKind.AGREEMENT_MOVED,
    (Agreement, A.SIGNED): EventKind.AGREEMENT_SIGNED,
    (Delivery, D.ACCEPTED): EventKind.DELIVERY_ACCEPTED,
    (Delivery, D.REJECTED): EventKind.DELIVERY_REJECTED,
}


class TransitionRefused(Refused):
    """A move its table does not hold; the message names both states."""

    def __init__(self, *, obj, current: str, to: str):
        self.current = current
        self.to = to
        _table, vocabulary = TABLES[type(obj)]
        values = {"current": vocabulary(current).label, "to": vocabulary(to).label}
        if isinstance(obj, Payload):
            message = (
                _("This payload is “%(current)s” and cannot become “%(to)s”.") % values
            )
        elif isinstance(obj, Condition):
            message = (
                _(
                    "This condition is “%(current)s” and cannot become “%(to)s”. "
                    "Reload the page to see where it stands."
                )
                % values
            )
        elif isinstance(obj, Agreement):
            message = (
                _("This agreement is “%(current)s” and cannot become “%(to)s”.")
                % values
            )
        else:
            message = (
                _("This delivery is “%(current)s” and cannot become “%(to)s”.") % values
            )
        super().__init__(message)


def allowed_targets(obj) -> frozenset[str]:
    table, _vocabulary = TABLES[type(obj)]
    return table.get(obj.status, frozenset())


def record_event(
    payload: Payload, *, kind: str, actor, note: str = "", data: dict | None = None
) -> PayloadEvent:
    """One line of a payload's history (also for changes that move no state)."""
    return PayloadEvent.objects.create(
        payload=payload,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        note=note,
        data=data or {},
    )


@transaction.atomic
def transition(obj, *, to: str, actor, note: str = ""):
    """Move a Payload, Condition, Agreement or Delivery to status `to`.

    Raises TransitionRefused for a move its table does not hold. Returns the
    locked, saved row and updates `obj` in place (status and bookkeeping).
    """
    model = type(obj)
    if model not in TABLES:
        msg = f"No payload workflow for {model.__name__}."
        raise TypeError(msg)
    table, _vocabulary = TABLES[model]
    locked = model.objects.select_for_update().get(pk=obj.pk)
    before = locked.status
    if to not in table.get(before, frozenset()):
        raise TransitionRefused(obj=locked, current=before, to=to)
    now = timezone.now()
    locked.status = to
    fields = ["status", *_bookkeeping(locked, to=to, actor=actor, note=note, now=now)]
    locked.save(update_fields=fields)
    payload = locked if model is Payload else locked.payload
    record_event(
        payload,
        kind=EVENT_KINDS[(model, to)],
        actor=actor,
        note=note,
        data={
            "object": model._meta.model_name,
            "id": locked.pk,
            "from": before,
            "to": to,
        },
    )
    for field in fields:
        setattr(obj, field, getattr(locked, field))
    _tell(locked, to=to, note=note)
    return locked


def _bookkeeping(locked, *, to: str, actor, note: str, now) -> list[str]:
    """Set what the new state keeps; returns the fields set besides status."""
    if isinstance(locked, Payload):
        if to == P.DESELECTED:
            locked.deselected_at = now
            locked.deselection_letter = note
            return ["deselected_at", "deselection_letter", "updated_at"]
        return ["updated_at"]
    if isinstance(locked, Condition):
        if to == C.ANSWERED:
            locked.answer = note
            locked.answered_by = actor
            locked.answered_at = now
            return ["answer", "answered_by", "answered_at"]
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.review_note = note
        return ["reviewed_by", "reviewed_at", "review_note"]
    if isinstance(locked, Agreement):
        locked.updated_by = actor
        return ["updated_by", "updated_at"]
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_note = note
    return ["decided_by", "decided_at", "decision_note"]


def _tell(locked, *, to: str, note: str) -> None:
    if isinstance(locked, Condition):
        if to == C.ACCEPTED:
            emails.condition_accepted(condition=locked)
        elif to == C.RETURNED:
            emails.condition_returned(condition=locked, note=note)
    elif isinstance(locked, Payload):
        if to == P.SELECTED:
            emails.fully_selected(payload=locked)
        elif to == P.DESELECTED:
            emails.deselected(payload=locked)
