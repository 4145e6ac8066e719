"""The parts of a call edited on its page; amendments are shown read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationStackedInline, TranslationTabularInline

from catalogue.forms import CriterionInlineFormSet, OpportunityDocumentForm
from catalogue.models import (
    Amendment,
    Carrier,
    EvaluationCriterion,
    OpportunityDocument,
    RequiredDocument,
    Statement,
)


class CarrierInline(TranslationStackedInline):
    model = Carrier
    extra = 0
    fields = [
        ("kind", "order"),
        "name",
        ("total_mass_kg", "max_payload_mass_kg"),
        ("power_w", "data_mb_per_day"),
        "max_size_mm",
        "notes",
    ]

    def get_queryset(self, request):
        # Each carrier's title names its mission.
        return super().get_queryset(request).select_related("opportunity__mission")


class EvaluationCriterionInline(TranslationTabularInline):
    model = EvaluationCriterion
    formset = CriterionInlineFormSet
    extra = 0
    fields = ["name", "description", "weight", "order"]
    verbose_name_plural = gettext_lazy(
        "evaluation criteria (the weights must add up to 100 %)"
    )


class RequiredDocumentInline(TranslationTabularInline):
    model = RequiredDocument
    extra = 0
    fields = [
        "name",
        "description",
        "stage",
        "is_mandatory",
        "page_limit",
        "max_size_mb",
        "order",
    ]


class StatementInline(TranslationStackedInline):
    model = Statement
    extra = 0
    fields = ["text", "order"]


class OpportunityDocumentInline(admin.TabularInline):
    """The announcement's own documents (the AO text, templates), each in one
    language: the call page lists them by language, the reader's first."""

    model = OpportunityDocument
    form = OpportunityDocumentForm
    extra = 0
    fields = ["title", "language", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


class AmendmentInline(admin.TabularInline):
    """Posted amendments, read only: new ones go through "Post an amendment"."""

    model = Amendment
    extra = 0
    can_delete = False
    fields = ["posted_at", "title_en", "title_zh_hans", "posted_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("posted_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
