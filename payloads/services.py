"""Every write to a selected payload.

Each service checks who acts (payloads.permissions), runs in one transaction,
moves states only through payloads.workflow, records a PayloadEvent, and
queues its emails (payloads.emails) for when the transaction commits. A refusal
is a PayloadRefused (config.refusals.Refused) whose sentences say what to do;
acting without the right raises PermissionDenied.
"""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus
from catalogue.models import Carrier, Opportunity
from config.refusals import Refused
from payloads import emails, workflow
from payloads.checks import (
    Allocation,
    allocation_findings,
    delivery_findings,
    render_finding,
)
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    EventKind,
    PayloadStatus,
)
from payloads.models import (
    Agreement,
    Condition,
    ConditionDocument,
    DataHandover,
    Delivery,
    Milestone,
    MilestoneSlip,
    Payload,
    SelectionEntry,
    SelectionList,
    link_validator,
)
from payloads.permissions import can_answer, can_manage_payloads
from proposals import workflow as proposal_workflow
from proposals.documents import check_upload
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal
from proposals.resources import format_number, parse_size_mm
from proposals.selectors import version_for_review
from reviews.enums import SELECTED_OUTCOMES, DecisionOutcome
from reviews.permissions import can_decide

# The limits of a PDF given with an answer or as a signed agreement.
DOCUMENT_MAX_SIZE_MB = 20
MAX_FILES_PER_ANSWER = 10

# A bullet or a number opening a condition: "1." "2)" "(a)" "-" "•" "*".
_BULLET = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[-–—•*·])\s+", re.I)


class PayloadRefused(Refused):
    """A change to a payload refused, with what to do instead. `field` names the
    form field the sentence is about, when there is one."""

    def __init__(self, messages=None, *, field: str | None = None):
        self.field = field
        super().__init__(messages)


