"""The published wording and the answer, in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from questions.models import Question


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("wording", "answer")
