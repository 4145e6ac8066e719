"""Fields held in English and Simplified Chinese, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from catalogue.models import (
    Amendment,
    Carrier,
    CooperationTable,
    EvaluationCriterion,
    Mission,
    Opportunity,
    RequiredDocument,
    Statement,
)


@register(Mission)
class MissionTranslation(TranslationOptions):
    fields = ("name", "target", "summary", "objectives")


@register(Opportunity)
class OpportunityTranslation(TranslationOptions):
    fields = (
        "title",
        "summary",
        "description",
        "eligibility",
        "science_areas",
        "outcome",
    )


@register(Carrier)
class CarrierTranslation(TranslationOptions):
    fields = ("name", "notes")


@register(EvaluationCriterion)
class EvaluationCriterionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(RequiredDocument)
class RequiredDocumentTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Statement)
class StatementTranslation(TranslationOptions):
    fields = ("text",)


@register(Amendment)
class AmendmentTranslation(TranslationOptions):
    fields = ("title", "body")


@register(CooperationTable)
class CooperationTableTranslation(TranslationOptions):
    fields = ("section", "title", "intro", "footnotes", "columns", "rows")
    # An empty Chinese table falls back to the English one.
    fallback_undefined = {"columns": [], "rows": []}