class AllocationRefused(PayloadRefused):
    """An allocation that does not fit the carrier's envelope; `findings` holds
    each overrun with its figures."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__([finding.message for finding in self.findings])


@dataclass(frozen=True)
class DocumentLimits:
    """What proposals.documents.check_upload asks of a required document."""

    name: str
    max_size_mb: int = DOCUMENT_MAX_SIZE_MB
    page_limit: int | None = None


def _require_manager(actor, message: str) -> None:
    if not can_manage_payloads(actor):
        raise PermissionDenied(message)


def _refuse_if_deselected(payload: Payload) -> None:
    if payload.status == PayloadStatus.DESELECTED:
        raise PayloadRefused(
            _("This payload was de-selected; nothing more can be recorded for it.")
        )


def _lock(payload: Payload) -> Payload:
    return (
        Payload.objects.select_for_update(of=("self",))
        .select_related("carrier__opportunity__mission", "opportunity")
        .get(pk=payload.pk)
    )


def _required(value: str, message: str, *, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise PayloadRefused(message, field=field)
    return text


# --- creation on release ----------------------------------------------------


def split_conditions(text: str) -> list[str]:
    """The conditions of a decision, one per bullet or numbered item, or one per
    line when none is numbered. A line without a bullet after a bulleted one
    continues it. "1." "2)" "(a)" "-" "•" prefixes are dropped."""
    lines = [line.rstrip() for line in (text or "").splitlines()]
    lines = [line for line in lines if line.strip()]
    if not any(_BULLET.match(line) for line in lines):
        return [line.strip() for line in lines]
    items: list[str] = []
    for line in lines:
        if _BULLET.match(line):
            items.append(_BULLET.sub("", line, count=1).strip())
        elif items:
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            items.append(line.strip())
    return [item for item in items if item]


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _requested_resources(version, proposal: Proposal) -> dict:
    """The carrier and the resources of the frozen version (the live proposal
    where the snapshot lacks them)."""
    resources = (version.snapshot or {}).get("resources") or {}
    carrier_data = resources.get("carrier") or {}
    carrier = None
    if carrier_data.get("id"):
        carrier = Carrier.objects.filter(
            pk=carrier_data["id"], opportunity_id=proposal.opportunity_id
        ).first()
    sides = [resources.get(key) for key in ("length_mm", "width_mm", "height_mm")]
    size = "" if None in sides else " × ".join(str(side) for side in sides)
    return {
        "carrier": carrier,
        "allocated_mass_kg": _decimal(resources.get("mass_kg")),
        "allocated_power_w": _decimal(resources.get("power_avg_w")),
        "allocated_data_mb_per_day": _decimal(resources.get("data_mb_per_day")),
        "allocated_size_mm": size,
    }


@transaction.atomic
def create_payload_for_decision(*, decision, actor) -> Payload:
    """The payload of a released selection, created once.

    Idempotent: the proposal's row is locked and an existing payload returned
    as it is, so a retried release or a second call creates nothing. Only for a
    selected or conditionally selected decision (PayloadRefused otherwise). The
    payload takes the version the reviewers read (version_for_review, else the
    latest), its carrier and requested resources as the allocation, one
    Condition per item of `decision.conditions` (conditional selection only),
    an Agreement per CallAgreement of the call and a Milestone per CallMilestone.
    Records a "created" event. Sends nothing: the decision's email is the news.
    """
    if not (can_decide(actor) or can_manage_payloads(actor)):
        raise PermissionDenied(_("Only administrators release selections."))
    if decision.outcome not in SELECTED_OUTCOMES:
        raise PayloadRefused(_("Only a selected proposal becomes a payload."))
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=decision.proposal_id)
    )
    existing = Payload.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    version = (
        version_for_review(proposal, stage=ProposalStage.FULL)
        or proposal.versions.order_by("-number").first()
    )
    if version is None:
        raise PayloadRefused(
            _(
                "%(reference)s has no submitted version; a payload is created "
                "from the version the reviewers read."
            )
            % {"reference": proposal.reference}
        )
    conditional = decision.outcome == DecisionOutcome.CONDITIONALLY_SELECTED
    # A new row: its first state is given here, not moved by the workflow.
    payload = Payload.objects.create(
        proposal=proposal,
        version=version,
        decision=decision,
        opportunity=proposal.opportunity,
        status=PayloadStatus.CONDITIONAL if conditional else PayloadStatus.SELECTED,
        name=(proposal.title or proposal.reference)[:200],
        **_requested_resources(version, proposal),
    )
    if conditional:
        Condition.objects.bulk_create(
            Condition(payload=payload, order=index, text=text)
            for index, text in enumerate(split_conditions(decision.conditions), 1)
        )
    opportunity = proposal.opportunity
    Agreement.objects.bulk_create(
        Agreement(payload=payload, requirement=requirement, name=requirement.name)
        for requirement in opportunity.agreement_requirements.all()
    )
    Milestone.objects.bulk_create(
        Milestone(
            payload=payload,
            template=template,
            kind=template.kind,
            name=template.name,
            responsible=template.responsible,
            planned_date=template.planned_date,
            order=template.order,
        )
        for template in opportunity.milestone_template.all()
    )
    workflow.record_event(
        payload,
        kind=EventKind.CREATED,
        actor=actor,
        data={
            "decision": decision.pk,
            "version": version.pk,
            "allocation": Allocation.of(payload).as_data(),
        },
    )
    return payload


# --- allocation -------------------------------------------------------------


def _size_or_refuse(text: str, *, field: str) -> str:
    text = (text or "").strip()
    if text and parse_size_mm(text) is None:
        raise PayloadRefused(
            _(
                "Give the size as length × width × height in millimetres, "
                "e.g. 300 × 200 × 150."
            ),
            field=field,
        )
    return text


@transaction.atomic
def change_allocation(
    *,
    payload: Payload,
    actor,
    mass_kg: Decimal | None,
    power_w: Decimal | None,
    data_mb_per_day: Decimal | None,
    size_mm: str,
    reason: str,
) -> Payload:
    """Change the resources allocated to a payload, with the reason.

    Refused (AllocationRefused, each overrun with its figures) when the new
    allocation exceeds the carrier's per-payload mass or size, or — together
    with the call's other payloads on the carrier still on board — its total
    mass, power or data volume. Records an "allocation changed" event with the
    allocation before and after.
    """
    _require_manager(actor, _("Only administrators change allocations."))
    reason = _required(
        reason,
        _("Say why the allocation changes; the history keeps it."),
        field="reason",
    )
    locked = _lock(payload)
    _refuse_if_deselected(locked)
    proposed = Allocation(
        mass_kg=mass_kg,
        power_w=power_w,
        data_mb_per_day=data_mb_per_day,
        size_mm=_size_or_refuse(size_mm, field="size_mm"),
    )
    findings = allocation_findings(locked, proposed)
    if findings:
        raise AllocationRefused(findings)
    before = Allocation.of(locked)
    locked.allocated_mass_kg = proposed.mass_kg
    locked.allocated_power_w = proposed.power_w
    locked.allocated_data_mb_per_day = proposed.data_mb_per_day
    locked.allocated_size_mm = proposed.size_mm
    locked.save(
        update_fields=[
            "allocated_mass_kg",
            "allocated_power_w",
            "allocated_data_mb_per_day",
            "allocated_size_mm",
            "updated_at",
        ]
    )
    workflow.record_event(
        locked,
        kind=EventKind.ALLOCATION_CHANGED,
        actor=actor,
        note=reason,
        data={"before": before.as_data(), "after": proposed.as_data()},
    )
    return locked


# --- conditions -------------------------------------------------------------


def _checked_pdf(file, *, name: str):
    return check_upload(
        file=file,
        name=getattr(file, "name", "") or "document.pdf",
        required_document=DocumentLimits(name=name),
    )


@transaction.atomic
def answer_condition(
    *, condition: Condition, actor, answer: str, files: Iterable = ()
) -> Condition:
    """The team's answer to a condition, with PDFs (checked as proposal
    documents are, stored privately under random names).

    Only the principal investigator or a confirmed co-investigator; only an
    open or returned condition of a conditionally selected payload.
    """
    payload = condition.payload
    if not can_answer(actor, payload):
        raise PermissionDenied(
            _(
                "Only the principal investigator and confirmed co-investigators "
                "answer the conditions."
            )
        )
    answer = _required(answer, _("Write your answer to the condition."), field="answer")
    files = list(files or [])
    if len(files) > MAX_FILES_PER_ANSWER:
        raise PayloadRefused(
            _("Attach at most %(count)s documents to one answer.")
            % {"count": MAX_FILES_PER_ANSWER}
        )
    if payload.status != PayloadStatus.CONDITIONAL:
        raise PayloadRefused(
            _(
                "This payload is no longer conditionally selected; its conditions "
                "take no more answers."
            )
        )
    if condition.status not in ConditionStatus.awaiting_team():
        raise PayloadRefused(
            _(
                "This condition is “%(status)s”; wait for the administrators' "
                "review before answering again."
            )
            % {"status": ConditionStatus(condition.status).label}
        )
    checked = [_checked_pdf(file, name=_("Answer to a condition")) for file in files]
    locked = workflow.transition(
        condition, to=ConditionStatus.ANSWERED, actor=actor, note=answer
    )
    for pdf in checked:
        document = ConditionDocument(
            condition=locked,
            original_name=pdf.display_name,
            sha256=pdf.sha256,
            size=pdf.size,
            pages=pdf.page_count,
            uploaded_by=actor,
        )
        document.file.save(
            f"{secrets.token_hex(8)}.pdf", ContentFile(pdf.content), save=False
        )
        document.save()
    return locked


def _move_proposal_to_selected(proposal: Proposal, *, actor) -> None:
    """When the proposals' workflow allows conditionally selected → selected."""
    state = (proposal.stage, proposal.status)
    target = (proposal.stage, ProposalStatus.SELECTED)
    if target in proposal_workflow.TRANSITIONS.get(state, frozenset()):
        proposal_workflow.transition(
            proposal,
            to=ProposalStatus.SELECTED,
            actor=actor,
            note=_("Every condition accepted."),
        )


