from django.shortcuts import render

from bench.bare.rows.models import Row


def rows(request):
    """The first 20 rows of the table, rendered by a template."""
    return render(request, "rows.html", {"rows": Row.objects.all()[:20]})
