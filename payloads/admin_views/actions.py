"""One payload's pages: each shows its form and calls one payloads.services
function; a refusal is shown on the form, with everything typed kept."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.admin_site import REFUSALS
from payloads import services
from payloads.admin_forms import (
    ACCEPT,
    AgreementMoveForm,
    AgreementSignForm,
    AllocationForm,
    CompleteForm,
    ConditionReviewForm,
    DeliveryDecisionForm,
    DeliveryForm,
    DeselectForm,
    HandoverForm,
    SlipForm,
)
from payloads.admin_views.base import act, form_page, part, payload_for, refused
from payloads.enums import DeliveryStatus
from payloads.workflow import AGREEMENT_TRANSITIONS

# --- one payload's actions ---------------------------------------------------------


def allocation_view(request: HttpRequest, payload_pk: int) -> HttpResponse:
    """The resources allocated, checked against the carrier's envelope with the
    call's other payloads on it; a refusal names each overrun with figures."""
    payload = payload_for(request, payload_pk)
    form = AllocationForm(
        request.POST or None,
        initial={
            "mass_kg": payload.allocated_mass_kg,
            "power_w": payload.allocated_power_w,
            "data_mb_per_day": payload.allocated_data_mb_per_day,
            "size_mm": payload.allocated_size_mm,
        },
    )
    response = act(
        request,
        form,
        payload,
        lambda: services.change_allocation(
            payload=payload, actor=request.user, **form.cleaned_data
        ),
        lambda: _("The allocation of %(payload)s is changed.") % {"payload": payload},
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Change the allocation"),
        form=form,
        button=_("Change the allocation"),
        intro=_(
            "The new allocation is checked against the carrier's envelope "
            "together with the call's other payloads on it."
        ),
        details="allocation_details.html",
    )


def condition_view(
    request: HttpRequest, payload_pk: int, condition_pk: int
) -> HttpResponse:
    """Accept a condition's answer, or return it with a note."""
    payload = payload_for(request, payload_pk)
    condition = part(payload, "conditions", condition_pk)
    form = ConditionReviewForm(request.POST or None)

    def accepted() -> bool:
        return form.cleaned_data["decision"] == ACCEPT

    def decide():
        review = services.accept_condition if accepted() else services.return_condition
        return review(
            condition=condition,
            actor=request.user,
            note=form.cleaned_data["note"].strip(),
        )

    response = act(
        request,
        form,
        payload,
        decide,
        lambda: (
            _("The condition is accepted.")
            if accepted()
            else _("The condition is returned to the team.")
        ),
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Accept or return a condition"),
        form=form,
        button=_("Save the decision"),
        about=condition,
        details="condition_details.html",
        condition=condition,
        documents=list(condition.documents.all()),
    )


def deselect_view(request: HttpRequest, payload_pk: int) -> HttpResponse:
    """De-select the payload; the team is emailed the letter."""
    payload = payload_for(request, payload_pk)
    form = DeselectForm(request.POST or None)
    response = act(
        request,
        form,
        payload,
        lambda: services.deselect_payload(
            payload=payload, actor=request.user, letter=form.cleaned_data["letter"]
        ),
        lambda: (
            _("%(payload)s is de-selected; the team is emailed the letter.")
            % {"payload": payload}
        ),
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("De-select this payload"),
        form=form,
        button=_("De-select and send the letter"),
        intro=_(
            "The payload leaves the call: it no longer counts against the "
            "carrier's envelope, and its principal investigator and team are "
            "emailed this letter. This cannot be undone."
        ),
    )


def agreement_view(
    request: HttpRequest, payload_pk: int, agreement_pk: int
) -> HttpResponse:
    """Move an agreement between draft and under negotiation."""
    payload = payload_for(request, payload_pk)
    agreement = part(payload, "agreements", agreement_pk)
    form = AgreementMoveForm(
        request.POST or None,
        allowed=sorted(AGREEMENT_TRANSITIONS.get(agreement.status, ())),
    )
    response = act(
        request,
        form,
        payload,
        lambda: services.move_agreement(
            agreement=agreement,
            actor=request.user,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"].strip(),
        ),
        lambda: (
            _("%(agreement)s is now %(status)s.")
            % {"agreement": agreement, "status": agreement.get_status_display()}
        ),
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Change the status of an agreement"),
        form=form,
        button=_("Change the status"),
        about=f"{agreement} ({agreement.get_status_display()})",
    )


def sign_view(request: HttpRequest, payload_pk: int, agreement_pk: int) -> HttpResponse:
    """Record an agreement's signature with the signed PDF."""
    payload = payload_for(request, payload_pk)
    agreement = part(payload, "agreements", agreement_pk)
    form = AgreementSignForm(request.POST or None, request.FILES or None)
    response = act(
        request,
        form,
        payload,
        lambda: services.sign_agreement(
            agreement=agreement, actor=request.user, **form.cleaned_data
        ),
        lambda: _("%(agreement)s is signed.") % {"agreement": agreement},
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Record a signature"),
        form=form,
        button=_("Record the signature"),
        about=f"{agreement} ({agreement.get_status_display()})",
        intro=_(
            "The signed PDF is checked as proposal documents are, kept private "
            "and shown to the team and the administrators only."
        ),
        multipart=True,
    )


