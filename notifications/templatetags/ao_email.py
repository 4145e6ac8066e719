from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats

register = template.Library()
BEIJING = ZoneInfo("Asia/Shanghai")


@register.filter
def beijing_time(value: str | datetime) -> str:
    """An ISO timestamp (as stored in an email's JSON context) in Beijing time."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(BEIJING)
    # The project's DATETIME_FORMAT (config/formats) already names the zone.
    return formats.date_format(local, "DATETIME_FORMAT")
