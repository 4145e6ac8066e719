"""A changelist's filters: `choices_filter`, offering a list written in the code or
read from a small table, and Django's admin/filter.html written in one pass."""

from collections.abc import Callable, Iterable

from django.contrib import admin
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape

# Django's own messages, found in Django's catalogue: an alias, so that
# makemessages does not copy them into the project's.
from django.utils.translation import gettext as admin_text


def filter_html(cl, spec) -> str:
    """Django's admin/filter.html for `spec`, the same markup, in one pass."""
    title = conditional_escape(spec.title)
    by = admin_text(" By %(filter_title)s ") % {"filter_title": title}
    selected = ' class="selected"'
    items = "".join(
        f"<li{selected if choice['selected'] else ''}>\n"
        f'<a href="{escape(iri_to_uri(choice["query_string"]))}">'
        f"{conditional_escape(choice['display'])}</a></li>\n"
        for choice in spec.choices(cl)
    )
    return (
        f'<details data-filter-title="{title}" open>\n<summary>\n{by}\n</summary>\n'
        f"<ul>\n{items}</ul>\n</details>\n"
    )


def choices_filter(
    *,
    title,
    parameter_name: str,
    choices: Callable[[], Iterable[tuple[object, str]]],
) -> type[admin.SimpleListFilter]:
    """A list filter on `parameter_name` (a lookup such as
    `proposal__opportunity__id__exact`, kept from the filter it replaces so that
    links into the list still work) offering `choices()`: a list written in the
    code or read from a small table, never from the table listed."""

    class ChoicesFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [(str(value), label) for value, label in choices()]

        def queryset(self, request, queryset):
            value = self.value()
            if value in (None, ""):
                return queryset
            return queryset.filter(**{self.parameter_name: value})

    ChoicesFilter.title = title
    ChoicesFilter.parameter_name = parameter_name
    ChoicesFilter.__name__ = ChoicesFilter.__qualname__ = (
        "".join(part.capitalize() for part in parameter_name.split("__")) + "Filter"
    )
    return ChoicesFilter
