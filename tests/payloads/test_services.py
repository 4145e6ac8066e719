"""The payload services: who may act, what each records, and who is emailed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payloads import services
from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    EventKind,
    PayloadStatus,
)
from payloads.models import (
    Condition,
    MilestoneSlip,
    Payload,
    PayloadEvent,
)
from payloads.workflow import TransitionRefused
from proposals.documents import DocumentRefused
from tests.factories import (
    ContactFactory,
    TeamMemberFactory,
    UserFactory,
    make_pdf,
    make_review_administrator,
)
from tests.payloads.factories import (
    AgreementFactory,
    ConditionFactory,
    MilestoneFactory,
    PayloadFactory,
    payload_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(superuser=True, email="admin@cnsa.example.org")


def _pdf(name="answer.pdf", pages=1):
    return SimpleUploadedFile(name, make_pdf(pages=pages), "application/pdf")


def _team(payload) -> list[str]:
    """The PI and the confirmed co-investigators with accounts."""
    members = payload.proposal.team_members.filter(
        confirmed_at__isnull=False, user__isnull=False
    )
    return sorted(
        [payload.proposal.principal_investigator.email]
        + [member.user.email for member in members]
    )


def _to(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def _events(payload) -> list[str]:
    return list(
        PayloadEvent.objects.filter(payload=payload)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- permissions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["researcher", "team member", "reviewer administrator", "anonymous"]
)
def test_only_administrators_change_a_payload(who):
    payload = payload_factory(team=1)
    actor = {
        "researcher": UserFactory(),
        "team member": payload.proposal.principal_investigator,
        "reviewer administrator": UserFactory(staff=True),
        "anonymous": None,
    }[who]

    with pytest.raises(PermissionDenied):
        services.change_allocation(
            payload=payload,
            actor=actor,
            mass_kg=Decimal(1),
            power_w=None,
            data_mb_per_day=None,
            size_mm="",
            reason="Lighter.",
        )


def test_only_the_pi_and_confirmed_co_investigators_answer():
    condition = ConditionFactory()
    unconfirmed = TeamMemberFactory(
        proposal=condition.payload.proposal, user=UserFactory()
    )

    for actor in (UserFactory(), unconfirmed.user, UserFactory(superuser=True)):
        with pytest.raises(PermissionDenied):
            services.answer_condition(condition=condition, actor=actor, answer="Yes.")


# --- allocation --------------------------------------------------------------


def test_change_allocation_records_before_after_and_reason(admin):
    payload = PayloadFactory()

    services.change_allocation(
        payload=payload,
        actor=admin,
        mass_kg=Decimal("4.2"),
        power_w=Decimal(7),
        data_mb_per_day=Decimal(40),
        size_mm="200 x 150 x 90",
        reason="The team removed a shield.",
    )

    stored = Payload.objects.get(pk=payload.pk)
    assert (stored.allocated_mass_kg, stored.allocated_size_mm) == (
        Decimal("4.200"),
        "200 x 150 x 90",
    )
    event = PayloadEvent.objects.get(kind=EventKind.ALLOCATION_CHANGED)
    assert event.note == "The team removed a shield."
    assert event.data == {
        "before": {
            "mass_kg": "4.5",
            "power_w": "8",
            "data_mb_per_day": "50",
            "size_mm": "200 × 150 × 100",
        },
        "after": {
            "mass_kg": "4.2",
            "power_w": "7",
            "data_mb_per_day": "40",
            "size_mm": "200 x 150 x 90",
        },
    }


def test_change_allocation_over_the_envelope_is_refused_with_figures(admin):
    payload = PayloadFactory()  # its carrier: 10 kg, 30 W, 500 MB per day
    PayloadFactory(
        version__proposal__opportunity=payload.opportunity,
        version__proposal__carrier=payload.carrier,
        allocated_mass_kg=Decimal(6),
    )

    with pytest.raises(services.AllocationRefused) as refusal:
        services.change_allocation(
            payload=payload,
            actor=admin,
            mass_kg=Decimal(5),
            power_w=Decimal(7),
            data_mb_per_day=Decimal(40),
            size_mm="",
            reason="Heavier shield.",
        )

    assert refusal.value.messages == [
        f"With this allocation the payloads on the {payload.carrier} take 11 kg, "
        "more than its 10 kg in all. Lower the mass allocated or reduce another "
        "payload's first."
    ]
    assert Payload.objects.get(pk=payload.pk).allocated_mass_kg == Decimal("4.5")


@pytest.mark.parametrize(
    ("reason", "size", "field"),
    [("  ", "", "reason"), ("Lighter.", "two by three", "size_mm")],
)
def test_change_allocation_needs_a_reason_and_a_readable_size(
    admin, reason, size, field
):
    with pytest.raises(services.PayloadRefused) as refusal:
        services.change_allocation(
            payload=PayloadFactory(),
            actor=admin,
            mass_kg=None,
            power_w=None,
            data_mb_per_day=None,
            size_mm=size,
            reason=reason,
        )

    assert refusal.value.field == field


# --- conditions --------------------------------------------------------------


def test_answer_with_a_document_is_stored_privately(admin):
    condition = ConditionFactory()
    pi = condition.payload.proposal.principal_investigator

    services.answer_condition(
        condition=condition,
        actor=pi,
        answer="The attached analysis covers the lunar night.",
        files=[_pdf("../thermal design.pdf", pages=3)],
    )

    stored = Condition.objects.get(pk=condition.pk)
    assert (stored.status, stored.answered_by) == (ConditionStatus.ANSWERED, pi)
    document = stored.documents.get()
    assert (document.original_name, document.pages) == ("thermal design.pdf", 3)
    assert document.file.name.startswith("payload-documents/conditions/")
    assert "thermal" not in document.file.name
    assert _events(condition.payload) == [EventKind.CONDITION_ANSWERED]


def test_answer_refuses_a_file_that_is_not_a_pdf():
    condition = ConditionFactory()

    with pytest.raises(DocumentRefused):
        services.answer_condition(
            condition=condition,
            actor=condition.payload.proposal.principal_investigator,
            answer="See the file.",
            files=[SimpleUploadedFile("a.pdf", b"<html>hi</html>", "text/html")],
        )

    assert Condition.objects.get(pk=condition.pk).status == ConditionStatus.OPEN


def test_an_answered_condition_waits_for_the_administrators():
    condition = ConditionFactory(status=ConditionStatus.ANSWERED)

    with pytest.raises(services.PayloadRefused) as refusal:
        services.answer_condition(
            condition=condition,
            actor=condition.payload.proposal.principal_investigator,
            answer="Again.",
        )

    assert refusal.value.messages == [
        "This condition is “Answered”; wait for the administrators' review before "
        "answering again."
    ]


def test_return_emails_the_team_with_the_note(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(conditions=1, team=1)
    condition = payload.conditions.get()
    TeamMemberFactory(proposal=payload.proposal)  # unconfirmed: not told
    services.answer_condition(
        condition=condition, actor=payload.proposal.principal_investigator, answer="A"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.return_condition(
            condition=condition, actor=admin, note="Add the night case."
        )

    assert _to(mailoutbox) == _team(payload)
    assert "Add the night case." in mailoutbox[0].body
    assert mailoutbox[0].subject == (
        f"[{payload.proposal.reference}] Condition returned, please answer again: "
        f"{payload.name}"
    )


def test_return_needs_a_note(admin):
    condition = ConditionFactory(status=ConditionStatus.ANSWERED)

    with pytest.raises(services.PayloadRefused):
        services.return_condition(condition=condition, actor=admin, note=" ")


def test_accepting_the_last_condition_selects_the_payload(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(conditions=2, team=1)
    first, second = payload.conditions.order_by("order")
    for condition in (first, second):
        services.answer_condition(
            condition=condition,
            actor=payload.proposal.principal_investigator,
            answer="Done.",
        )

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_condition(condition=first, actor=admin)
    assert Payload.objects.get(pk=payload.pk).status == PayloadStatus.CONDITIONAL
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_condition(condition=second, actor=admin, note="Good.")

    assert Payload.objects.get(pk=payload.pk).status == PayloadStatus.SELECTED
    subjects = sorted({message.subject for message in mailoutbox})
    assert subjects == [
        f"[{payload.proposal.reference}] Condition accepted: {payload.name}",
        f"[{payload.proposal.reference}] Your payload is selected: {payload.name}",
    ]
    assert len(mailoutbox) == 3 * len(_team(payload))
    assert _events(payload)[-2:] == [
        EventKind.CONDITION_ACCEPTED,
        EventKind.FULLY_SELECTED,
    ]


def test_deselection_sends_the_letter_to_the_team(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(conditions=1, team=2)
    letter = "Dear Dr Haddad,\n\nThe conditions were not met by March."

    with django_capture_on_commit_callbacks(execute=True):
        services.deselect_payload(payload=payload, actor=admin, letter=letter)

    stored = Payload.objects.get(pk=payload.pk)
    assert (stored.status, stored.deselection_letter) == (
        PayloadStatus.DESELECTED,
        letter,
    )
    assert _to(mailoutbox) == _team(payload)
    assert "The conditions were not met by March." in mailoutbox[0].body
    with pytest.raises(services.PayloadRefused):
        services.answer_condition(
            condition=payload.conditions.get(),
            actor=payload.proposal.principal_investigator,
            answer="Too late?",
        )


def test_deselection_needs_a_letter(admin):
    with pytest.raises(services.PayloadRefused) as refusal:
        services.deselect_payload(payload=PayloadFactory(), actor=admin, letter="")

    assert refusal.value.field == "letter"


# --- agreements ----------------------------------------------------------------


def test_agreement_negotiated_then_signed_with_its_pdf(admin):
    agreement = AgreementFactory()
    services.move_agreement(
        agreement=agreement, actor=admin, to=AgreementStatus.NEGOTIATION
    )

    services.sign_agreement(
        agreement=agreement,
        actor=admin,
        signed_file=_pdf("Implementing agreement (signed).pdf"),
        signed_by_name="Li Wei (CNSA); Dr Amina Haddad (IRAP)",
        signed_on=timezone.localdate(),
    )

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.signed_file_name == "Implementing agreement (signed).pdf"
    assert agreement.signed_file.name.startswith("payload-documents/agreements/")
    assert _events(agreement.payload) == [
        EventKind.AGREEMENT_MOVED,
        EventKind.AGREEMENT_SIGNED,
    ]


def test_a_draft_agreement_is_not_signed(admin):
    agreement = AgreementFactory()

    with pytest.raises(TransitionRefused):
        services.sign_agreement(
            agreement=agreement,
            actor=admin,
            signed_file=_pdf(),
            signed_by_name="Li Wei",
            signed_on=timezone.localdate(),
        )
    with pytest.raises(services.PayloadRefused):
        services.move_agreement(
            agreement=agreement, actor=admin, to=AgreementStatus.SIGNED
        )


# --- milestones ----------------------------------------------------------------


def test_slip_tells_the_calls_contacts_once_per_slip(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    milestone = MilestoneFactory()
    contacts = [ContactFactory(), ContactFactory()]
    milestone.payload.opportunity.contacts.add(*contacts)
    first = milestone.planned_date
    later = first + timedelta(days=35)

    with django_capture_on_commit_callbacks(execute=True):
        services.record_slip(
            milestone=milestone, actor=admin, to_date=later, reason="Supplier late."
        )
        services.record_slip(
            milestone=milestone,
            actor=admin,
            to_date=later + timedelta(days=7),
            reason="Test facility booked.",
        )

    assert _to(mailoutbox) == sorted(2 * [contact.email for contact in contacts])
    assert "Supplier late." in mailoutbox[0].body
    assert list(MilestoneSlip.objects.values_list("from_date", "to_date")) == [
        (first, later),
        (later, later + timedelta(days=7)),
    ]
    milestone.refresh_from_db()
    assert (milestone.planned_date, milestone.slip_days) == (
        later + timedelta(days=7),
        42,
    )


def test_slip_needs_a_reason_and_a_new_date(admin):
    milestone = MilestoneFactory()

    with pytest.raises(services.PayloadRefused):
        services.record_slip(
            milestone=milestone, actor=admin, to_date=milestone.planned_date, reason="x"
        )
    with pytest.raises(services.PayloadRefused):
        services.record_slip(
            milestone=milestone,
            actor=admin,
            to_date=milestone.planned_date + timedelta(days=1),
            reason="",
        )


def test_complete_milestone_once(admin):
    milestone = MilestoneFactory()
    today = timezone.localdate()

    services.complete_milestone(milestone=milestone, actor=admin, actual_date=today)

    with pytest.raises(services.PayloadRefused):
        services.complete_milestone(milestone=milestone, actor=admin, actual_date=today)
    milestone.refresh_from_db()
    assert milestone.actual_date == today


# --- deliveries ----------------------------------------------------------------


def _record(payload, admin, **measured):
    figures = {
        "unit": "flight_model",
        "delivered_on": timezone.localdate(),
        "mass_kg": Decimal("4.4"),
        "power_w": Decimal("7.5"),
        "size_mm": "200 × 150 × 100",
        "notes": "",
        **measured,
    }
    return services.record_delivery(payload=payload, actor=admin, **figures)


def test_delivery_within_the_allocation_is_not_flagged(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(team=1)

    with django_capture_on_commit_callbacks(execute=True):
        delivery = _record(payload, admin)

    assert (delivery.overrun, delivery.findings, mailoutbox) == (False, [], [])
    services.accept_delivery(delivery=delivery, actor=admin)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ACCEPTED


def test_delivery_overrun_is_flagged_and_told_once(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(team=1)
    other_admin = make_review_administrator(email="ops@cnsa.example.org")

    with django_capture_on_commit_callbacks(execute=True):
        delivery = _record(payload, admin, mass_kg=Decimal("4.8"))
        services.emails.delivery_overrun(delivery=delivery)  # a retry queues nothing

    assert delivery.overrun is True
    assert [f["code"] for f in delivery.findings] == ["mass_over_allocation"]
    assert _to(mailoutbox) == sorted([admin.email, other_admin.email, *_team(payload)])
    assert "The unit weighs 4.8 kg, more than the 4.5 kg allocated." in (
        mailoutbox[0].body
    )


def test_an_overrun_is_accepted_only_when_confirmed(admin):
    delivery = _record(payload_factory(), admin, mass_kg=Decimal(7))

    with pytest.raises(services.PayloadRefused) as refusal:
        services.accept_delivery(delivery=delivery, actor=admin)

    assert refusal.value.messages[0] == (
        "This unit exceeds its allocation or the carrier's envelope. Confirm the "
        "overrun to accept it anyway, or reject it."
    )
    assert "The unit weighs 7 kg, more than the 4.5 kg allocated." in (
        refusal.value.messages
    )
    services.accept_delivery(
        delivery=delivery,
        actor=admin,
        note="Agreed with the lander team.",
        overrun_confirmed=True,
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.decided_by) == (DeliveryStatus.ACCEPTED, admin)


def test_reject_delivery_needs_a_reason(admin):
    delivery = _record(payload_factory(), admin)

    with pytest.raises(services.PayloadRefused):
        services.reject_delivery(delivery=delivery, actor=admin, note="")
    services.reject_delivery(delivery=delivery, actor=admin, note="Cracked housing.")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.decision_note) == (
        DeliveryStatus.REJECTED,
        "Cracked housing.",
    )


# --- data ------------------------------------------------------------------------


def test_handover_emails_the_team(
    admin, django_capture_on_commit_callbacks, mailoutbox
):
    payload = payload_factory(team=1)

    with django_capture_on_commit_callbacks(execute=True):
        handover = services.record_handover(
            payload=payload,
            actor=admin,
            delivered_on=timezone.localdate(),
            dataset="Radon counts, lunar day 1",
            volume_gb=Decimal("2.5"),
            link="10.5281/zenodo.42",
            notes="",
        )

    assert _to(mailoutbox) == _team(payload)
    assert "https://doi.org/10.5281/zenodo.42" in mailoutbox[0].body
    assert _events(payload) == [EventKind.DATA_HANDED_OVER]
    assert handover.link == "10.5281/zenodo.42"


def test_handover_refuses_a_link_that_is_neither_https_nor_doi(admin):
    with pytest.raises(services.PayloadRefused) as refusal:
        services.record_handover(
            payload=PayloadFactory(),
            actor=admin,
            delivered_on=timezone.localdate(),
            dataset="Counts",
            volume_gb=None,
            link="ftp://data.example.org/",
            notes="",
        )

    assert refusal.value.field == "link"


# --- the public list -------------------------------------------------------------


def test_selection_list_is_published_from_the_payloads_on_board(admin):
    payload = PayloadFactory()
    PayloadFactory(version__proposal__opportunity=payload.opportunity, deselected=True)

    selection = services.publish_selection_list(
        opportunity=payload.opportunity, actor=admin
    )

    pi = payload.proposal.principal_investigator
    assert list(
        selection.entries.values_list("payload", "title", "lead_institution", "country")
    ) == [(payload.pk, payload.name, pi.institution, "FR")]
    assert selection.published_at is not None
    services.unpublish_selection_list(opportunity=payload.opportunity, actor=admin)
    selection.refresh_from_db()
    assert selection.published_at is None


def test_selection_list_waits_for_the_release(admin):
    payload = PayloadFactory()
    payload.opportunity.status = "closed"
    payload.opportunity.save()

    with pytest.raises(services.PayloadRefused):
        services.publish_selection_list(opportunity=payload.opportunity, actor=admin)
