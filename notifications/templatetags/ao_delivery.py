"""Tell people whose address does not receive our emails, on their own pages."""

from django import template

from notifications.selectors import address_flag

register = template.Library()


@register.inclusion_tag("notifications/_address_warning.html")
def address_warning(user) -> dict:
    """A warning when emails to `user`'s address bounce or are refused (one query)."""
    if not getattr(user, "is_authenticated", False):
        return {"flag": None}
    return {"flag": address_flag(email=user.email)}
