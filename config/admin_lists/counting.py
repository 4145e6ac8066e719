"""How many rows a changelist holds, in one query: PostgreSQL's estimate for the
whole of a big table, an exact COUNT(*) for a filtered list or a small one."""

from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows (by the planner's estimate) a list is counted exactly.
ESTIMATE_FROM = 20_000


def count_or_estimate(queryset) -> tuple[int, bool] | None:
    """The rows of an unfiltered queryset's table, in one query: PostgreSQL's
    estimate (as of the table's last ANALYZE or autovacuum) when it is at
    least ESTIMATE_FROM, else an exact COUNT(*), which PostgreSQL runs only
    then. (count, estimated), or None for a filtered queryset or another
    database."""
    query = queryset.query
    connection = connections[queryset.db]
    if (
        query.where
        or query.distinct
        or query.combinator
        or connection.vendor != "postgresql"
    ):
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    # The table's name is the model's, quoted; the rest are parameters.
    count = f"(SELECT COUNT(*) FROM {table})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples >= %s, CASE WHEN reltuples >= %s "
            "THEN reltuples::bigint ELSE " + count + " END "
            "FROM pg_class WHERE oid = to_regclass(%s)",
            [ESTIMATE_FROM, ESTIMATE_FROM, table],
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[1]), bool(row[0]))


class EstimatedCountPaginator(Paginator):
    """Counts a filtered list exactly, and the whole of a big table by
    PostgreSQL's estimate (within a few per cent of the truth after each
    autovacuum); one query either way. A page past the real end shows no rows
    rather than an error, and a page is never cut at the estimate: when the
    table holds more rows than estimated, the last page shows its full 100 and
    the rows after it are on the page after (reached with ?p=, by reversing
    the order or by a filter, which counts exactly)."""

    estimated = False

    def page(self, number):
        page = super().page(number)
        if self.estimated:
            bottom = (page.number - 1) * self.per_page
            page.object_list = self.object_list[bottom : bottom + self.per_page]
        return page

    @cached_property
    def count(self) -> int:
        counted = count_or_estimate(self.object_list)
        if counted is None:
            return super().count
        count, self.estimated = counted
        return count

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.estimated and int(number) >= 1:
                return int(number)
            raise
