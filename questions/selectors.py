"""Reads of questions, each scoped to who asks and with the joins its page needs.

A question not yet published is read only through `visible_to(user)`: its
asker, the call's CNSA contacts and the administrators find it; anybody else
gets a 404. Published questions are public (`published_for_call`).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from catalogue.enums import OpportunityStatus
from catalogue.models import Contact, Opportunity
from questions.enums import QuestionStatus
from questions.models import Question
from questions.permissions import can_manage_questions


def opportunity_for_questions(slug: str) -> Opportunity:
    """A public call (never a draft); DoesNotExist otherwise."""
    return (
        Opportunity.objects.exclude(status=OpportunityStatus.DRAFT)
        .select_related("mission")
        .get(slug=slug)
    )


def published_for_call(opportunity_id: int) -> QuerySet[Question]:
    """The call's published questions, newest first (highest number first):
    one query, whatever their number."""
    return Question.objects.filter(
        opportunity_id=opportunity_id, status=QuestionStatus.PUBLISHED
    ).order_by("-number")


def _contact_of_call(user) -> Exists:
    return Exists(
        Contact.objects.filter(
            opportunities=OuterRef("opportunity_id"), email__iexact=user.email
        )
    )


def visible_to(user) -> QuerySet[Question]:
    """Every question `user` may read in full (the text as asked included)."""
    if not (user and user.is_authenticated and user.is_active):
        return Question.objects.none()
    questions = Question.objects.select_related("opportunity__mission", "amendment")
    if can_manage_questions(user):
        return questions
    return questions.filter(Q(asker=user) | _contact_of_call(user))


def question_for(user, pk: int) -> Question:
    """One question `user` may read; DoesNotExist (a 404) for anyone else."""
    return visible_to(user).select_related("asker").get(pk=pk)


def asked_by(user) -> QuerySet[Question]:
    """ "My questions": the asker's own, newest first."""
    return (
        Question.objects.filter(asker=user)
        .select_related("opportunity__mission")
        .order_by("-asked_at", "-pk")
    )


def on_calls_of_contact(user) -> QuerySet[Question]:
    """The questions on the calls `user` is a CNSA contact of, newest first."""
    return (
        Question.objects.filter(_contact_of_call(user))
        .select_related("opportunity__mission", "asker")
        .order_by("-asked_at", "-pk")
    )


def asked_on_call(user, opportunity_id: int) -> QuerySet[Question]:
    """The asker's own questions on one call (shown beside the form)."""
    return Question.objects.filter(asker=user, opportunity_id=opportunity_id).order_by(
        "-asked_at", "-pk"
    )


def for_admin() -> QuerySet[Question]:
    return Question.objects.select_related("opportunity__mission", "asker", "amendment")