@transaction.atomic
def accept_condition(*, condition: Condition, actor, note: str = "") -> Condition:
    """Accept the team's answer. When it is the payload's last condition to
    accept, the payload becomes fully selected (and its proposal "selected",
    where the proposals' workflow allows it); the team is emailed of both."""
    _require_manager(actor, _("Only administrators accept conditions."))
    payload = _lock(condition.payload)
    _refuse_if_deselected(payload)
    locked = workflow.transition(
        condition, to=ConditionStatus.ACCEPTED, actor=actor, note=note.strip()
    )
    pending = payload.conditions.exclude(status=ConditionStatus.ACCEPTED).exists()
    if not pending and payload.status == PayloadStatus.CONDITIONAL:
        workflow.transition(payload, to=PayloadStatus.SELECTED, actor=actor)
        _move_proposal_to_selected(payload.proposal, actor=actor)
    condition.payload = payload
    return locked


@transaction.atomic
def return_condition(*, condition: Condition, actor, note: str) -> Condition:
    """Return the team's answer with a note saying what is missing; the team is
    emailed with it."""
    _require_manager(actor, _("Only administrators return conditions."))
    note = _required(
        note,
        _("Tell the team what is missing so that they can answer again."),
        field="note",
    )
    payload = _lock(condition.payload)
    _refuse_if_deselected(payload)
    return workflow.transition(
        condition, to=ConditionStatus.RETURNED, actor=actor, note=note
    )


