"""The administrators' payload pages: the changelist with its flags, the read
only change page with its history, and each action page calling its service —
refusals shown with everything typed kept."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    EventKind,
    PayloadStatus,
)
from payloads.models import CallAgreement, CallMilestone, Delivery, MilestoneSlip
from tests.factories import SAMPLE_PDF
from tests.payloads.admin_builders import (
    decided_call,
    full_payload,
    late_payload,
    payload_on,
    sign_in_administrator,
)
from tests.payloads.factories import (
    AgreementFactory,
    CallAgreementFactory,
    CallMilestoneFactory,
    ConditionFactory,
    DeliveryFactory,
    MilestoneFactory,
    SelectionEntryFactory,
    SelectionListFactory,
)

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"admin:payloads_payload_{name}", args=args)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the changelist ----------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 3, 30])
def test_changelist_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    sign_in_administrator(client)
    opportunity = decided_call()
    for index in range(item_count):
        late_payload(opportunity, name=f"Payload {index}")
        ConditionFactory(payload=opportunity.payloads.last())

    with django_assert_num_queries(10):
        response = client.get(reverse("admin:payloads_payload_changelist"))

    assert response.context["cl"].result_count == item_count


def _call_agreements(count):
    for _index in range(count):
        CallAgreementFactory()


def _call_milestones(count):
    for _index in range(count):
        CallMilestoneFactory()


def _selection_lists(count):
    for _index in range(count):
        SelectionEntryFactory(selection_list=SelectionListFactory())


OTHER_CHANGELISTS = {
    # url name: (rows maker, queries)
    "admin:payloads_callagreement_changelist": (_call_agreements, 9),
    "admin:payloads_callmilestone_changelist": (_call_milestones, 9),
    "admin:payloads_selectionlist_changelist": (_selection_lists, 9),
}


@pytest.mark.parametrize("item_count", [1, 3, 30])
@pytest.mark.parametrize("url_name", sorted(OTHER_CHANGELISTS))
def test_other_changelists_query_count_is_constant(
    client, django_assert_num_queries, url_name, item_count
):
    make_rows, queries = OTHER_CHANGELISTS[url_name]
    make_rows(item_count)
    sign_in_administrator(client)

    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name))

    assert response.context["cl"].result_count == item_count


def test_changelist_flags_late_milestones_and_overdue_conditions(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    payload = late_payload(opportunity, name="DORN", late=2)
    ConditionFactory(payload=payload, due_date=timezone.localdate() - timedelta(1))
    DeliveryFactory(payload=payload, overrun=True)

    response = client.get(reverse("admin:payloads_payload_changelist"))

    row = response.context["cl"].result_list[0]
    assert (
        row.conditions_open,
        row.conditions_overdue,
        row.milestones_late,
        row.deliveries_overrun,
    ) == (1, 1, 2, 1)


def test_changelist_filters_by_call(client):
    sign_in_administrator(client)
    first, second = decided_call(), decided_call()
    payload_on(first, name="DORN")
    payload_on(second, name="NILS")

    response = client.get(
        reverse("admin:payloads_payload_changelist"),
        {"opportunity__id__exact": second.pk},
    )

    assert [row.name for row in response.context["cl"].result_list] == ["NILS"]


# --- the change page ---------------------------------------------------------------


def test_change_page_shows_facts_parts_and_links_read_only(client):
    sign_in_administrator(client)
    payload = full_payload(name="ICUBE-Q")
    condition = payload.conditions.get()
    agreement = payload.agreements.get()
    milestone = payload.milestones.get()
    delivery = payload.deliveries.get()

    response = client.get(_url("change", payload.pk))

    text = _text(response)
    assert response.context["has_change_permission"] is False
    assert "ICUBE-Q" in text
    assert "Here is the design." in text
    for href in (
        _url("allocation", payload.pk),
        _url("deselect", payload.pk),
        _url("condition", payload.pk, condition.pk),
        _url("agreement", payload.pk, agreement.pk),
        _url("sign", payload.pk, agreement.pk),
        _url("slip", payload.pk, milestone.pk),
        _url("complete", payload.pk, milestone.pk),
        _url("decide_delivery", payload.pk, delivery.pk),
        _url("delivery", payload.pk),
        _url("handover", payload.pk),
    ):
        assert href in text


def test_change_page_shows_the_history_in_beijing_time(client):
    administrator = sign_in_administrator(client)
    payload = payload_on(decided_call())
    client.post(
        _url("allocation", payload.pk),
        {"mass_kg": "4", "power_w": "10", "data_mb_per_day": "100", "reason": "Less."},
    )

    response = client.get(_url("change", payload.pk))

    event = payload.events.get()
    assert (event.kind, event.actor, event.note) == (
        EventKind.ALLOCATION_CHANGED,
        administrator,
        "Less.",
    )
    assert "Beijing time (UTC+8)" in _text(response)


# --- allocation --------------------------------------------------------------------


def test_allocation_change_is_recorded_with_its_reason(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    response = client.post(
        _url("allocation", payload.pk),
        {
            "mass_kg": "6.5",
            "power_w": "12",
            "data_mb_per_day": "150",
            "size_mm": "200 × 200 × 100",
            "reason": "The thermal design needs a radiator.",
        },
    )

    payload.refresh_from_db()
    event = payload.events.get()
    assert response.status_code == 302
    assert (payload.allocated_mass_kg, payload.allocated_size_mm) == (
        Decimal("6.5"),
        "200 × 200 × 100",
    )
    assert event.data["before"]["mass_kg"] == "5"
    assert event.data["after"]["mass_kg"] == "6.5"


def test_allocation_over_the_envelope_lists_each_overrun_and_keeps_what_was_typed(
    client,
):
    sign_in_administrator(client)
    opportunity = decided_call()
    payload_on(opportunity, allocated_mass_kg=Decimal(9))  # 20 kg in all
    payload = payload_on(opportunity)
    typed = {
        "mass_kg": "12",
        "power_w": "25",
        "data_mb_per_day": "100",
        "size_mm": "500 × 100 × 100",
        "reason": "A bigger boom.",
    }

    response = client.post(_url("allocation", payload.pk), typed)

    errors = response.context["form"].non_field_errors()
    payload.refresh_from_db()
    assert response.status_code == 200
    assert payload.allocated_mass_kg == Decimal(5)
    assert len(errors) == 4  # mass per payload, mass in all, power, size
    assert any("12" in error and "10" in error for error in errors)
    assert any("21" in error and "20" in error for error in errors)
    assert any("35" in error and "30" in error for error in errors)
    text = _text(response)
    for value in ("12", "25", "500 × 100 × 100", "A bigger boom."):
        assert value in text


def test_allocation_without_a_reason_is_refused(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    response = client.post(
        _url("allocation", payload.pk), {"mass_kg": "4", "reason": " "}
    )

    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert payload.events.count() == 0


# --- conditions and de-selection ------------------------------------------------------


def test_condition_accepted_makes_the_payload_selected(
    client, django_capture_on_commit_callbacks
):
    sign_in_administrator(client)
    payload = payload_on(decided_call(), conditional=True)
    condition = ConditionFactory(payload=payload, status=ConditionStatus.ANSWERED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("condition", payload.pk, condition.pk), {"decision": "accept"}
        )

    condition.refresh_from_db()
    payload.refresh_from_db()
    assert response.status_code == 302
    assert (condition.status, payload.status) == (
        ConditionStatus.ACCEPTED,
        PayloadStatus.SELECTED,
    )


def test_condition_returned_needs_a_note(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call(), conditional=True)
    condition = ConditionFactory(payload=payload, status=ConditionStatus.ANSWERED)

    refused = client.post(
        _url("condition", payload.pk, condition.pk), {"decision": "return"}
    )
    returned = client.post(
        _url("condition", payload.pk, condition.pk),
        {"decision": "return", "note": "The thermal analysis is missing."},
    )

    condition.refresh_from_db()
    assert refused.context["form"].errors["note"] == [
        "Say what the team must still do before it is returned."
    ]
    assert returned.status_code == 302
    assert (condition.status, condition.review_note) == (
        ConditionStatus.RETURNED,
        "The thermal analysis is missing.",
    )


def test_condition_of_another_payload_is_not_found(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call(), conditional=True)
    other = ConditionFactory(status=ConditionStatus.ANSWERED)

    response = client.get(_url("condition", payload.pk, other.pk))

    assert response.status_code == 404


def test_deselection_needs_a_letter_and_emails_it(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    sign_in_administrator(client)
    payload = payload_on(decided_call(), conditional=True)

    refused = client.post(_url("deselect", payload.pk), {"letter": ""})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("deselect", payload.pk),
            {"letter": "The conditions were not met by the deadline."},
        )

    payload.refresh_from_db()
    assert refused.context["form"].errors["letter"] == ["This field is required."]
    assert payload.status == PayloadStatus.DESELECTED
    assert [message.to for message in mailoutbox] == [
        [payload.proposal.principal_investigator.email]
    ]
    assert "The conditions were not met by the deadline." in mailoutbox[0].body


# --- agreements ---------------------------------------------------------------------


def test_agreement_moves_and_is_signed_with_its_pdf(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())
    agreement = AgreementFactory(payload=payload)

    client.post(_url("agreement", payload.pk, agreement.pk), {"to": "negotiation"})
    response = client.post(
        _url("sign", payload.pk, agreement.pk),
        {
            "signed_file": SimpleUploadedFile(
                "agreement.pdf", SAMPLE_PDF, content_type="application/pdf"
            ),
            "signed_by_name": "Li Wei (CNSA); Dr Amina Haddad",
            "signed_on": timezone.localdate().isoformat(),
        },
    )

    agreement.refresh_from_db()
    assert response.status_code == 302
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.signed_by_name == "Li Wei (CNSA); Dr Amina Haddad"
    assert agreement.signed_file.name.endswith(".pdf")


def test_agreement_signature_refuses_a_file_that_is_not_a_pdf(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())
    agreement = AgreementFactory(payload=payload, status=AgreementStatus.NEGOTIATION)

    response = client.post(
        _url("sign", payload.pk, agreement.pk),
        {
            "signed_file": SimpleUploadedFile("agreement.pdf", b"not a pdf"),
            "signed_by_name": "Li Wei",
            "signed_on": timezone.localdate().isoformat(),
        },
    )

    agreement.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["__all__"]
    assert agreement.status == AgreementStatus.NEGOTIATION
    assert "Li Wei" in _text(response)


# --- milestones ---------------------------------------------------------------------


def test_slip_needs_a_reason_and_is_recorded(
    client, django_capture_on_commit_callbacks
):
    sign_in_administrator(client)
    payload = payload_on(decided_call())
    milestone = MilestoneFactory(payload=payload)
    later = milestone.planned_date + timedelta(days=20)

    refused = client.post(
        _url("slip", payload.pk, milestone.pk), {"to_date": later.isoformat()}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("slip", payload.pk, milestone.pk),
            {"to_date": later.isoformat(), "reason": "The vendor is late."},
        )

    milestone.refresh_from_db()
    assert refused.context["form"].errors["reason"] == ["This field is required."]
    assert milestone.planned_date == later
    assert MilestoneSlip.objects.get().reason == "The vendor is late."


def test_milestone_marked_done(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())
    milestone = MilestoneFactory(payload=payload)
    today = timezone.localdate()

    client.post(
        _url("complete", payload.pk, milestone.pk), {"actual_date": today.isoformat()}
    )

    milestone.refresh_from_db()
    assert milestone.actual_date == today


# --- deliveries ---------------------------------------------------------------------


def _delivery(mass: str) -> dict:
    return {
        "unit": "flight_model",
        "delivered_on": timezone.localdate().isoformat(),
        "mass_kg": mass,
        "power_w": "9",
        "size_mm": "200 × 150 × 100",
        "notes": "",
    }


def test_delivery_over_its_allocation_is_flagged_and_needs_a_confirmation(
    client, django_capture_on_commit_callbacks
):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    with django_capture_on_commit_callbacks(execute=True):
        recorded = client.post(_url("delivery", payload.pk), _delivery("5.6"))
    delivery = Delivery.objects.get()
    page = client.get(recorded["Location"])
    unconfirmed = client.post(
        recorded["Location"], {"decision": "accept", "note": "Fine."}
    )
    delivery.refresh_from_db()
    status_after_unconfirmed = delivery.status
    confirmed = client.post(
        recorded["Location"],
        {"decision": "accept", "note": "Fine.", "overrun_confirmed": "on"},
    )

    delivery.refresh_from_db()
    assert recorded["Location"] == _url("decide_delivery", payload.pk, delivery.pk)
    assert delivery.overrun is True
    assert 'id="delivery-overrun"' in _text(page)
    assert "5.6 kg, more than the 5 kg allocated" in _text(page)
    assert unconfirmed.status_code == 200
    assert status_after_unconfirmed == DeliveryStatus.RECORDED
    assert confirmed.status_code == 302
    assert delivery.status == DeliveryStatus.ACCEPTED


def test_delivery_within_its_allocation_is_accepted_without_confirmation(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    recorded = client.post(_url("delivery", payload.pk), _delivery("4.8"))
    page = client.get(recorded["Location"])
    client.post(recorded["Location"], {"decision": "accept"})

    delivery = Delivery.objects.get()
    assert 'id="delivery-overrun"' not in _text(page)
    assert "overrun_confirmed" not in page.context["form"].fields
    assert delivery.status == DeliveryStatus.ACCEPTED


def test_delivery_rejected_with_a_note(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())
    delivery = DeliveryFactory(payload=payload)

    client.post(
        _url("decide_delivery", payload.pk, delivery.pk),
        {"decision": "reject", "note": "The connector is damaged."},
    )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.decision_note) == (
        DeliveryStatus.REJECTED,
        "The connector is damaged.",
    )


def test_data_handover_is_recorded(client, django_capture_on_commit_callbacks):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("handover", payload.pk),
            {
                "delivered_on": timezone.localdate().isoformat(),
                "dataset": "Level 2B radon counts",
                "volume_gb": "12.5",
                "link": "10.5281/zenodo.1234567",
            },
        )

    handover = payload.handovers.get()
    assert response.status_code == 302
    assert (handover.dataset, handover.link) == (
        "Level 2B radon counts",
        "10.5281/zenodo.1234567",
    )


def test_data_handover_refuses_a_link_that_is_neither_https_nor_a_doi(client):
    sign_in_administrator(client)
    payload = payload_on(decided_call())

    response = client.post(
        _url("handover", payload.pk),
        {
            "delivered_on": timezone.localdate().isoformat(),
            "dataset": "Level 2B radon counts",
            "link": "ftp://example.org/data",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["link"] == [
        "Give an https:// address or a DOI such as 10.5281/zenodo.1234567."
    ]
    assert payload.handovers.count() == 0


# --- a call's templates and its public list -------------------------------------------


def test_call_agreements_and_milestones_are_edited_in_their_admins(client):
    sign_in_administrator(client)
    opportunity = decided_call()

    client.post(
        reverse("admin:payloads_callagreement_add"),
        {"opportunity": opportunity.pk, "name": "Export licence", "order": 1},
    )
    client.post(
        reverse("admin:payloads_callmilestone_add"),
        {
            "opportunity": opportunity.pk,
            "kind": "cdr",
            "name": "Critical design review",
            "planned_date": "2027-03-01",
            "responsible": "joint",
            "order": 2,
        },
    )

    assert list(CallAgreement.objects.values_list("name", flat=True)) == [
        "Export licence"
    ]
    assert list(CallMilestone.objects.values_list("name", flat=True)) == [
        "Critical design review"
    ]


def test_selection_list_actions_publish_and_withdraw(client):
    sign_in_administrator(client)
    selection = SelectionListFactory()
    SelectionEntryFactory(selection_list=selection, title="DORN")
    changelist = reverse("admin:payloads_selectionlist_changelist")

    client.post(changelist, {"action": "publish", "_selected_action": [selection.pk]})
    selection.refresh_from_db()
    published = selection.published_at
    client.post(changelist, {"action": "unpublish", "_selected_action": [selection.pk]})
    selection.refresh_from_db()

    assert published is not None
    assert selection.published_at is None


def test_overview_publishes_the_list_of_its_call(client):
    sign_in_administrator(client)
    opportunity = decided_call()
    payload_on(opportunity, name="NILS")

    response = client.post(
        reverse("admin:payloads_publish") + f"?opportunity={opportunity.pk}"
    )

    assert response.status_code == 302
    assert list(opportunity.selection_list.entries.values_list("title", flat=True)) == [
        "NILS"
    ]
    assert opportunity.selection_list.published_at is not None
