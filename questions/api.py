"""A call's published questions and answers, read-only:
`/api/v1/opportunities/<slug>/questions/`.

Anyone may read it. A draft's or an unknown slug answers 404; questions not yet
published never appear. Texts come in both languages as `{"en": …, "zh-hans":
…}` and moments in UTC, as in the catalogue's API.
"""

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from catalogue.api import TranslatedField, UTCDateTimeField
from catalogue.models import Opportunity
from questions import selectors
from questions.models import Question


class PublishedQuestionSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(
        read_only=True, help_text="Q1, Q2 … in the order published."
    )
    question = TranslatedField(field="wording")
    answer = TranslatedField()
    published_at = UTCDateTimeField()
    became_amendment = serializers.SerializerMethodField(
        help_text="Whether the question and its answer were also posted as an "
        "amendment to the call (see the call's amendments)."
    )

    class Meta:
        model = Question
        fields = ["number", "question", "answer", "published_at", "became_amendment"]

    def get_became_amendment(self, question: Question) -> bool:
        return question.amendment_id is not None


@extend_schema_view(
    list=extend_schema(
        summary="A call's published questions and answers",
        description=(
            "The questions asked on a call that the agency published, with their "
            "answers, newest first (highest number first); 20 to a page. "
            "A draft's slug answers 404."
        ),
        parameters=[
            OpenApiParameter(
                "opportunity_slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The call's slug.",
            )
        ],
    ),
)
class PublishedQuestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PublishedQuestionSerializer
    permission_classes = [AllowAny]
    filter_backends = []

    def get_queryset(self) -> QuerySet[Question]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return Question.objects.none()
        try:
            opportunity = selectors.opportunity_for_questions(
                self.kwargs["opportunity_slug"]
            )
        except Opportunity.DoesNotExist as missing:
            raise Http404 from missing
        return selectors.published_for_call(opportunity.pk)
