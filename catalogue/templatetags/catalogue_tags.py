"""Deadlines in Beijing time and the visitor's own, status badges, countdowns.

{% load catalogue_tags %}
{{ opportunity.proposal_deadline|beijing }}   31 Aug 2026, 23:59 Beijing time (UTC+8)
{% deadline opportunity.proposal_deadline %}  the same, plus a <time> element that
                                              static/js/portal.js turns into the
                                              visitor's zone (UTC without JS)
{% status_badge opportunity %}                the status, in colours that pass 4.5:1
"""

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus

register = template.Library()
BEIJING = ZoneInfo("Asia/Shanghai")

STATUS_CLASSES = {
    OpportunityStatus.DRAFT: "status-draft",
    OpportunityStatus.PUBLISHED: "status-published",
    OpportunityStatus.CLOSED: "status-closed",
    OpportunityStatus.DECIDED: "status-decided",
    OpportunityStatus.CANCELLED: "status-cancelled",
}


def _moment_format() -> str:
    # Translators: a date and time in Django's date syntax: 31 Aug 2026, 23:59
    return pgettext("date and time of a deadline", "j M Y, H:i")


@register.filter
def beijing(value: datetime | None) -> str:
    """A moment in Beijing time, e.g. "31 Aug 2026, 23:59 Beijing time (UTC+8)"."""
    if value is None:
        return ""
    return _beijing_text(value, get_language())


@functools.lru_cache(maxsize=4096)
def _beijing_text(value: datetime, language: str | None) -> str:
    """beijing's text for a moment in a language: a page shows the same
    deadlines and saves on every visit, and Django's date formatting was a
    twentieth of the dashboard's time. The language is in the key; the
    catalogues do not change while the process runs."""
    local = value.astimezone(BEIJING)
    return _("%(moment)s Beijing time (UTC+8)") % {
        "moment": dateformat.format(local, _moment_format())
    }


@register.filter
def day(value: date | None) -> str:
    """A calendar date, e.g. "30 Sep 2026"."""
    if value is None:
        return ""
    # Translators: a date format (Django's date syntax), e.g. 30 Sep 2026
    return dateformat.format(value, pgettext("date of a milestone", "j M Y"))


@register.filter
def quantity(value: Decimal | None) -> str:
    """A measured amount without trailing zeros: 10.000 → 10, 0.050 → 0.05."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return number_format(Decimal(text), use_l10n=True)


@register.filter
def utc_text(value: datetime | None) -> str:
    """A moment in UTC, shown to visitors whose browser runs no JavaScript."""
    if value is None:
        return ""
    return _("%(moment)s UTC") % {
        "moment": dateformat.format(value.astimezone(UTC), _moment_format())
    }


@register.filter
def iso_utc(value: datetime | None) -> str:
    """The machine-readable moment for a <time datetime="…"> attribute."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.inclusion_tag("catalogue/_deadline.html")
def deadline(value: datetime | None) -> dict:
    """A deadline in Beijing time and, in the browser, the visitor's own zone."""
    return {"moment": value}


@register.inclusion_tag("catalogue/_status_badge.html")
def status_badge(opportunity) -> dict:
    """The status as a visitor reads it: a published call is open, opening soon
    or past its deadline."""
    label = opportunity.get_status_display()
    if opportunity.status == OpportunityStatus.PUBLISHED:
        now = timezone.now()
        if now < opportunity.opens_at:
            label = _("Opens soon")
        elif now >= opportunity.proposal_deadline:
            label = _("Deadline passed")
        else:
            label = _("Open")
    return {
        "label": label,
        "css_class": STATUS_CLASSES.get(opportunity.status, "status-closed"),
    }


@register.inclusion_tag("catalogue/_countdown.html")
def countdown(value: datetime | None, label: str = "") -> dict:
    """A live count of the time left before a deadline (static/js/portal.js)."""
    return {"moment": value, "label": label}
