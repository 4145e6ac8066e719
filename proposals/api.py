"""The read-only JSON API of a researcher's own proposals.

`/api/v1/proposals/` lists the proposals the signed-in user leads or is on the
team of (proposals.selectors.proposals_for_user), by session or by token
(`Authorization: Token …`). Anyone else's proposal answers 404; an anonymous
request is refused. Moments are ISO 8601 in UTC; masses, powers and volumes are
JSON numbers.
"""

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from catalogue.api import UTCDateTimeField
from proposals import selectors
from proposals.checklist import completeness, completion_percentage, current_documents
from proposals.models import Proposal, ProposalVersion
from proposals.permissions import is_principal_investigator, team_membership


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        **kwargs,
    )


class OpportunityBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True, help_text="In the active language.")
    mission = serializers.CharField(source="mission.code", read_only=True)


class TeamMemberSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    institution = serializers.CharField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    required_document = serializers.CharField(
        source="required_document.name", read_only=True
    )
    file_name = serializers.CharField(source="original_name", read_only=True)
    size = serializers.IntegerField(read_only=True)
    page_count = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    uploaded_at = UTCDateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("proposals:document", kwargs={"pk": document.pk})
        )


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    stage = serializers.CharField(read_only=True)
    submitted_at = UTCDateTimeField()
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, version: ProposalVersion) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(
                "proposals:version-pdf",
                kwargs={"pk": version.proposal_id, "number": version.number},
            )
        )


class ProposalSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="proposal-detail")
    opportunity = OpportunityBriefSerializer(read_only=True)
    principal_investigator = serializers.CharField(
        source="principal_investigator.get_full_name", read_only=True
    )
    my_role = serializers.SerializerMethodField(
        help_text="principal_investigator, co_investigator or collaborator."
    )
    deadline = UTCDateTimeField(
        allow_null=True, help_text="The deadline of the stage the proposal is at."
    )
    completeness = serializers.SerializerMethodField(
        help_text="Percentage of the submission checklist done."
    )
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    submitted_at = UTCDateTimeField(allow_null=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "url",
            "id",
            "reference",
            "title",
            "stage",
            "status",
            "opportunity",
            "principal_investigator",
            "my_role",
            "deadline",
            "completeness",
            "created_at",
            "updated_at",
            "submitted_at",
            "page_url",
        ]

    def get_my_role(self, proposal: Proposal) -> str:
        user = self.context["request"].user
        if is_principal_investigator(user, proposal):
            return "principal_investigator"
        member = team_membership(user, proposal)
        return member.role if member else ""

    def get_completeness(self, proposal: Proposal) -> int:
        return completion_percentage(completeness(proposal))

    def get_page_url(self, proposal: Proposal) -> str:
        return self.context["request"].build_absolute_uri(proposal.get_absolute_url())


class ResourcesSerializer(serializers.Serializer):
    carrier = serializers.CharField(source="carrier.name", allow_null=True)
    mass_kg = _number()
    power_avg_w = _number()
    power_peak_w = _number()
    data_mb_per_day = _number()
    length_mm = serializers.IntegerField(allow_null=True)
    width_mm = serializers.IntegerField(allow_null=True)
    height_mm = serializers.IntegerField(allow_null=True)
    operations_needs = serializers.CharField()


class ProposalDetailSerializer(ProposalSerializer):
    resources = ResourcesSerializer(source="*", read_only=True)
    team = TeamMemberSerializer(source="team_members", many=True, read_only=True)
    documents = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = [
            *ProposalSerializer.Meta.fields,
            "abstract",
            "keywords",
            "objectives",
            "relevance",
            "payload_description",
            "trl",
            "heritage",
            "resources",
            "funding_statement",
            "team",
            "documents",
            "versions",
        ]

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, proposal: Proposal) -> list[dict]:
        return DocumentSerializer(
            current_documents(proposal), many=True, context=self.context
        ).data


@extend_schema_view(
    list=extend_schema(
        summary="List my proposals",
        description=(
            "The proposals the signed-in user leads or is on the team of, most "
            "recently changed first; 20 to a page. Session or token authentication."
        ),
        tags=["proposals"],
    ),
    retrieve=extend_schema(
        summary="One of my proposals",
        description=(
            "Its sections, team, current documents and submitted versions. Someone "
            "else's proposal answers 404."
        ),
        tags=["proposals"],
    ),
)
class ProposalViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProposalDetailSerializer
        return ProposalSerializer

    def get_queryset(self) -> QuerySet[Proposal]:
        queryset = selectors.proposals_for_user(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "versions", queryset=ProposalVersion.objects.order_by("number")
                )
            )
        return queryset
