"""Submitting, resubmitting and withdrawing; shortlisting and declining letters."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from notifications.templatetags.ao_email import beijing_time
from proposals import emails, workflow
from proposals.checklist import completeness, current_documents
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalEvent, ProposalVersion
from proposals.permissions import can_decide_letters, is_principal_investigator
from proposals.references import next_reference
from proposals.services.common import lock
from proposals.snapshot import build_snapshot

SUBMITTABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED})


class SubmissionRefused(Refused):
    """Every reason the proposal cannot be submitted, each a sentence to show."""

    def __init__(self, messages: list[str]):
        super().__init__(messages)


class LetterDecisionRefused(Refused):
    pass


def submission_problems(proposal: Proposal, *, now) -> list[str]:
    """Why `proposal` cannot be submitted at `now`; empty when it can."""
    if proposal.status not in SUBMITTABLE:
        return [
            _("This proposal is %(status)s and cannot be submitted.")
            % {"status": proposal.get_status_display().lower()}
        ]
    problems = _late(proposal, now=now)
    if not problems and not proposal.opportunity.is_open_at(now):
        problems.append(_("This call is not open for submissions."))
    problems += [item.message for item in completeness(proposal) if not item.done]
    return problems


def _late(proposal: Proposal, *, now) -> list[str]:
    """The refusal of a submission at or after the stage's deadline."""
    deadline = proposal.deadline
    if deadline is None or now < deadline:
        return []
    message = (
        _("The letter-of-intent deadline passed on %(deadline)s.")
        if proposal.is_letter
        else _("The proposal deadline passed on %(deadline)s.")
    )
    return [message % {"deadline": beijing_time(deadline)}]


@transaction.atomic
def submit_proposal(*, proposal: Proposal, actor, now=None) -> ProposalVersion:
    """Freeze the proposal as a new version and submit it. Principal investigator only.

    Refused with SubmissionRefused (every reason at once, nothing changed) unless
    the call is open, the stage's deadline (letter or full) is still ahead by the
    server's clock `now`, and the checklist is complete: sections, confirmed team
    within the call's rules, resources within the envelope when the call blocks,
    documents, statements.

    The first submission takes the reference number. Each submission creates
    ProposalVersion number 1, 2, … with a JSON snapshot of every field, the team,
    the statements and the documents (kept by the version, even when replaced
    later). A draft moves to submitted; a submitted proposal stays submitted and
    the resubmission is recorded in its history. The "submitted" email goes to the
    PI, the team and the CNSA contacts once the transaction commits.

    On the server's clock (no `now` given) the deadline is checked again once
    the submission's turn has come and just before it commits: submissions
    queue on the proposal's row and on the reference counter, and one that
    queued past the deadline is refused, its number given back. The moment
    stored is when its turn came, so references follow submission times
    (tests/test_concurrency.py).
    """
    on_the_clock = now is None
    now = now or timezone.now()
    locked = lock(proposal)
    if not is_principal_investigator(actor, locked):
        raise PermissionDenied(_("Only the principal investigator can submit."))
    problems = submission_problems(locked, now=now)
    if problems:
        raise SubmissionRefused(problems)
    if not locked.reference:
        locked.reference = next_reference(opportunity=locked.opportunity)
    if on_the_clock:
        now = timezone.now()
        if late := _late(locked, now=now):
            raise SubmissionRefused(late)
    locked.submitted_at = now
    locked.save(update_fields=["reference", "submitted_at"])
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ProposalVersion.objects.create(
        proposal=locked,
        number=number,
        stage=locked.stage,
        reference=locked.reference,
        submitted_at=now,
        submitted_by=actor,
        snapshot=build_snapshot(locked, reference=locked.reference, submitted_at=now),
    )
    version.documents.set(current_documents(locked))
    said = {
        "message": ProposalEvent.Message.VERSION_SUBMITTED,
        "params": {"number": number},
    }
    if locked.status == ProposalStatus.DRAFT:
        locked = workflow.transition(
            locked, to=ProposalStatus.SUBMITTED, actor=actor, **said
        )
    else:
        state = workflow.state_of(locked)
        workflow.record_event(locked, actor=actor, before=state, after=state, **said)
    emails.proposal_submitted(proposal=locked, version=version)
    if on_the_clock and (late := _late(locked, now=timezone.now())):
        raise SubmissionRefused(late)
    proposal.refresh_from_db()
    return version


@transaction.atomic
def withdraw_proposal(*, proposal: Proposal, actor, reason: str = "") -> Proposal:
    """Withdraw a draft or a submitted proposal. Principal investigator only; the
    reference number and the versions stay."""
    if not is_principal_investigator(actor, proposal):
        raise PermissionDenied(_("Only the principal investigator can withdraw."))
    return workflow.transition(
        proposal, to=ProposalStatus.WITHDRAWN, actor=actor, note=reason
    )


def _check_letter_decision(proposal: Proposal, *, actor, now) -> None:
    if not can_decide_letters(actor):
        raise PermissionDenied(_("Only administrators decide on letters of intent."))
    if proposal.stage != ProposalStage.LETTER_OF_INTENT:
        raise LetterDecisionRefused(_("This proposal is not a letter of intent."))
    deadline = proposal.opportunity.loi_deadline
    if deadline is not None and now < deadline:
        raise LetterDecisionRefused(
            _(
                "Letters are shortlisted or declined once their deadline has "
                "passed (%(deadline)s)."
            )
            % {"deadline": beijing_time(deadline)}
        )


@transaction.atomic
def shortlist_letter(*, proposal: Proposal, actor, now=None) -> Proposal:
    """A submitted letter goes on: it becomes a full-stage draft keeping all its
    content, and the team is told."""
    now = now or timezone.now()
    locked = lock(proposal)
    _check_letter_decision(locked, actor=actor, now=now)
    return workflow.transition(
        proposal,
        to=ProposalStatus.DRAFT,
        stage=ProposalStage.FULL,
        actor=actor,
        message=ProposalEvent.Message.LETTER_SHORTLISTED,
    )


@transaction.atomic
def decline_letter(*, proposal: Proposal, actor, note: str = "", now=None) -> Proposal:
    """A submitted letter stops here; the team is told, with `note`."""
    now = now or timezone.now()
    locked = lock(proposal)
    _check_letter_decision(locked, actor=actor, now=now)
    return workflow.transition(
        proposal, to=ProposalStatus.DECLINED, actor=actor, note=note
    )
