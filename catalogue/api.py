"""The read-only JSON API of the catalogue: missions and published calls.

Anyone may read it. Drafts never appear: a draft's slug answers 404. Every text
that exists in English and Simplified Chinese is given in both, as
`{"en": ..., "zh-hans": ...}` (null where a language has no text), and every
moment is an ISO 8601 time in UTC.

The list of calls as JSON is kept in the shared cache per query string, host
and language (catalogue.page_cache), the same for whoever asks; the throttles
count every request before the copy is looked up.
"""

import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from modeltranslation.utils import build_localized_fieldname
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue import page_cache, selectors
from catalogue.filters import OpportunityFilter
from catalogue.models import (
    Amendment,
    Carrier,
    Contact,
    EvaluationCriterion,
    Mission,
    Opportunity,
    RequiredDocument,
    Statement,
)

# The parts of a call the API gives with it, each fetched in one query.
OPPORTUNITY_PARTS = (
    "carriers",
    "criteria",
    "required_documents",
    "statements",
    "amendments",
    "contacts",
)
TRANSLATED_TEXT_SCHEMA = {
    "type": "object",
    "description": "The text in English and in Simplified Chinese (null if absent).",
    "properties": {
        "en": {"type": "string", "nullable": True},
        "zh-hans": {"type": "string", "nullable": True},
    },
    "required": ["en", "zh-hans"],
}


@extend_schema_field(TRANSLATED_TEXT_SCHEMA)
class TranslatedField(serializers.Field):
    """Both language versions of a modeltranslation field, keyed by language code."""

    def __init__(self, *, field: str = "", **kwargs):
        self.translated_field = field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        name = self.translated_field or self.field_name
        return {
            code: getattr(value, build_localized_fieldname(name, code)) or None
            for code, _name in settings.LANGUAGES
        }


class UTCDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(default_timezone=datetime.UTC, read_only=True, **kwargs)


def _decimal(**kwargs) -> serializers.DecimalField:
    """A decimal given as a JSON number rather than a string."""
    return serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        coerce_to_string=False,
        read_only=True,
        **kwargs,
    )


class CarrierSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    notes = TranslatedField()
    total_mass_kg = _decimal(allow_null=True)
    max_payload_mass_kg = _decimal(allow_null=True)
    power_w = _decimal(allow_null=True)
    data_mb_per_day = _decimal(allow_null=True)

    class Meta:
        model = Carrier
        fields = [
            "kind",
            "name",
            "total_mass_kg",
            "max_payload_mass_kg",
            "power_w",
            "data_mb_per_day",
            "max_size_mm",
            "notes",
        ]


class EvaluationCriterionSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    description = TranslatedField()
    weight = _decimal()

    class Meta:
        model = EvaluationCriterion
        fields = ["name", "description", "weight"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    description = TranslatedField()

    class Meta:
        model = RequiredDocument
        fields = [
            "name",
            "description",
            "stage",
            "is_mandatory",
            "page_limit",
            "max_size_mb",
        ]


class StatementSerializer(serializers.ModelSerializer):
    text = TranslatedField()

    class Meta:
        model = Statement
        fields = ["text"]


class AmendmentSerializer(serializers.ModelSerializer):
    title = TranslatedField()
    body = TranslatedField()
    posted_at = UTCDateTimeField()

    class Meta:
        model = Amendment
        fields = ["posted_at", "title", "body"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["name", "department", "phone", "email"]


class TimelineSerializer(serializers.ModelSerializer):
    """The call's dates: moments in UTC, announced days as plain dates."""

    opens_at = UTCDateTimeField()
    loi_deadline = UTCDateTimeField(allow_null=True)
    proposal_deadline = UTCDateTimeField()
    published_at = UTCDateTimeField(allow_null=True)

    class Meta:
        model = Opportunity
        fields = [
            "opens_at",
            "loi_deadline",
            "proposal_deadline",
            "shortlist_date",
            "expected_selection",
            "published_at",
        ]


class OutcomeSerializer(serializers.ModelSerializer):
    """The published figures of a past call; null while a call runs."""

    summary = TranslatedField(field="outcome")

    class Meta:
        model = Opportunity
        fields = [
            "proposals_received",
            "proposals_shortlisted",
            "proposals_selected",
            "summary",
        ]


class OpportunitySerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opportunity-detail", lookup_field="slug"
    )
    mission = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = TranslatedField()
    summary = TranslatedField()
    description = TranslatedField()
    eligibility = TranslatedField()
    science_areas = TranslatedField()
    is_open = serializers.BooleanField(read_only=True)
    lead_country = serializers.CharField(read_only=True)
    timeline = TimelineSerializer(source="*", read_only=True)
    carriers = CarrierSerializer(many=True, read_only=True, source="carriers_list")
    criteria = EvaluationCriterionSerializer(
        many=True, read_only=True, source="criteria_list"
    )
    required_documents = RequiredDocumentSerializer(
        many=True, read_only=True, source="required_documents_list"
    )
    statements = StatementSerializer(
        many=True, read_only=True, source="statements_list"
    )
    amendments = AmendmentSerializer(
        many=True, read_only=True, source="amendments_list"
    )
    contacts = ContactSerializer(many=True, read_only=True, source="contacts_list")
    outcome = OutcomeSerializer(source="*", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "url",
            "slug",
            "mission",
            "title",
            "summary",
            "description",
            "eligibility",
            "science_areas",
            "kind",
            "cooperation_level",
            "status",
            "is_open",
            "is_demo",
            "max_entities",
            "lead_country",
            "dual_anonymous",
            "resource_policy",
            "timeline",
            "carriers",
            "criteria",
            "required_documents",
            "statements",
            "amendments",
            "contacts",
            "outcome",
        ]


class MissionSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="mission-detail", lookup_field="slug"
    )
    name = TranslatedField()
    target = TranslatedField()
    summary = TranslatedField()
    objectives = TranslatedField()
    opportunities = serializers.SerializerMethodField(
        help_text="Slugs of the mission's calls, drafts excepted."
    )

    class Meta:
        model = Mission
        fields = [
            "url",
            "slug",
            "code",
            "programme",
            "name",
            "target",
            "summary",
            "objectives",
            "launch_window",
            "launch_year",
            "launch_date",
            "opportunities",
        ]

    def get_opportunities(self, mission: Mission) -> list[str]:
        return [opportunity.slug for opportunity in mission.public_opportunities]


