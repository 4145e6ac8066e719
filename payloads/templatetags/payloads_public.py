"""The public list of a call's selected payloads, for the catalogue's call page.

{% load payloads_public %}
{% selected_payloads opportunity as entries %}   the published list, or []

The catalogue does not import payloads (the apps import one way): its call
page includes templates/payloads/_selected_payloads.html, which asks here.
"""

from django import template

from payloads import selectors

register = template.Library()


@register.simple_tag
def selected_payloads(opportunity) -> list:
    """The entries of the call's list once an administrator has published it;
    nothing before (one query either way)."""
    return list(selectors.public_selection(opportunity))
