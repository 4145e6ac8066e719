"""Fields held in English and Simplified Chinese, falling back to English."""

import simple_history
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
from config.history import AuditRecords


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


# History is registered here, after the translation columns exist, so the history
# tables record both languages; a HistoricalRecords() on the model would miss them.
simple_history.register(Mission)
simple_history.register(Opportunity, excluded_fields=["updated_at"])
# The call's parts are audited (config.history): edited as the call page's
# inlines, each change is a line of the administrators' audit log.
for audited in (Carrier, EvaluationCriterion, RequiredDocument, Statement):
    simple_history.register(audited, records_class=AuditRecords)