@transaction.atomic
def deselect_payload(*, payload: Payload, actor, letter: str) -> Payload:
    """De-select a payload (its conditions refused, or a selection withdrawn),
    with the letter the team is emailed."""
    _require_manager(actor, _("Only administrators de-select payloads."))
    letter = _required(
        letter,
        _("Write the letter to the team explaining the de-selection."),
        field="letter",
    )
    return workflow.transition(
        payload, to=PayloadStatus.DESELECTED, actor=actor, note=letter
    )


# --- agreements -------------------------------------------------------------


@transaction.atomic
def move_agreement(
    *, agreement: Agreement, actor, to: str, note: str = ""
) -> Agreement:
    """Move an agreement between draft and under negotiation. Signing takes the
    signed PDF: sign_agreement."""
    _require_manager(actor, _("Only administrators move agreements."))
    if to == AgreementStatus.SIGNED:
        raise PayloadRefused(
            _(
                "Sign an agreement with its signed PDF, the signatories and the "
                "date: use “Sign”."
            )
        )
    _refuse_if_deselected(agreement.payload)
    return workflow.transition(agreement, to=to, actor=actor, note=note.strip())


@transaction.atomic
def sign_agreement(
    *, agreement: Agreement, actor, signed_file, signed_by_name: str, signed_on: date
) -> Agreement:
    """Record an agreement under negotiation as signed: its signed PDF (checked
    as proposal documents are, stored privately), who signed and when."""
    _require_manager(actor, _("Only administrators sign agreements."))
    signed_by_name = _required(
        signed_by_name,
        _("Name the signatories on both sides."),
        field="signed_by_name",
    )
    if signed_on is None:
        raise PayloadRefused(_("Give the date of signature."), field="signed_on")
    if signed_on > timezone.localdate():
        raise PayloadRefused(
            _("The date of signature cannot be in the future."), field="signed_on"
        )
    if signed_file is None:
        raise PayloadRefused(
            _("Upload the signed agreement as PDF."), field="signed_file"
        )
    _refuse_if_deselected(agreement.payload)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if AgreementStatus.SIGNED not in workflow.allowed_targets(locked):
        raise workflow.TransitionRefused(
            obj=locked, current=locked.status, to=AgreementStatus.SIGNED
        )
    pdf = _checked_pdf(signed_file, name=locked.name)
    locked.signed_file.save(
        f"{secrets.token_hex(8)}.pdf", ContentFile(pdf.content), save=False
    )
    locked.signed_file_name = pdf.display_name
    locked.signed_by_name = signed_by_name
    locked.signed_on = signed_on
    locked.save(
        update_fields=["signed_file", "signed_file_name", "signed_by_name", "signed_on"]
    )
    moved = workflow.transition(
        agreement, to=AgreementStatus.SIGNED, actor=actor, note=signed_by_name
    )
    for field in ("signed_file", "signed_file_name", "signed_by_name", "signed_on"):
        setattr(agreement, field, getattr(moved, field))
    return moved


# --- milestones -------------------------------------------------------------


@transaction.atomic
def record_slip(
    *, milestone: Milestone, actor, to_date: date, reason: str
) -> MilestoneSlip:
    """Move a milestone's planned date, with the reason; the call's CNSA
    contacts are emailed once per slip."""
    _require_manager(actor, _("Only administrators record slips."))
    reason = _required(
        reason,
        _("Say why the milestone slips; the contacts are told."),
        field="reason",
    )
    locked = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("payload__opportunity", "payload__proposal")
        .get(pk=milestone.pk)
    )
    _refuse_if_deselected(locked.payload)
    if locked.is_done:
        raise PayloadRefused(
            _("This milestone is done; a done milestone does not slip.")
        )
    if to_date is None or to_date == locked.planned_date:
        raise PayloadRefused(
            _("Give the new planned date, different from the current."), field="to_date"
        )
    slip = MilestoneSlip.objects.create(
        milestone=locked,
        from_date=locked.planned_date,
        to_date=to_date,
        reason=reason,
        recorded_by=actor,
    )
    locked.planned_date = to_date
    locked.save(update_fields=["planned_date"])
    milestone.planned_date = to_date
    workflow.record_event(
        locked.payload,
        kind=EventKind.MILESTONE_SLIPPED,
        actor=actor,
        note=reason,
        data={
            "milestone": locked.pk,
            "from": slip.from_date.isoformat(),
            "to": slip.to_date.isoformat(),
        },
    )
    emails.milestone_slipped(slip=slip)
    return slip


