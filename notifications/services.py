"""Queue emails into the outbox; a Celery task sends them after commit."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import OutboundEmail


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = "en"
    user_id: int | None = None

    @classmethod
    def for_user(cls, user) -> "Recipient":
        return cls(email=user.email, language=user.preferred_language, user_id=user.pk)


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render subject, plain text and HTML of `templates/emails/<template>/`."""
    full_context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}/subject.txt", full_context)
        text = render_to_string(f"emails/{template}/body.txt", full_context)
        html = render_to_string(f"emails/{template}/body.html", full_context)
    return " ".join(subject.split()), text.strip() + "\n", html


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_email(
    *,
    key: str,
    recipient: Recipient,
    template: str,
    context: dict,
    reply_to: str = "",
    sensitive: bool = False,
) -> OutboundEmail | None:
    """Record one email in the outbox and hand it to Celery once committed.

    `key` identifies the event and recipient: queueing the same key twice records
    and sends one email. Returns the new row, or None when the key was known.
    """
    subject, text, html = render_email(
        template=template, context=context, language=recipient.language
    )
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                idempotency_key=key,
                template=template,
                context=context,
                language=recipient.language,
                to_email=recipient.email,
                recipient_id=recipient.user_id,
                reply_to=reply_to,
                subject=subject,
                body_text=text,
                body_html=html,
                message_id=_message_id(),
                sensitive=sensitive,
            )
    except IntegrityError:
        if OutboundEmail.objects.filter(idempotency_key=key).exists():
            return None
        raise
    from notifications.tasks import send_email  # noqa: PLC0415 — tasks import services

    transaction.on_commit(lambda: send_email.delay(email_id=email.pk))
    return email
