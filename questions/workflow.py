"""The life of a question, as data.

    asked → answered (an administrator wrote the answer) → published
    asked or answered → declined (with a reason)

Published and declined are final; a published question can still become an
amendment (questions.services.turn_into_amendment), which moves no state.

`transition()` is the only code that assigns `Question.status`, its `number`
and the who/when of each move (a test greps for it). Side effects of each move,
all inside the caller's transaction:

- the row is locked (`select_for_update`) and the move checked: against the
  table, then against what the move needs (`refusal()`): an answer in English
  to answer; the wording and the answer in both languages to publish; a reason
  to decline. A refused move raises a subclass of TransitionRefused and changes
  nothing;
- answered: `answered_at`, `answered_by`; published: `published_at`,
  `published_by` and the next number of the call (the call's row is locked so
  two publications never take the same one); declined: `declined_at`,
  `declined_by` and the note as `decline_reason`;
- emails are queued in the notifications outbox (questions.emails), sent once
  the transaction commits: answered → the asker; published → the asker, and
  every principal investigator and confirmed team member of a draft or
  submitted proposal on the call and every follower of the mission, each
  address once, in their language; declined → the asker, with the reason.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Opportunity
from config.refusals import Refused
from questions import emails
from questions.enums import QuestionStatus as S
from questions.models import Question

TRANSITIONS: dict[str, frozenset[str]] = {
    S.ASKED: frozenset({S.ANSWERED, S.DECLINED}),
    S.ANSWERED: frozenset({S.PUBLISHED, S.DECLINED}),
    S.PUBLISHED: frozenset(),
    S.DECLINED: frozenset(),
}


class TransitionRefused(Refused):
    """A move the table does not hold; the message names both states."""

    def __init__(self, *, current: str, to: str, messages=None):
        self.current = current
        self.to = to
        super().__init__(
            messages
            or _("This question is “%(current)s” and cannot become “%(to)s”.")
            % {"current": S(current).label, "to": S(to).label}
        )


class AnswerMissing(TransitionRefused):
    def __init__(self, *, current: str, to: str):
        super().__init__(
            current=current,
            to=to,
            messages=_("Write the answer in English first, then save it."),
        )


class PublicationIncomplete(TransitionRefused):
    def __init__(self, *, current: str, to: str, missing: list[str]):
        self.missing = missing
        super().__init__(
            current=current,
            to=to,
            messages=_(
                "Before publishing, give the published wording and the answer "
                "in English and in Simplified Chinese. Missing: %(missing)s."
            )
            % {"missing": ", ".join(missing)},
        )


class ReasonMissing(TransitionRefused):
    def __init__(self, *, current: str, to: str):
        super().__init__(
            current=current,
            to=to,
            messages=_("Say why the question is declined; the asker is told."),
        )


def allowed_targets(question: Question) -> frozenset[str]:
    return TRANSITIONS.get(question.status, frozenset())


def _missing_for_publication(question: Question) -> list[str]:
    labels = {
        "wording_en": _("published wording (English)"),
        "wording_zh_hans": _("published wording (Simplified Chinese)"),
        "answer_en": _("answer (English)"),
        "answer_zh_hans": _("answer (Simplified Chinese)"),
    }
    return [
        str(label)
        for field, label in labels.items()
        if not (getattr(question, field) or "").strip()
    ]


def refusal(question: Question, *, to: str, note: str = "") -> TransitionRefused | None:
    """Why `question` may not move to `to` now, or None if it may."""
    current = question.status
    if to not in allowed_targets(question):
        return TransitionRefused(current=current, to=to)
    if to == S.ANSWERED and not (question.answer_en or "").strip():
        return AnswerMissing(current=current, to=to)
    if to == S.PUBLISHED:
        missing = _missing_for_publication(question)
        if missing:
            return PublicationIncomplete(current=current, to=to, missing=missing)
    if to == S.DECLINED and not note.strip():
        return ReasonMissing(current=current, to=to)
    return None


def _next_number(opportunity_id: int) -> int:
    """The call's next question number; the call's row is locked meanwhile."""
    Opportunity.objects.select_for_update().filter(pk=opportunity_id).first()
    highest = Question.objects.filter(opportunity_id=opportunity_id).aggregate(
        highest=Max("number")
    )["highest"]
    return (highest or 0) + 1


@transaction.atomic
def transition(question: Question, *, to: str, actor, note: str = "") -> Question:
    """Move `question` to status `to`, or raise TransitionRefused (or one of its
    kinds). Returns the locked, saved row and updates `question` in place."""
    locked = (
        Question.objects.select_for_update(of=("self",))
        .select_related("opportunity__mission", "asker")
        .get(pk=question.pk)
    )
    refused = refusal(locked, to=to, note=note)
    if refused is not None:
        raise refused
    now = timezone.now()
    locked.status = to
    fields = ["status", "updated_at"]
    if to == S.ANSWERED:
        locked.answered_at, locked.answered_by = now, actor
        fields += ["answered_at", "answered_by"]
    elif to == S.PUBLISHED:
        locked.number = _next_number(locked.opportunity_id)
        locked.published_at, locked.published_by = now, actor
        fields += ["number", "published_at", "published_by"]
    elif to == S.DECLINED:
        locked.declined_at, locked.declined_by = now, actor
        locked.decline_reason = note.strip()
        fields += ["declined_at", "declined_by", "decline_reason"]
    locked.save(update_fields=fields)
    for field in fields:
        setattr(question, field, getattr(locked, field))
    _tell(locked, to=to)
    return locked


def _tell(question: Question, *, to: str) -> None:
    if to == S.ANSWERED:
        emails.question_answered(question=question)
    elif to == S.PUBLISHED:
        emails.question_published(question=question)
    elif to == S.DECLINED:
        emails.question_declined(question=question)