@transaction.atomic
def complete_milestone(*, milestone: Milestone, actor, actual_date: date) -> Milestone:
    """Record the date a milestone was reached."""
    _require_manager(actor, _("Only administrators complete milestones."))
    if actual_date is None:
        raise PayloadRefused(_("Give the date it was reached."), field="actual_date")
    if actual_date > timezone.localdate():
        raise PayloadRefused(
            _("A milestone cannot be reached in the future."), field="actual_date"
        )
    locked = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("payload")
        .get(pk=milestone.pk)
    )
    _refuse_if_deselected(locked.payload)
    if locked.is_done:
        raise PayloadRefused(
            _("This milestone was reached on %(date)s already.")
            % {"date": locked.actual_date.isoformat()}
        )
    locked.actual_date = actual_date
    locked.save(update_fields=["actual_date"])
    milestone.actual_date = actual_date
    workflow.record_event(
        locked.payload,
        kind=EventKind.MILESTONE_DONE,
        actor=actor,
        data={
            "milestone": locked.pk,
            "planned": locked.planned_date.isoformat(),
            "actual": actual_date.isoformat(),
        },
    )
    return locked


# --- deliveries -------------------------------------------------------------


@transaction.atomic
def record_delivery(
    *,
    payload: Payload,
    actor,
    unit: str,
    delivered_on: date,
    mass_kg: Decimal,
    power_w: Decimal | None,
    size_mm: str,
    notes: str,
    milestone: Milestone | None = None,
) -> Delivery:
    """Record a delivered unit as measured, checked against the allocation and
    the carrier's envelope (payloads.checks.delivery_findings). An overrun is
    flagged and emailed to the administrators and the team, once per delivery.
    """
    _require_manager(actor, _("Only administrators record deliveries."))
    if mass_kg is None:
        raise PayloadRefused(_("Give the measured mass."), field="mass_kg")
    if delivered_on is None:
        raise PayloadRefused(_("Give the date of delivery."), field="delivered_on")
    size_mm = _size_or_refuse(size_mm, field="size_mm")
    locked = _lock(payload)
    _refuse_if_deselected(locked)
    if milestone is not None and milestone.payload_id != locked.pk:
        raise PayloadRefused(_("Choose a milestone of this payload."))
    delivery = Delivery(
        payload=locked,
        milestone=milestone,
        unit=unit,
        delivered_on=delivered_on,
        mass_kg=mass_kg,
        power_w=power_w,
        size_mm=size_mm,
        notes=(notes or "").strip(),
        recorded_by=actor,
    )
    findings = delivery_findings(delivery)
    delivery.findings = [finding.as_data() for finding in findings]
    delivery.overrun = bool(findings)
    delivery.save()
    workflow.record_event(
        locked,
        kind=EventKind.DELIVERY_RECORDED,
        actor=actor,
        note=delivery.notes,
        data={
            "delivery": delivery.pk,
            "mass_kg": format_number(mass_kg),
            "overrun": delivery.overrun,
        },
    )
    if delivery.overrun:
        emails.delivery_overrun(delivery=delivery)
    return delivery


@transaction.atomic
def accept_delivery(
    *, delivery: Delivery, actor, note: str = "", overrun_confirmed: bool = False
) -> Delivery:
    """Accept a delivered unit. An overrun is accepted only when confirmed."""
    _require_manager(actor, _("Only administrators accept deliveries."))
    if delivery.overrun and not overrun_confirmed:
        raise PayloadRefused(
            [
                _(
                    "This unit exceeds its allocation or the carrier's envelope. "
                    "Confirm the overrun to accept it anyway, or reject it."
                ),
                *delivery_messages(delivery),
            ]
        )
    return workflow.transition(
        delivery, to=DeliveryStatus.ACCEPTED, actor=actor, note=(note or "").strip()
    )


