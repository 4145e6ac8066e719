"""Factories of the questions app. Statuses are set directly: factories build
fixtures; only questions.workflow moves a real question."""

import factory
from django.utils import timezone

from questions.enums import QuestionStatus
from questions.models import Question
from tests.factories import OpportunityFactory, UserFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question asked on an open call; traits answered, published, declined."""

    class Meta:
        model = Question

    opportunity = factory.SubFactory(OpportunityFactory)
    asker = factory.SubFactory(UserFactory)
    asked_text = factory.Sequence(
        lambda n: (
            f"I am Dr Camille Laurent of Paris: may our payload exceed 30 W? ({n})"
        )
    )
    asked_language = "en"

    class Params:
        answered = factory.Trait(
            status=QuestionStatus.ANSWERED,
            wording_en="May a payload draw more than 30 W at peak?",
            wording_zh_hans="载荷的峰值功率能否超过30瓦？",
            answer_en="Yes, for at most ten seconds, within 45 W.",
            answer_zh_hans="可以，最多十秒，不超过45瓦。",
            answered_at=factory.LazyFunction(timezone.now),
        )
        published = factory.Trait(
            answered=True,
            status=QuestionStatus.PUBLISHED,
            number=factory.Sequence(lambda n: n + 1),
            published_at=factory.LazyFunction(timezone.now),
        )
        declined = factory.Trait(
            status=QuestionStatus.DECLINED,
            decline_reason="The call's text answers this in section 4.2.",
            declined_at=factory.LazyFunction(timezone.now),
        )
