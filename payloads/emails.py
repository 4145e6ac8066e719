"""The emails of a selected payload, queued in the notifications outbox.

Each function is called inside the transaction of its event, so a rolled-back
event sends nothing; the idempotency key names the event and the recipient, so
each person gets each email once. Templates: templates/emails/payload_*/;
sample contexts in payloads/email_previews.py; reminders in payloads/reminders.py.

What reaches whom:
- the team (the principal investigator and the confirmed team members with an
  account): a condition accepted or returned (with the administrator's note),
  the payload fully selected, de-selected (with the letter), a delivery that
  exceeds its allocation or the carrier's envelope, data handed over, and the
  reminders of milestones due soon or overdue and of conditions overdue;
- the administrators: a delivery that exceeds its allocation or the envelope;
- the call's CNSA contacts: a milestone slipped, with its reason.
"""

from django.urls import NoReverseMatch, reverse

from notifications.services import Recipient, queue_email
from proposals.resources import format_number
from reviews.emails import administrators, contacts, reply_address


def payload_path(payload) -> str:
    """The team's "My payload" page."""
    try:
        return reverse("payloads:detail", kwargs={"pk": payload.pk})
    except NoReverseMatch:
        return f"/payloads/{payload.pk}/"


def admin_payload_path(payload) -> str:
    """The payload's page on the administrators' site."""
    try:
        return reverse("admin:payloads_payload_change", args=[payload.pk])
    except NoReverseMatch:
        return f"/admin/payloads/payload/{payload.pk}/change/"


def team(payload) -> list[Recipient]:
    """The principal investigator, then each confirmed team member with an
    active account, once per address (prefetch-friendly)."""
    proposal = payload.proposal
    pi = proposal.principal_investigator
    recipients = {pi.email.lower(): Recipient.for_user(pi)}
    for member in proposal.team_members.all():
        if member.user_id is not None and member.is_confirmed and member.user.is_active:
            recipients.setdefault(
                member.user.email.lower(), Recipient.for_user(member.user)
            )
    return list(recipients.values())


def payload_context(payload) -> dict:
    """What every payload email says: the call, the proposal and the payload."""
    opportunity = payload.opportunity
    proposal = payload.proposal
    return {
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "payload_id": payload.pk,
        "payload_name": payload.name,
        "reference": proposal.reference,
        "title": proposal.title,
        "path": payload_path(payload),
    }


def milestone_context(milestone) -> dict:
    return {
        **payload_context(milestone.payload),
        "milestone_id": milestone.pk,
        "milestone_name": milestone.name,
        "milestone_kind": milestone.kind,
        "responsible": milestone.responsible,
        "planned_date": milestone.planned_date.isoformat(),
    }


def condition_context(condition) -> dict:
    return {
        **payload_context(condition.payload),
        "condition_id": condition.pk,
        "condition": condition.text,
        "due_date": condition.due_date.isoformat() if condition.due_date else "",
    }


def _send(*, event: str, recipients, template: str, context: dict, reply_to: str):
    seen = set()
    for recipient in recipients:
        address = recipient.email.lower()
        if address in seen:
            continue
        seen.add(address)
        queue_email(
            key=f"{event}:{address}",
            recipient=recipient,
            template=template,
            context=context,
            reply_to=reply_to,
        )


def condition_accepted(*, condition) -> None:
    """To the team, once per condition (acceptance is final)."""
    payload = condition.payload
    _send(
        event=f"payload-condition-accepted:{condition.pk}",
        recipients=team(payload),
        template="payload_condition_accepted",
        context={**condition_context(condition), "note": condition.review_note},
        reply_to=reply_address(payload.opportunity),
    )


def condition_returned(*, condition, note: str) -> None:
    """To the team, with the administrator's note; once per return."""
    payload = condition.payload
    _send(
        event=(
            f"payload-condition-returned:{condition.pk}:"
            f"{condition.reviewed_at.isoformat()}"
        ),
        recipients=team(payload),
        template="payload_condition_returned",
        context={**condition_context(condition), "note": note},
        reply_to=reply_address(payload.opportunity),
    )


def fully_selected(*, payload) -> None:
    """To the team, once: every condition is accepted."""
    _send(
        event=f"payload-selected:{payload.pk}",
        recipients=team(payload),
        template="payload_fully_selected",
        context=payload_context(payload),
        reply_to=reply_address(payload.opportunity),
    )


def deselected(*, payload) -> None:
    """To the team, once, with the letter."""
    _send(
        event=f"payload-deselected:{payload.pk}",
        recipients=team(payload),
        template="payload_deselected",
        context={**payload_context(payload), "letter": payload.deselection_letter},
        reply_to=reply_address(payload.opportunity),
    )


def milestone_slipped(*, slip) -> None:
    """To the call's CNSA contacts, once per slip: from, to, and why."""
    milestone = slip.milestone
    payload = milestone.payload
    _send(
        event=f"payload-milestone-slipped:{slip.pk}",
        recipients=contacts(payload.opportunity),
        template="payload_milestone_slipped",
        context={
            **milestone_context(milestone),
            "from_date": slip.from_date.isoformat(),
            "to_date": slip.to_date.isoformat(),
            "days": slip.days,
            "reason": slip.reason,
            "path": admin_payload_path(payload),
        },
        reply_to="",
    )


def delivery_overrun(*, delivery) -> None:
    """To the administrators and the team, once per delivery: the unit, the
    figures measured and each finding (rendered in the reader's language)."""
    payload = delivery.payload
    context = {
        **payload_context(payload),
        "delivery_id": delivery.pk,
        "unit": delivery.unit,
        "delivered_on": delivery.delivered_on.isoformat(),
        "mass_kg": format_number(delivery.mass_kg),
        "power_w": "" if delivery.power_w is None else format_number(delivery.power_w),
        "size_mm": delivery.size_mm,
        "findings": list(delivery.findings),
    }
    _send(
        event=f"payload-delivery-overrun:{delivery.pk}",
        recipients=administrators(),
        template="payload_delivery_overrun",
        context={**context, "path": admin_payload_path(payload)},
        reply_to="",
    )
    _send(
        event=f"payload-delivery-overrun:{delivery.pk}",
        recipients=team(payload),
        template="payload_delivery_overrun",
        context=context,
        reply_to=reply_address(payload.opportunity),
    )


def data_handed_over(*, handover) -> None:
    """To the team, once per handover."""
    payload = handover.payload
    _send(
        event=f"payload-data-handed-over:{handover.pk}",
        recipients=team(payload),
        template="payload_data_handed_over",
        context={
            **payload_context(payload),
            "handover_id": handover.pk,
            "dataset": handover.dataset,
            "delivered_on": handover.delivered_on.isoformat(),
            "volume_gb": (
                "" if handover.volume_gb is None else format_number(handover.volume_gb)
            ),
            "link": handover.link_url,
            "notes": handover.notes,
        },
        reply_to=reply_address(payload.opportunity),
    )
