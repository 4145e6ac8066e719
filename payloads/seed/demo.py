"""Demonstration payloads in every state, on two decided demonstration calls
(see the package's docstring), played through the services from what
payloads.seed.demo_specs says."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue import workflow as catalogue_workflow
from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from catalogue.seed.demo_calls import load_demo_call
from catalogue.seed.upsert import SeedReport, beijing
from payloads import services
from payloads.enums import AgreementStatus, DeliveryUnit, EventKind, MilestoneKind
from payloads.models import Payload
from payloads.seed.demo_specs import (
    AFTER_SELECTION_SLUG,
    CONDITION_ANSWER,
    CONDITIONAL,
    CONDITIONS,
    DESELECTED,
    DESELECTED_ANSWER,
    DESELECTED_CONDITIONS,
    FLOWN,
    FLOWN_HANDOVER,
    FLOWN_MILESTONES,
    FLOWN_RELEASE,
    FLOWN_SIGNED,
    FLOWN_SLUG,
    QM_MASS,
    SELECTED,
    after_selection_milestones,
    after_selection_spec,
    flown_spec,
)
from payloads.seed.public import (
    STANDARD_AGREEMENTS,
    sync_agreement_requirements,
    sync_milestone_template,
)
from proposals.models import Proposal
from proposals.seed import (
    build_proposal,
    demo_pdf,
    demo_user,
    find_proposal,
    submit_demo_proposal,
)
from reviews import services as review_services
from reviews.enums import DecisionOutcome

ADMIN = "admin@example.org"
RESEARCHER1 = "researcher1@example.org"
RESEARCHER2 = "researcher2@example.org"
RESEARCHER3 = "researcher3@example.org"


def _pdf(proposal: Proposal, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{slugify(name)}.pdf",
        demo_pdf(proposal=proposal, document=name),
        content_type="application/pdf",
    )


def _submit_all(opportunity: Opportunity, specs, *, before) -> list[Proposal]:
    """Build and submit each proposal `before` the deadline (the services'
    clock set back), or find it again."""
    proposals = []
    for days, (pi, spec) in enumerate(specs, start=1):
        user = demo_user(pi)
        proposal = find_proposal(opportunity=opportunity, pi=user, title=spec.title)
        if proposal is None:
            now = before - timedelta(days=days)
            proposal = build_proposal(
                opportunity=opportunity, pi=user, spec=spec, now=now
            )
            proposal = submit_demo_proposal(proposal, now=now)
        proposals.append(proposal)
    return proposals


def _decide_and_release(opportunity, decisions, *, admin, released) -> None:
    """Close the call, record each decision and release them all: the release
    creates the payloads (payloads.receivers)."""
    catalogue_workflow.transition(
        opportunity,
        to=OpportunityStatus.CLOSED,
        actor=admin,
        note=_("Deadline passed: closed for review (demonstration)."),
    )
    for proposal, outcome, conditions in decisions:
        review_services.record_decision(
            proposal=proposal,
            outcome=outcome,
            conditions=conditions,
            actor=admin,
            now=released - timedelta(days=7),
        )
    review_services.release_decisions(
        opportunity=opportunity, actor=admin, now=released
    )


def _load_new_call(spec: dict, *, report: SeedReport) -> Opportunity | None:
    """The call loaded as published, or None when it exists already."""
    if Opportunity.objects.filter(slug=spec["slug"]).exists():
        return None
    return load_demo_call(spec, report=report)


def _payload(proposal: Proposal) -> Payload:
    return Payload.objects.get(proposal=proposal)


def _conditional_story(payload: Payload, *, today: date) -> None:
    """One condition answered with a PDF (awaiting the administrator), one
    open and past its due date."""
    team = payload.proposal.principal_investigator
    first, second = payload.conditions.order_by("order", "pk")
    # direct: no service sets a condition's due date (the letter only names it).
    first.due_date = today + timedelta(days=20)
    first.save(update_fields=["due_date"])
    second.due_date = today - timedelta(days=5)
    second.save(update_fields=["due_date"])
    services.answer_condition(
        condition=first,
        actor=team,
        answer=CONDITION_ANSWER,
        files=[_pdf(payload.proposal, "Thermal vacuum test report")],
    )


def _selected_story(payload: Payload, *, admin, today: date) -> None:
    """Agreements in each status, milestones done, slipped and late, and a
    qualification model delivered over its mass allocation."""
    day = lambda offset: today + timedelta(days=offset)  # noqa: E731
    agreements = {a.name: a for a in payload.agreements.all()}
    signed = agreements["Implementing agreement"]
    services.move_agreement(
        agreement=signed, actor=admin, to=AgreementStatus.NEGOTIATION
    )
    services.sign_agreement(
        agreement=signed,
        actor=admin,
        signed_file=_pdf(payload.proposal, "Implementing agreement (signed)"),
        signed_by_name="WANG Lei (CNSA); Dr. Javier Rojas (Universidad de Chile)",
        signed_on=day(-120),
    )
    services.move_agreement(
        agreement=agreements["Interface control document"],
        actor=admin,
        to=AgreementStatus.NEGOTIATION,
        note="Second draft of the thermal interface sent to the team.",
    )
    milestones = {m.kind: m for m in payload.milestones.all()}
    services.complete_milestone(
        milestone=milestones[MilestoneKind.PDR], actor=admin, actual_date=day(-90)
    )
    services.record_slip(
        milestone=milestones[MilestoneKind.CDR],
        actor=admin,
        to_date=day(-20),
        reason="The antenna's deployment test was repeated after a hinge failure.",
    )
    services.complete_milestone(
        milestone=milestones[MilestoneKind.CDR], actor=admin, actual_date=day(-18)
    )
    services.record_slip(
        milestone=milestones[MilestoneKind.FM_DELIVERY],
        actor=admin,
        to_date=day(80),
        reason="Follows the critical design review's slip.",
    )
    # The qualification model milestone stays open past its date: late.
    services.record_delivery(
        payload=payload,
        actor=admin,
        unit=DeliveryUnit.QM,
        delivered_on=day(-2),
        mass_kg=QM_MASS,
        power_w=Decimal(12),
        size_mm="250 × 200 × 150",
        notes="Weighed at reception in Beijing.",
        milestone=milestones[MilestoneKind.QM_DELIVERY],
    )


def _deselected_story(payload: Payload, *, admin) -> None:
    team = payload.proposal.principal_investigator
    condition = payload.conditions.get()
    services.answer_condition(
        condition=condition, actor=team, answer=DESELECTED_ANSWER, files=[]
    )
    services.return_condition(
        condition=condition,
        actor=admin,
        note="7.2 kg does not fit the orbiter's remaining share of 6 kg.",
    )
    services.deselect_payload(
        payload=payload,
        actor=admin,
        letter=(
            "Dear Dr. Ayesha Siddiqui,\n\nThe orbiter cannot carry the instrument "
            "at 7.2 kg: its remaining share is 6 kg. We therefore withdraw the "
            "conditional selection, and hope to see the instrument proposed for a "
            "later mission.\n\nDepartment of International Cooperation, CNSA "
            "(demonstration)"
        ),
    )


def seed_after_selection(*, admin, report: SeedReport) -> Opportunity:
    today = timezone.localdate()
    spec = after_selection_spec(today)
    opportunity = _load_new_call(spec, report=report)
    if opportunity is None:
        return Opportunity.objects.get(slug=AFTER_SELECTION_SLUG)
    sync_agreement_requirements(opportunity, STANDARD_AGREEMENTS, report=report)
    sync_milestone_template(
        opportunity, after_selection_milestones(today), report=report
    )
    conditional, selected, deselected = _submit_all(
        opportunity,
        [
            (RESEARCHER1, CONDITIONAL),
            (RESEARCHER2, SELECTED),
            (RESEARCHER3, DESELECTED),
        ],
        before=opportunity.proposal_deadline,
    )
    _decide_and_release(
        opportunity,
        [
            (conditional, DecisionOutcome.CONDITIONALLY_SELECTED, CONDITIONS),
            (selected, DecisionOutcome.SELECTED, ""),
            (deselected, DecisionOutcome.CONDITIONALLY_SELECTED, DESELECTED_CONDITIONS),
        ],
        admin=admin,
        released=beijing(today - timedelta(days=150), time(10, 0)),
    )
    _conditional_story(_payload(conditional), today=today)
    _selected_story(_payload(selected), admin=admin, today=today)
    _deselected_story(_payload(deselected), admin=admin)
    released = today - timedelta(days=150)
    _date_history(_payload(conditional), created=released)
    _date_history(_payload(deselected), created=released)
    _date_history(
        _payload(selected),
        created=released,
        agreement_moved=today - timedelta(days=140),
        agreement_signed=today - timedelta(days=120),
        delivery_recorded=today - timedelta(days=2),
    )
    return opportunity


def seed_flown(*, admin, report: SeedReport) -> Opportunity:
    opportunity = _load_new_call(flown_spec(), report=report)
    if opportunity is None:
        return Opportunity.objects.get(slug=FLOWN_SLUG)
    sync_agreement_requirements(opportunity, STANDARD_AGREEMENTS, report=report)
    sync_milestone_template(opportunity, FLOWN_MILESTONES, report=report)
    (proposal,) = _submit_all(
        opportunity, [(RESEARCHER1, FLOWN)], before=opportunity.proposal_deadline
    )
    _decide_and_release(
        opportunity,
        [(proposal, DecisionOutcome.SELECTED, "")],
        admin=admin,
        released=beijing(FLOWN_RELEASE),
    )
    payload = _payload(proposal)
    for agreement in payload.agreements.all():
        services.move_agreement(
            agreement=agreement, actor=admin, to=AgreementStatus.NEGOTIATION
        )
        services.sign_agreement(
            agreement=agreement,
            actor=admin,
            signed_file=_pdf(proposal, f"{agreement.name} (signed)"),
            signed_by_name=(
                "WANG Lei (CNSA); Dr. Camille Laurent (Université Paris Cité)"
            ),
            signed_on=FLOWN_SIGNED,
        )
    milestones = {m.kind: m for m in payload.milestones.all()}
    flight_model = milestones[MilestoneKind.FM_DELIVERY]
    delivery = services.record_delivery(
        payload=payload,
        actor=admin,
        unit=DeliveryUnit.FM,
        delivered_on=flight_model.planned_date,
        mass_kg=Decimal("2.410"),
        power_w=Decimal(6),
        size_mm="200 × 150 × 100",
        notes="Weighed at reception in Beijing.",
        milestone=flight_model,
    )
    services.accept_delivery(delivery=delivery, actor=admin)
    for milestone in payload.milestones.order_by("order"):
        services.complete_milestone(
            milestone=milestone, actor=admin, actual_date=milestone.planned_date
        )
    services.record_handover(
        payload=payload,
        actor=admin,
        delivered_on=FLOWN_HANDOVER,
        dataset="Regolith temperatures, first two lunar days (level 1)",
        volume_gb=Decimal("1.250"),
        link="https://data.example.org/demo/far-side-thermal-probe/l1",
        notes="Demonstration data set; the link leads nowhere.",
    )
    _date_history(
        payload,
        created=FLOWN_RELEASE,
        agreement_moved=FLOWN_SIGNED - timedelta(days=30),
        agreement_signed=FLOWN_SIGNED,
        delivery_recorded=flight_model.planned_date,
        delivery_accepted=flight_model.planned_date,
        data_handed_over=FLOWN_HANDOVER,
    )
    return opportunity


def _date_history(payload: Payload, **days: date) -> None:
    """direct: the services stamp the payload and each event of its history with
    the present moment; the demonstration's history is dated when each thing
    happened instead (`days`: a date per EventKind value; a milestone done is
    dated by its actual date). Only Payload.created_at and PayloadEvent.at are
    written; an event of a kind not given keeps its moment."""
    released = days[EventKind.CREATED]
    Payload.objects.filter(pk=payload.pk).update(
        created_at=beijing(released, time(10, 0))
    )
    for event in payload.events.all():
        if event.kind == EventKind.MILESTONE_DONE:
            day = date.fromisoformat(event.data["actual"])
        else:
            day = days.get(event.kind)
        if day is not None:
            event.at = beijing(day, time(10, 0))
            event.save(update_fields=["at"])


def _summary_line(payload: Payload) -> str:
    return _("  %(reference)s — %(name)s: %(status)s (%(pi)s)") % {
        "reference": payload.proposal.reference,
        "name": payload.name,
        "status": payload.get_status_display().lower(),
        "pi": payload.proposal.principal_investigator.email,
    }


def seed_demo_payloads() -> list[str]:
    """Two decided demonstration calls and their payloads in every state."""
    report = SeedReport()
    admin = demo_user(ADMIN)
    calls = [
        seed_after_selection(admin=admin, report=report),
        seed_flown(admin=admin, report=report),
    ]
    lines = [_("Demonstration payloads (after selection):")]
    for opportunity in calls:
        lines.append(
            _("  %(slug)s — %(status)s")
            % {
                "slug": opportunity.slug,
                "status": opportunity.get_status_display().lower(),
            }
        )
        payloads = (
            Payload.objects.filter(opportunity=opportunity)
            .select_related("proposal__principal_investigator")
            .order_by("proposal__reference")
        )
        lines += ["  " + _summary_line(payload) for payload in payloads]
    return lines
