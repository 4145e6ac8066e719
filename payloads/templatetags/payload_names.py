"""`{{ name|standard_name }}`: payloads.names.standard_name in templates."""

from django import template

from payloads.names import standard_name as _standard_name

register = template.Library()


@register.filter
def standard_name(name):
    return _standard_name(name)
