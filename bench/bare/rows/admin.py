from django.contrib import admin

from bench.bare.rows.models import Row


@admin.register(Row)
class RowAdmin(admin.ModelAdmin):
    """A stock changelist: five columns, two filters, a search, 100 a page."""

    list_display = ["name", "email", "country", "score", "active", "created_at"]
    list_filter = ["active", "country"]
    search_fields = ["name", "email"]
    list_per_page = 100
