"""What happened, and who is told. Each function queues its emails in the outbox.

Called inside the transaction of the event, so a rolled-back event sends nothing.
"""

from django.contrib.auth import get_user_model

from catalogue.models import Amendment, Opportunity
from notifications.services import Recipient, queue_email


def _opportunity_audience(opportunity: Opportunity) -> list[Recipient]:
    """The CNSA contacts and the researchers subscribed to the mission, once each."""
    user_model = get_user_model()
    contacts = [contact.email for contact in opportunity.contacts.all()]
    # A contact with an account on the portal is written to in their language.
    accounts = {
        user.email.lower(): user
        for user in user_model.objects.filter(
            email__in=[address.lower() for address in contacts], is_active=True
        )
    }
    recipients: dict[str, Recipient] = {}
    for address in contacts:
        user = accounts.get(address.lower())
        recipients.setdefault(
            address.lower(),
            Recipient.for_user(user) if user else Recipient(email=address),
        )
    subscribers = user_model.objects.filter(
        subscriptions__mission_id=opportunity.mission_id, is_active=True
    )
    for user in subscribers:
        recipients.setdefault(user.email.lower(), Recipient.for_user(user))
    return list(recipients.values())


def _reply_to(opportunity: Opportunity) -> str:
    contact = opportunity.contacts.order_by("pk").first()
    return contact.email if contact else ""


def _opportunity_context(opportunity: Opportunity) -> dict:
    return {
        "opportunity_id": opportunity.pk,
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "mission_name_en": opportunity.mission.name_en,
        "mission_name_zh": opportunity.mission.name_zh_hans
        or opportunity.mission.name_en,
        "deadline": opportunity.proposal_deadline.isoformat(),
        "path": opportunity.get_absolute_url(),
    }


def opportunity_published(*, opportunity: Opportunity) -> None:
    context = _opportunity_context(opportunity)
    reply_to = _reply_to(opportunity)
    for recipient in _opportunity_audience(opportunity):
        queue_email(
            key=f"opportunity-published:{opportunity.pk}:{recipient.email.lower()}",
            recipient=recipient,
            template="opportunity_published",
            context=context,
            reply_to=reply_to,
        )


def opportunity_amended(*, amendment: Amendment) -> None:
    opportunity = amendment.opportunity
    context = {
        **_opportunity_context(opportunity),
        "amendment_title_en": amendment.title_en,
        "amendment_title_zh": amendment.title_zh_hans or amendment.title_en,
        "amendment_body_en": amendment.body_en,
        "amendment_body_zh": amendment.body_zh_hans or amendment.body_en,
    }
    reply_to = _reply_to(opportunity)
    for recipient in _opportunity_audience(opportunity):
        queue_email(
            key=f"opportunity-amended:{amendment.pk}:{recipient.email.lower()}",
            recipient=recipient,
            template="opportunity_amended",
            context=context,
            reply_to=reply_to,
        )