def slip_view(request: HttpRequest, payload_pk: int, milestone_pk: int) -> HttpResponse:
    """Move a milestone's planned date, with the reason; the call's contacts
    are told."""
    payload = payload_for(request, payload_pk)
    milestone = part(payload, "milestones", milestone_pk)
    form = SlipForm(request.POST or None, initial={"to_date": milestone.planned_date})
    response = act(
        request,
        form,
        payload,
        lambda: services.record_slip(
            milestone=milestone,
            actor=request.user,
            to_date=form.cleaned_data["to_date"],
            reason=form.cleaned_data["reason"].strip(),
        ),
        lambda: (
            _("The slip of %(milestone)s is recorded; the call's contacts are told.")
            % {"milestone": milestone}
        ),
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Record a slip"),
        form=form,
        button=_("Record the slip"),
        about=milestone,
        details="milestone_details.html",
        milestone=milestone,
    )


def complete_view(
    request: HttpRequest, payload_pk: int, milestone_pk: int
) -> HttpResponse:
    """Record the day a milestone was done."""
    payload = payload_for(request, payload_pk)
    milestone = part(payload, "milestones", milestone_pk)
    form = CompleteForm(
        request.POST or None, initial={"actual_date": timezone.localdate()}
    )
    response = act(
        request,
        form,
        payload,
        lambda: services.complete_milestone(
            milestone=milestone,
            actor=request.user,
            actual_date=form.cleaned_data["actual_date"],
        ),
        lambda: _("%(milestone)s is done.") % {"milestone": milestone},
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Mark a milestone done"),
        form=form,
        button=_("Mark done"),
        about=milestone,
        details="milestone_details.html",
        milestone=milestone,
    )


def delivery_view(request: HttpRequest, payload_pk: int) -> HttpResponse:
    """Record a delivered unit as measured; then on to its acceptance, where
    what the check found is shown."""
    payload = payload_for(request, payload_pk)
    form = DeliveryForm(
        request.POST or None,
        milestones=list(payload.milestones.all()),
        initial={"delivered_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        milestone_pk = data.pop("milestone")
        milestone = part(payload, "milestones", milestone_pk) if milestone_pk else None
        try:
            delivery = services.record_delivery(
                payload=payload, actor=request.user, milestone=milestone, **data
            )
        except REFUSALS as refusal:
            refused(form, refusal)
        else:
            if delivery.overrun:
                messages.warning(
                    request,
                    _(
                        "This unit exceeds its allocation: the administrators and "
                        "the team are told. Check the findings before accepting it."
                    ),
                )
            else:
                messages.success(request, _("The delivery is recorded."))
            return redirect(
                reverse(
                    "admin:payloads_payload_decide_delivery",
                    args=[payload.pk, delivery.pk],
                )
            )
    return form_page(
        request,
        payload=payload,
        title=_("Record a delivery"),
        form=form,
        button=_("Record the delivery"),
        intro=_(
            "The measured figures are compared with the allocation and the "
            "carrier's envelope; an overrun is flagged to the administrators "
            "and the team before the unit is accepted."
        ),
        details="allocation_details.html",
    )


def decide_delivery_view(
    request: HttpRequest, payload_pk: int, delivery_pk: int
) -> HttpResponse:
    """A delivery's findings, and its acceptance or rejection; accepting an
    overrun takes an explicit confirmation."""
    payload = payload_for(request, payload_pk)
    delivery = part(payload, "deliveries", delivery_pk)
    form = DeliveryDecisionForm(request.POST or None, overrun=delivery.overrun)
    pending = delivery.status == DeliveryStatus.RECORDED

    def accepted() -> bool:
        return form.cleaned_data["decision"] == ACCEPT

    def decide():
        note = form.cleaned_data["note"].strip()
        if accepted():
            return services.accept_delivery(
                delivery=delivery,
                actor=request.user,
                note=note,
                overrun_confirmed=form.cleaned_data.get("overrun_confirmed", False),
            )
        return services.reject_delivery(
            delivery=delivery, actor=request.user, note=note
        )

    response = act(
        request,
        form,
        payload,
        decide,
        lambda: (
            _("The delivery is accepted.")
            if accepted()
            else _("The delivery is rejected.")
        ),
        allowed_now=pending,
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Accept or reject a delivery"),
        form=form if pending else None,
        button=_("Save the decision"),
        about=delivery,
        details="delivery_details.html",
        delivery=delivery,
        findings=services.delivery_messages(delivery),
    )


def handover_view(request: HttpRequest, payload_pk: int) -> HttpResponse:
    """Record data delivered to the team; the team is emailed."""
    payload = payload_for(request, payload_pk)
    form = HandoverForm(
        request.POST or None, initial={"delivered_on": timezone.localdate()}
    )
    response = act(
        request,
        form,
        payload,
        lambda: services.record_handover(
            payload=payload, actor=request.user, **form.cleaned_data
        ),
        lambda: _("The data handover is recorded; the team is emailed."),
    )
    return response or form_page(
        request,
        payload=payload,
        title=_("Record a data handover"),
        form=form,
        button=_("Record the handover"),
    )
