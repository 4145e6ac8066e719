"""Template filters of the payload emails: their context is JSON, so dates come
as ISO text and delivery findings as codes and figures."""

from datetime import date

from django import template
from django.utils import formats

from payloads.checks import render_finding

register = template.Library()


@register.filter
def payload_date(value: str | date) -> str:
    """An ISO date ("2027-03-01") in the active language's DATE_FORMAT."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "DATE_FORMAT")


@register.filter
def finding_text(finding: dict) -> str:
    """A stored finding ({"code", "value", "limit", "carrier"}) as a sentence
    in the active language."""
    return render_finding(finding)
