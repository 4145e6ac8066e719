"""The outbox's alerts on the admin index (templates/admin/index.html)."""

from django import template
from django.urls import reverse

from notifications.selectors import outbox_alerts

register = template.Library()


@register.inclusion_tag("admin/notifications/outbox_alerts.html", takes_context=True)
def outbox_alerts_panel(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("notifications.view_outboundemail"):
        return {"alerts": None}
    return {
        "alerts": outbox_alerts(),
        "changelist_url": reverse("admin:notifications_outboundemail_changelist"),
        "flagged_url": reverse("admin:notifications_flaggedaddress_changelist"),
    }
