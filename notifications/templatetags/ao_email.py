"""Dates in emails, written as the pages write them.

One format on every page and in every email: Beijing time with the zone named,
"31 Aug 2026, 23:59 Beijing time (UTC+8)" / "北京时间 2026年8月31日 23:59（UTC+8）",
written by catalogue_tags.beijing in the active language (an email is rendered in
its recipient's).
"""

from datetime import datetime

from django import template

from catalogue.templatetags.catalogue_tags import beijing

register = template.Library()


@register.filter
def beijing_time(value: str | datetime | None) -> str:
    """A moment (or the ISO timestamp an email's JSON context stores) in Beijing
    time, named; empty for no moment."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return beijing(moment)
