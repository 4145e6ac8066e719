"""Tell people whose address does not receive our emails, on their own pages."""

from django import template

from notifications.selectors import kept_address_flag

register = template.Library()


@register.inclusion_tag("notifications/_address_warning.html")
def address_warning(user) -> dict:
    """A warning when emails to `user`'s address bounce or are refused (kept in
    the cache until a flag changes)."""
    if not getattr(user, "is_authenticated", False):
        return {"flag": None}
    return {"flag": kept_address_flag(email=user.email)}
