import pytest

from questions import workflow
from questions.enums import QuestionStatus as S
from questions.models import Question
from tests.questions.factories import QuestionFactory

PAIRS = [(current, to) for current in S.values for to in S.values]
TRAITS = {
    S.ASKED: {},
    S.ANSWERED: {"answered": True},
    S.PUBLISHED: {"published": True},
    S.DECLINED: {"declined": True},
}


def _ready(status: str) -> Question:
    """A question in `status` with everything every move needs: the wording and
    the answer in both languages."""
    question = QuestionFactory(**TRAITS[status])
    for field, value in {
        "wording_en": "May a payload draw more than 30 W?",
        "wording_zh_hans": "载荷功率能否超过30瓦？",
        "answer_en": "Yes, briefly.",
        "answer_zh_hans": "可以，短时。",
    }.items():
        setattr(question, field, value)
    Question.objects.filter(pk=question.pk).update(
        wording_en=question.wording_en,
        wording_zh_hans=question.wording_zh_hans,
        answer_en=question.answer_en,
        answer_zh_hans=question.answer_zh_hans,
    )
    return question


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_question_moves(current, to, admin_user):
    question = _ready(current)
    allowed = to in workflow.TRANSITIONS[current]

    if allowed:
        workflow.transition(question, to=to, actor=admin_user, note="A reason.")
        assert Question.objects.get(pk=question.pk).status == to
    else:
        with pytest.raises(workflow.TransitionRefused):
            workflow.transition(question, to=to, actor=admin_user, note="A reason.")
        assert Question.objects.get(pk=question.pk).status == current


def test_every_state_has_a_row_in_the_table():
    assert set(workflow.TRANSITIONS) == set(S.values)


@pytest.mark.django_db
def test_forbidden_move_names_both_states(admin_user):
    question = QuestionFactory(declined=True)

    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.transition(question, to=S.PUBLISHED, actor=admin_user)

    assert refused.value.messages == [
        "This question is “Declined” and cannot become “Published”."
    ]


@pytest.mark.django_db
def test_answer_refused_without_an_english_answer(admin_user):
    question = QuestionFactory()

    with pytest.raises(workflow.AnswerMissing):
        workflow.transition(question, to=S.ANSWERED, actor=admin_user)

    assert Question.objects.get(pk=question.pk).status == S.ASKED


@pytest.mark.django_db
def test_publication_refused_without_the_chinese_texts(admin_user):
    question = QuestionFactory(answered=True, wording_zh_hans="", answer_zh_hans="")

    with pytest.raises(workflow.PublicationIncomplete) as refused:
        workflow.transition(question, to=S.PUBLISHED, actor=admin_user)

    assert refused.value.missing == [
        "published wording (Simplified Chinese)",
        "answer (Simplified Chinese)",
    ]
    assert Question.objects.get(pk=question.pk).number is None


@pytest.mark.django_db
def test_decline_refused_without_a_reason(admin_user):
    question = QuestionFactory()

    with pytest.raises(workflow.ReasonMissing):
        workflow.transition(question, to=S.DECLINED, actor=admin_user, note="  ")


@pytest.mark.django_db
def test_publication_numbers_the_questions_of_a_call_in_order(admin_user):
    first = QuestionFactory(answered=True)
    second = QuestionFactory(answered=True, opportunity=first.opportunity)
    elsewhere = QuestionFactory(answered=True)

    workflow.transition(second, to=S.PUBLISHED, actor=admin_user)
    workflow.transition(first, to=S.PUBLISHED, actor=admin_user)
    workflow.transition(elsewhere, to=S.PUBLISHED, actor=admin_user)

    assert (second.number, first.number, elsewhere.number) == (1, 2, 1)
    assert first.published_by == admin_user
    assert first.published_at is not None


@pytest.mark.django_db
def test_each_move_keeps_who_and_when(admin_user):
    answered = QuestionFactory(answer_en="Yes.")
    declined = QuestionFactory()

    workflow.transition(answered, to=S.ANSWERED, actor=admin_user)
    workflow.transition(declined, to=S.DECLINED, actor=admin_user, note=" Off topic. ")

    answered.refresh_from_db()
    declined.refresh_from_db()
    assert (answered.answered_by, declined.declined_by) == (admin_user, admin_user)
    assert answered.answered_at is not None
    assert declined.decline_reason == "Off topic."