@extend_schema_view(
    list=extend_schema(
        summary="List missions",
        description="Every mission, with the slugs of its published calls.",
    ),
    retrieve=extend_schema(summary="One mission, by slug"),
)
class MissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MissionSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Mission]:
        return selectors.missions_with_public_opportunities()


@extend_schema_view(
    list=extend_schema(
        summary="List calls",
        description=(
            "Published, closed, decided and cancelled calls (never drafts): open "
            "calls first, soonest deadline first, then past calls, latest first; "
            "20 to a page. Filter by mission slug, status, "
            "kind, cooperation level, open_now (true or false) or q (search)."
        ),
    ),
    retrieve=extend_schema(
        summary="One call, by slug",
        description="A draft's slug answers 404.",
    ),
)
class OpportunityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OpportunitySerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"
    filterset_class = OpportunityFilter
    # The query strings a copy of the list is kept for (page_cache.query_key).
    kept_query = frozenset({*OpportunityFilter.base_filters, "page", "format"})

    def _shared_list(self, request: Request) -> page_cache.SharedCopy | None:
        if not isinstance(request.accepted_renderer, JSONRenderer):
            return None  # the browsable API shows the visitor's session
        if request.accepted_media_type != JSONRenderer.media_type:
            return None  # parameters (indent=) shape this client's copy alone
        query = page_cache.query_key(request, self.kept_query)
        if query is None:
            return None
        # Its links are absolute: one copy per scheme and host.
        origin = page_cache.digest(request.build_absolute_uri("/"))
        return page_cache.lookup("api-calls", origin, query)

    def _as_asked(self, request: Request) -> bool:
        """Whether the list rendered is the one named by the query string: a
        page named otherwise than by its number (`01`, `last`) is not kept,
        so that each page has one copy."""
        page = getattr(self.paginator, "page", None)
        if page is None:
            return True
        return request.GET.get("page", str(page.number)) == str(page.number)

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        shared = self._shared_list(request)
        if shared is not None:
            found = shared.hit(now=page_cache.seconds_now())
            if found is not None:
                content_type, content = found
                return HttpResponse(content, content_type=content_type)
        now = timezone.now()
        response: Response = super().list(request, *args, **kwargs)
        if shared is None or not self._as_asked(request):
            return response
        # Rendered here, as finalize_response would, to keep the bytes.
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        shared.keep(
            valid_until=shared.valid_until(
                now=now, next_moment=selectors.next_public_moment
            ),
            content_type=response["Content-Type"],
            content=response.content,
        )
        return response

    def get_queryset(self) -> QuerySet[Opportunity]:
        # Each part as a plain list (`<part>_list`): a prefetch into the
        # related managers builds a queryset per call and part, which costs
        # more than the rows themselves.
        return selectors.public_opportunities().prefetch_related(
            *(Prefetch(part, to_attr=f"{part}_list") for part in OPPORTUNITY_PARTS)
        )