@transaction.atomic
def reject_delivery(*, delivery: Delivery, actor, note: str) -> Delivery:
    """Reject a delivered unit, saying why."""
    _require_manager(actor, _("Only administrators reject deliveries."))
    note = _required(
        note, _("Say why the unit is rejected; the history keeps it."), field="note"
    )
    return workflow.transition(
        delivery, to=DeliveryStatus.REJECTED, actor=actor, note=note
    )


def delivery_messages(delivery: Delivery) -> list[str]:
    """Each finding of a delivery as a sentence in the active language."""
    return [render_finding(finding) for finding in delivery.findings]


# --- data -------------------------------------------------------------------


@transaction.atomic
def record_handover(
    *,
    payload: Payload,
    actor,
    delivered_on: date,
    dataset: str,
    volume_gb: Decimal | None,
    link: str,
    notes: str,
) -> DataHandover:
    """Record data delivered to the team (link: an https address or a DOI);
    the team is emailed."""
    _require_manager(actor, _("Only administrators record data handovers."))
    dataset = _required(dataset, _("Name the data set."), field="dataset")
    if delivered_on is None:
        raise PayloadRefused(_("Give the date of the handover."), field="delivered_on")
    link = (link or "").strip()
    if link:
        try:
            link_validator(link)
        except ValidationError as error:
            raise PayloadRefused(error.messages, field="link") from error
    locked = _lock(payload)
    handover = DataHandover.objects.create(
        payload=locked,
        delivered_on=delivered_on,
        dataset=dataset,
        volume_gb=volume_gb,
        link=link,
        notes=(notes or "").strip(),
        recorded_by=actor,
    )
    workflow.record_event(
        locked,
        kind=EventKind.DATA_HANDED_OVER,
        actor=actor,
        data={"handover": handover.pk, "dataset": dataset},
    )
    emails.data_handed_over(handover=handover)
    return handover


# --- public selection list ----------------------------------------------------


def _lead(payload: Payload) -> tuple[str, str]:
    """The lead institution and country as submitted (the frozen version)."""
    pi = (payload.version.snapshot or {}).get("principal_investigator") or {}
    user = payload.proposal.principal_investigator
    institution = pi.get("institution") or user.institution or ""
    country = pi.get("country") or (user.country.code if user.country else "")
    return institution, country


@transaction.atomic
def publish_selection_list(*, opportunity: Opportunity, actor) -> SelectionList:
    """Publish the call's selected payloads on its public page (title, lead
    institution, country). Only for a decided call. The entries are rebuilt
    from the payloads still on board; a call without payloads (a historical
    one) publishes the entries it has."""
    _require_manager(actor, _("Only administrators publish selection lists."))
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.status != OpportunityStatus.DECIDED:
        raise PayloadRefused(
            _("Release the call's decisions before publishing its selected payloads.")
        )
    selection, _created = SelectionList.objects.get_or_create(opportunity=locked)
    payloads = list(
        locked.payloads.filter(status__in=PayloadStatus.active())
        .select_related("version", "proposal__principal_investigator")
        .order_by("name", "pk")
    )
    if payloads:
        selection.entries.all().delete()
        entries = []
        for order, payload in enumerate(payloads, 1):
            institution, country = _lead(payload)
            entries.append(
                SelectionEntry(
                    selection_list=selection,
                    payload=payload,
                    title=payload.name,
                    lead_institution=institution[:255],
                    country=country,
                    order=order,
                )
            )
        SelectionEntry.objects.bulk_create(entries)
    elif not selection.entries.exists():
        raise PayloadRefused(_("This call has no selected payload to publish yet."))
    selection.published_at = timezone.now()
    selection.published_by = actor
    selection.save(update_fields=["published_at", "published_by"])
    return selection


@transaction.atomic
def unpublish_selection_list(*, opportunity: Opportunity, actor) -> SelectionList:
    """Take the call's selected payloads off its public page (entries kept)."""
    _require_manager(actor, _("Only administrators unpublish selection lists."))
    selection, _created = SelectionList.objects.select_for_update().get_or_create(
        opportunity=opportunity
    )
    selection.published_at = None
    selection.published_by = None
    selection.save(update_fields=["published_at", "published_by"])
    return selection
