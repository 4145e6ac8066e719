"""Template tags of the proposal emails and PDF."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def by_language(english: str, chinese: str) -> str:
    """The Chinese text when the active language is Chinese and one is given."""
    if (get_language() or "").startswith("zh") and chinese:
        return chinese
    return english
