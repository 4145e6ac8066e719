"""The emails of questions on a call, queued in the notifications outbox.

Each function is called inside the transaction of its event, so a rolled-back
event sends nothing; the idempotency key names the event and the address, so
each person gets each email once. Templates: templates/emails/question_*/;
sample contexts in questions/email_previews.py.

What reaches whom, each in their own language (a person with an account in
theirs, a CNSA contact without one in `Contact.preferred_language`, a team
member without one in their principal investigator's):
- a question asked: the call's CNSA contacts, with the text as asked and who
  asked it (they may see it);
- answered: the asker, with the answer;
- declined: the asker, with the reason;
- published: the asker ("your question is published"), and every principal
  investigator and confirmed team member of a draft or submitted proposal on
  the call (notifications.events.proposers_at_work) and every follower of the
  mission, with the published wording and the answer — never who asked.
"""

from django.contrib.auth import get_user_model

from notifications.events import contact_recipients, proposers_at_work
from notifications.services import Recipient, queue_email


def _reply_to(opportunity) -> str:
    contact = opportunity.contacts.order_by("pk").first()
    return contact.email if contact else ""


def call_context(opportunity) -> dict:
    return {
        "opportunity_id": opportunity.pk,
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "opportunity_path": opportunity.get_absolute_url(),
        "questions_close_at": opportunity.questions_close_at.isoformat(),
    }


def published_context(question) -> dict:
    """The public text: number, wording and answer in both languages."""
    return {
        **call_context(question.opportunity),
        "question_id": question.pk,
        "number": question.number,
        "wording_en": question.wording_en,
        "wording_zh": question.wording_zh_hans or question.wording_en,
        "answer_en": question.answer_en,
        "answer_zh": question.answer_zh_hans or question.answer_en,
        "anchor": f"#question-{question.number}",
    }


def asker_context(question) -> dict:
    """What the asker reads: their own text and the page of their question."""
    return {
        **call_context(question.opportunity),
        "question_id": question.pk,
        "asked_text": question.asked_text,
        "asked_at": question.asked_at.isoformat(),
        "path": question.get_absolute_url(),
    }


def question_asked(*, question) -> None:
    """To the call's CNSA contacts, once each."""
    opportunity = question.opportunity
    asker = question.asker
    context = {
        **asker_context(question),
        "asker_name": asker.full_name or asker.email,
        "asker_institution": asker.institution,
        "asker_email": asker.email,
    }
    for recipient in contact_recipients(opportunity.contacts.order_by("pk")):
        queue_email(
            key=f"question-asked:{question.pk}:{recipient.email.lower()}",
            recipient=recipient,
            template="question_asked",
            context=context,
            reply_to=asker.email,
        )


def _to_asker(*, question, event: str, template: str, context: dict) -> None:
    asker = question.asker
    if not asker.is_active:
        return
    queue_email(
        key=f"{event}:{question.pk}:{asker.email.lower()}",
        recipient=Recipient.for_user(asker),
        template=template,
        context=context,
        reply_to=_reply_to(question.opportunity),
    )


def question_answered(*, question) -> None:
    """To the asker, with the answer in both languages (read in theirs)."""
    _to_asker(
        question=question,
        event="question-answered",
        template="question_answered",
        context={
            **asker_context(question),
            "answer_en": question.answer_en,
            "answer_zh": question.answer_zh_hans or question.answer_en,
        },
    )


def question_declined(*, question) -> None:
    """To the asker, with the reason."""
    _to_asker(
        question=question,
        event="question-declined",
        template="question_declined",
        context={**asker_context(question), "reason": question.decline_reason},
    )


def publication_audience(opportunity) -> dict[str, Recipient]:
    """The teams at work on the call, then the mission's followers, by address."""
    recipients, _concerned = proposers_at_work(opportunity)
    followers = (
        get_user_model()
        .objects.filter(
            subscriptions__mission_id=opportunity.mission_id, is_active=True
        )
        .order_by("pk")
    )
    for user in followers:
        recipients.setdefault(user.email.lower(), Recipient.for_user(user))
    return recipients


def question_published(*, question) -> None:
    """To the asker (theirs is published), then the teams at work on the call
    and the mission's followers: each address once."""
    opportunity = question.opportunity
    context = published_context(question)
    asker = question.asker
    asker_address = asker.email.lower()
    if asker.is_active:
        queue_email(
            key=f"question-published:{question.pk}:{asker_address}",
            recipient=Recipient.for_user(asker),
            template="question_published",
            context={
                **context,
                "asked_by_you": True,
                "path": question.get_absolute_url(),
            },
            reply_to=_reply_to(opportunity),
        )
    reply_to = _reply_to(opportunity)
    for address, recipient in publication_audience(opportunity).items():
        if address == asker_address:
            continue
        queue_email(
            key=f"question-published:{question.pk}:{address}",
            recipient=recipient,
            template="question_published",
            context={**context, "asked_by_you": False},
            reply_to=reply_to,
        )
