"""A proposal's life as data. Its state is the pair (stage, status).

Letter-of-intent stage (calls with a letter-of-intent deadline):

    draft → submitted → under review → declined
    submitted or under review → shortlisted: the letter becomes a full-stage
        draft that keeps everything entered so far
    draft or submitted → withdrawn

Full stage (every call; the first stage of calls without letters):

    draft → submitted → under review → selected / conditionally selected /
        not selected
    draft or submitted → withdrawn

Declined, withdrawn, selected, conditionally selected and not selected are final.
Revising a submitted proposal and submitting it again is not a move: the status
stays submitted and proposals.services.submit_proposal freezes a new version and
records the resubmission with `record_event`.

`transition()` is the only code that assigns `Proposal.stage` or
`Proposal.status` (a test greps for it). Side effects of each move, all inside
the caller's transaction:

- the row is locked (`select_for_update`) and the move checked against
  TRANSITIONS; an illegal move raises TransitionNotAllowed and changes nothing;
- the new stage and status are saved;
- a ProposalEvent records who moved it, when, from what, to what, and the note
  (a person's words) or the message (ours, shown in the reader's language);
- emails are queued in the notifications outbox, sent by Celery once the
  transaction commits: withdrawn → the team (and the CNSA contacts when it had
  been submitted); shortlisted → the team; declined → the team, with the note.
  The "submitted" email belongs to each frozen version, so submit_proposal sends
  it, for first submissions and resubmissions alike.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.refusals import Refused
from proposals import emails
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalEvent

S = ProposalStatus
LETTER = ProposalStage.LETTER_OF_INTENT
FULL = ProposalStage.FULL

State = tuple[str, str]  # (stage, status)

TRANSITIONS: dict[State, frozenset[State]] = {
    (LETTER, S.DRAFT): frozenset({(LETTER, S.SUBMITTED), (LETTER, S.WITHDRAWN)}),
    (LETTER, S.SUBMITTED): frozenset(
        {
            (LETTER, S.UNDER_REVIEW),
            (FULL, S.DRAFT),
            (LETTER, S.DECLINED),
            (LETTER, S.WITHDRAWN),
        }
    ),
    (LETTER, S.UNDER_REVIEW): frozenset({(FULL, S.DRAFT), (LETTER, S.DECLINED)}),
    (LETTER, S.DECLINED): frozenset(),
    (LETTER, S.WITHDRAWN): frozenset(),
    (FULL, S.DRAFT): frozenset({(FULL, S.SUBMITTED), (FULL, S.WITHDRAWN)}),
    (FULL, S.SUBMITTED): frozenset({(FULL, S.UNDER_REVIEW), (FULL, S.WITHDRAWN)}),
    (FULL, S.UNDER_REVIEW): frozenset(
        {(FULL, S.SELECTED), (FULL, S.CONDITIONALLY_SELECTED), (FULL, S.NOT_SELECTED)}
    ),
    (FULL, S.SELECTED): frozenset(),
    (FULL, S.CONDITIONALLY_SELECTED): frozenset(),
    (FULL, S.NOT_SELECTED): frozenset(),
    (FULL, S.WITHDRAWN): frozenset(),
}

# The moves that shortlist a letter: it enters the full stage as a draft.
SHORTLISTING = frozenset(
    {
        ((LETTER, S.SUBMITTED), (FULL, S.DRAFT)),
        ((LETTER, S.UNDER_REVIEW), (FULL, S.DRAFT)),
    }
)


class TransitionNotAllowed(Refused):
    def __init__(self, *, current: State, to: State):
        self.current = current
        self.to = to
        super().__init__(
            _("A %(stage)s cannot move from “%(current)s” to “%(to)s”.")
            % {
                "stage": ProposalStage(current[0]).label.lower(),
                "current": _state_label(current),
                "to": _state_label(to),
            }
        )


def _state_label(state: State) -> str:
    stage, status = state
    if status == S.DRAFT and stage == FULL:
        return _("full-proposal draft")
    return str(S(status).label)


def initial_stage(opportunity) -> str:
    """A call with a letter-of-intent deadline starts every proposal as a letter."""
    return LETTER if opportunity.has_loi_stage else FULL


def state_of(proposal: Proposal) -> State:
    return (proposal.stage, proposal.status)


def allowed_targets(proposal: Proposal) -> frozenset[State]:
    return TRANSITIONS.get(state_of(proposal), frozenset())


def record_event(
    proposal: Proposal,
    *,
    actor,
    before: State,
    after: State,
    note: str = "",
    message: str = "",
    params: dict | None = None,
) -> ProposalEvent:
    """One line of the status history (also used for a resubmission).

    `note` is what a person typed, kept as typed. What the portal itself says is
    a `message` (ProposalEvent.Message) with its `params`, worded in each
    reader's language when shown; its English wording is kept as the note.
    """
    params = params or {}
    if message:
        with translation.override("en"):
            note = note or ProposalEvent.word(message, params)
    return ProposalEvent.objects.create(
        proposal=proposal,
        actor=actor,
        at=timezone.now(),
        from_stage=before[0],
        from_status=before[1],
        to_stage=after[0],
        to_status=after[1],
        note=note,
        message=message,
        params=params,
    )


@transaction.atomic
def transition(
    proposal: Proposal,
    *,
    to: str,
    actor,
    note: str = "",
    stage: str | None = None,
    message: str = "",
    params: dict | None = None,
) -> Proposal:
    """Move `proposal` to status `to` (and `stage`, for shortlisting a letter).

    `note` is a person's words (the withdrawal's reason, the declined letter's
    note, also emailed); `message` and `params` are what the portal says about
    the move, shown in the reader's language (see `record_event`).

    Raises TransitionNotAllowed for a move the table does not hold. Returns the
    locked, saved row and updates `proposal` in place.
    """
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("opportunity__mission", "principal_investigator")
        .get(pk=proposal.pk)
    )
    before = state_of(locked)
    after = (stage or locked.stage, to)
    if after not in TRANSITIONS.get(before, frozenset()):
        raise TransitionNotAllowed(current=before, to=after)
    locked.stage, locked.status = after
    locked.save(update_fields=["stage", "status", "updated_at"])
    record_event(
        locked,
        actor=actor,
        before=before,
        after=after,
        note=note,
        message=message,
        params=params,
    )
    if to == S.WITHDRAWN:
        emails.proposal_withdrawn(
            proposal=locked, was_submitted=before[1] != S.DRAFT, reason=note
        )
    elif (before, after) in SHORTLISTING:
        emails.letter_shortlisted(proposal=locked)
    elif to == S.DECLINED:
        emails.letter_declined(proposal=locked, note=note)
    proposal.stage, proposal.status = locked.stage, locked.status
    proposal.updated_at = locked.updated_at
    return locked
