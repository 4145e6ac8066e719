"""Writes to questions. Status moves go through questions.workflow."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalogue import services as catalogue_services
from catalogue.models import Amendment, Opportunity
from catalogue.templatetags.catalogue_tags import beijing
from config.refusals import Refused
from questions import emails, permissions, workflow
from questions.enums import QuestionStatus as S
from questions.models import QUESTION_MAX_LENGTH, Question


class QuestionsClosed(Refused):
    def __init__(self, opportunity: Opportunity):
        super().__init__(
            _("Questions on this call closed on %(moment)s.")
            % {"moment": beijing(opportunity.questions_close_at)}
        )


class QuestionRefused(Refused):
    pass


class NotEditable(Refused):
    def __init__(self):
        super().__init__(
            _(
                "A published or declined question can no longer be changed; "
                "post an amendment to the call instead."
            )
        )


class AlreadyAmended(Refused):
    def __init__(self):
        super().__init__(_("This question has already become an amendment."))


@transaction.atomic
def ask_question(
    *, opportunity: Opportunity, asker, text: str, language: str
) -> Question:
    """Record a question on a published call before its questions close.

    Raises QuestionsClosed after `Opportunity.questions_close_at` (judged on the
    call's locked row) and QuestionRefused for an empty or overlong text or an
    inactive asker. Queues an email to each of the call's CNSA contacts.
    """
    if not permissions.can_ask(asker):
        raise QuestionRefused(_("Sign in to ask a question."))
    text = text.strip()
    if not text:
        raise QuestionRefused(_("Write your question."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise QuestionRefused(
            _("A question may have at most %(limit)d characters.")
            % {"limit": QUESTION_MAX_LENGTH}
        )
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("mission")
        .get(pk=opportunity.pk)
    )
    if not permissions.questions_open(locked, now=timezone.now()):
        raise QuestionsClosed(locked)
    question = Question.objects.create(
        opportunity=locked, asker=asker, asked_text=text, asked_language=language
    )
    emails.question_asked(question=question)
    return question


@transaction.atomic
def edit_question(
    *,
    question: Question,
    wording_en: str,
    wording_zh_hans: str,
    answer_en: str,
    answer_zh_hans: str,
    actor,
) -> Question:
    """Save the published wording and the answer while the question is asked or
    answered; NotEditable once published or declined. Sends nothing."""
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.status not in S.editable():
        raise NotEditable
    values = {
        "wording_en": wording_en.strip(),
        "wording_zh_hans": wording_zh_hans.strip(),
        "answer_en": answer_en.strip(),
        "answer_zh_hans": answer_zh_hans.strip(),
    }
    for field, value in values.items():
        setattr(locked, field, value)
        setattr(question, field, value)
    locked.save(update_fields=[*values, "updated_at"])
    return locked


def answer_question(*, question: Question, actor) -> Question:
    """asked → answered; the asker is emailed the answer."""
    return workflow.transition(question, to=S.ANSWERED, actor=actor)


def publish_question(*, question: Question, actor) -> Question:
    """answered → published, numbered; the asker, the teams at work on the call
    and the mission's followers are emailed."""
    return workflow.transition(question, to=S.PUBLISHED, actor=actor)


def decline_question(*, question: Question, reason: str, actor) -> Question:
    """asked or answered → declined, with the reason the asker is emailed."""
    return workflow.transition(question, to=S.DECLINED, actor=actor, note=reason)


def amendment_draft(question: Question) -> dict:
    """The amendment a published question suggests, in both languages: what
    the admin's form starts from."""
    texts = {}
    for language, suffix in (("en", "en"), ("zh-hans", "zh_hans")):
        with override(language):
            title = _("Clarification Q%(number)s: %(wording)s") % {
                "number": question.number,
                "wording": getattr(question, f"wording_{suffix}"),
            }
            body = _("Question:\n%(wording)s\n\nAnswer:\n%(answer)s") % {
                "wording": getattr(question, f"wording_{suffix}"),
                "answer": getattr(question, f"answer_{suffix}"),
            }
        limit = Amendment._meta.get_field("title").max_length
        texts[f"title_{suffix}"] = (
            title if len(title) <= limit else title[: limit - 1] + "…"
        )
        texts[f"body_{suffix}"] = body
    return texts


@transaction.atomic
def turn_into_amendment(
    *,
    question: Question,
    actor,
    title_en: str,
    body_en: str,
    title_zh_hans: str = "",
    body_zh_hans: str = "",
) -> Amendment:
    """Post a published question and its answer as an amendment to the call,
    through catalogue.services.post_amendment (so its emails go out as for any
    amendment: the CNSA contacts, the mission's followers and the teams at work
    on the call), and link the question to it.

    Refused (TransitionRefused) unless published, AlreadyAmended the second
    time, AmendmentRefused unless the call is published or closed.
    """
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.status != S.PUBLISHED:
        raise workflow.TransitionRefused(
            current=locked.status,
            to=S.PUBLISHED,
            messages=_("Only a published question can become an amendment."),
        )
    if locked.amendment_id is not None:
        raise AlreadyAmended
    amendment = catalogue_services.post_amendment(
        opportunity=locked.opportunity,
        title_en=title_en,
        body_en=body_en,
        title_zh_hans=title_zh_hans,
        body_zh_hans=body_zh_hans,
        actor=actor,
    )
    locked.amendment = amendment
    locked.save(update_fields=["amendment", "updated_at"])
    question.amendment = amendment
    return amendment
