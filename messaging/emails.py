"""The email of a message to proposers, one per recipient, in the outbox.

Each recipient's subject and body are the message's text in their language
(English when the Chinese text is empty) with the placeholders filled for them
(messaging.placeholders): {name}; {title} and {reference} of their proposals
on the call (several joined); {deadline}, the deadline of the stage each
proposal is at, in Beijing time with the zone. Template:
templates/emails/proposers_message/; sample in messaging/email_previews.py.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.placeholders import fill
from messaging.selectors import Addressee
from notifications.models import OutboundEmail
from notifications.services import Recipient, queue_email, render_email
from notifications.templatetags.ao_email import beijing_time

TEMPLATE = "proposers_message"


def idempotency_key(message: Message, address: str) -> str:
    return f"proposers-message:{message.pk}:{address.lower()}"


def _texts(message: Message, language: str) -> tuple[str, str]:
    if language.startswith("zh"):
        return (
            message.subject_zh_hans or message.subject_en,
            message.body_zh_hans or message.body_en,
        )
    return message.subject_en, message.body_en


def placeholder_values(addressee: Addressee) -> dict[str, str]:
    """What each placeholder says to `addressee`, in the active language."""
    refs = addressee.proposals
    deadlines = []
    for ref in refs:
        if ref.deadline is not None:
            moment = beijing_time(ref.deadline)
            if moment not in deadlines:
                deadlines.append(moment)
    return {
        "name": addressee.name,
        "title": "; ".join(ref.title or _("Untitled proposal") for ref in refs),
        "reference": ", ".join(ref.reference or _("no reference yet") for ref in refs),
        "deadline": "; ".join(deadlines),
    }


def context_for(message: Message, addressee: Addressee) -> dict:
    """The email's context for one addressee: their subject and body filled in
    their language, the call and their proposals (JSON, as the outbox keeps
    it)."""
    opportunity = message.opportunity
    with translation.override(addressee.language):
        subject, body = _texts(message, addressee.language)
        values = placeholder_values(addressee)
        subject, body = fill(subject, values), fill(body, values)
    return {
        "message_id": message.pk,
        "subject": subject,
        "body": body,
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "proposals": [
            {"reference": ref.reference, "title": ref.title, "path": ref.path}
            for ref in addressee.proposals
        ],
        "path": opportunity.get_absolute_url(),
    }


def _recipient(addressee: Addressee) -> Recipient:
    return Recipient(
        email=addressee.email, language=addressee.language, user_id=addressee.user_id
    )


def render_for(message: Message, addressee: Addressee) -> tuple[str, str, str]:
    """Subject, plain text and HTML exactly as `addressee` would receive them."""
    return render_email(
        template=TEMPLATE,
        context=context_for(message, addressee),
        language=addressee.language,
    )


def queue_message(
    *, message: Message, addressee: Addressee, reply_to: str = ""
) -> OutboundEmail:
    """Queue the message's email to `addressee`: once per message and address
    (a second call finds the first row)."""
    key = idempotency_key(message, addressee.email)
    email = queue_email(
        key=key,
        recipient=_recipient(addressee),
        template=TEMPLATE,
        context=context_for(message, addressee),
        reply_to=reply_to,
    )
    return email or OutboundEmail.objects.get(idempotency_key=key)


def reply_address(opportunity) -> str:
    """Replies go to the call's first CNSA contact."""
    contact = opportunity.contacts.order_by("pk").first()
    return contact.email if contact else ""
