"""The lean changelist (`LeanChangeList`) and the ModelAdmin mixin that gives it
(`LeanChangeListMixin`): narrowed rows, one count, rows, filters and sidebar
written in one pass."""

from collections.abc import Iterable

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    admin_list_filter,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.views.main import ChangeList
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Django's own messages, found in Django's catalogue: an alias, so that
# makemessages does not copy them into the project's.
from django.utils.translation import gettext as admin_text

from config.admin_lists.counting import EstimatedCountPaginator
from config.admin_lists.filters import filter_html
from config.admin_lists.rows import RowWriter
from config.admin_lists.rows import action_checkbox as row_action_checkbox
from config.admin_lists.sidebar import nav_sidebar


class LeanChangeList(ChangeList):
    """The page's rows with only the model admin's `list_only` fields (when
    given; building a row's objects costs by the field, and a call's row alone
    has forty) or else without its `list_defer` fields, and joined to exactly
    its `list_select_related` (when a list) whatever its `get_queryset`
    selects for the change form: each join costs PostgreSQL's planner more
    than the rows cost to read.

    Only the rows shown are narrowed: the actions (which take
    `get_queryset`) and the change form read whole rows.

    Its rows are written by `RowWriter` (`result_table`, for
    templates/admin/change_list.html).
    """

    @cached_property
    def result_table(self) -> dict | None:
        """What Django's `{% result_list %}` gives its template
        (admin/change_list_results.html), each row one string; None for an
        editable list or a popup, which the tag writes."""
        if self.formset is not None or self.is_popup:
            return None
        headers = list(result_headers(self))
        writer = RowWriter(self)
        opts = self.opts
        return {
            "template": [
                f"admin/{opts.app_label}/{opts.model_name}/change_list_results.html",
                f"admin/{opts.app_label}/change_list_results.html",
                "admin/change_list_results.html",
            ],
            "result_hidden_fields": list(result_hidden_fields(self)),
            "result_headers": headers,
            "num_sorted_fields": sum(
                1 for header in headers if header["sortable"] and header["sorted"]
            ),
            "results": [
                ResultList(None, [writer.row(obj)]) for obj in self.result_list
            ],
        }

    @cached_property
    def filter_nav(self) -> str:
        """The filters' column as Django's changelist template writes it
        (its `filters` block), each filter with Django's own template
        (admin/filter.html, most of them) written in one pass: a call filter
        offers sixty links, a country filter two hundred and fifty. Filters
        with a template of their own are rendered by it. Empty without
        filters."""
        if not self.has_filters:
            return ""
        extra = []
        if self.is_facets_optional:
            link, kind, word = (
                (self.remove_facet_link, "hidelink", "Hide counts")
                if self.add_facets
                else (self.add_facet_link, "viewlink", "Show counts")
            )
            extra.append(
                f'<h3>\n<a href="{escape(link)}" class="{kind}">'
                f"{escape(admin_text(word))}</a>\n</h3>"
            )
        if self.has_active_filters:
            extra.append(
                f'<h3>\n<a href="{escape(self.clear_all_filters_qs)}">&#10006; '
                f"{escape(admin_text('Clear all filters'))}</a>\n</h3>"
            )
        filters = "".join(
            filter_html(self, spec)
            if spec.template == "admin/filter.html"
            else admin_list_filter(self, spec)
            for spec in self.filter_specs
        )
        actions = (
            f'<div id="changelist-filter-extra-actions">\n{"".join(extra)}\n</div>\n'
            if extra
            else ""
        )
        return mark_safe(  # noqa: S308 — every part escaped or a template's
            '<nav id="changelist-filter" aria-labelledby="changelist-filter-header">\n'
            f'<h2 id="changelist-filter-header">{escape(admin_text("Filter"))}</h2>\n'
            f"{actions}{filters}</nav>\n"
        )

    def get_results(self, request):
        related = self.list_select_related
        if isinstance(related, list | tuple) and related:
            self.queryset = self.queryset.select_related(None).select_related(*related)
        only = getattr(self.model_admin, "list_only", ())
        deferred = getattr(self.model_admin, "list_defer", ())
        if only:
            self.queryset = self.queryset.only(*only)
        elif deferred:
            self.queryset = self.queryset.defer(*deferred)
        super().get_results(request)


class LeanChangeListMixin:
    """For a ModelAdmin: set `list_only` to the fields its columns (and its
    rows' `__str__`, the checkbox's label) read, across the relations of
    `list_select_related`, or `list_defer` to the fields no column reads. A
    field left out of `list_only` and read anyway costs a query a row: the
    query counts pinned for 1, 3 and 10 rows catch it."""

    list_only: Iterable[str] = ()
    list_defer: Iterable[str] = ()
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return LeanChangeList

    def changelist_view(self, request, extra_context=None):
        """With the navigation sidebar written in one pass (`nav_sidebar`)."""
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if (
            isinstance(response, TemplateResponse)
            and context
            and context.get("is_nav_sidebar_enabled")
            and not context.get("is_popup")
            and "available_apps" in context
        ):
            context["nav_sidebar"] = nav_sidebar(request, context["available_apps"])
        return response

    # Django's row checkbox written directly (`rows.action_checkbox`).
    action_checkbox = row_action_checkbox
