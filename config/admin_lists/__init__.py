"""What keeps an admin changelist over a big table as fast as a stock one.

A changelist of 100 rows over 100,000 or 300,000 costs what its page costs, not
what its table holds, when:

- its ordering is an index (each app's migration `00xx_*_indexes`), so
  PostgreSQL reads 100 rows from the index instead of sorting the table;
- it counts once (`show_full_result_count = False`): Django's "N of M" needs a
  second COUNT(*) over the whole table; and the unfiltered list of a big table
  takes PostgreSQL's estimate of its rows (`EstimatedCountPaginator`): an exact
  COUNT(*) reads every row (15 ms at 56,000 proposals, 50 ms at 200,000
  emails, after a VACUUM; several times that before one);
- its filters offer a list read from a small table or written in the code
  (`choices_filter`), never `RelatedOnlyFieldListFilter` or a plain field
  filter without choices, which read DISTINCT values out of the big table on
  every page;
- its rows read only what its columns show (`LeanChangeList`, `list_only`), or
  at least leave out the long texts no column shows (`list_defer`): a
  proposal's abstract, a version's snapshot, an email's body;
- its rows and the navigation sidebar are written in one pass (`RowWriter`,
  `nav_sidebar`), the same markup as Django's templates write cell by cell.
"""

from config.admin_lists.changelist import LeanChangeList, LeanChangeListMixin
from config.admin_lists.counting import (
    ESTIMATE_FROM,
    EstimatedCountPaginator,
    count_or_estimate,
)
from config.admin_lists.filters import choices_filter, filter_html
from config.admin_lists.rows import PK_MARK, RowWriter, checkbox
from config.admin_lists.sidebar import nav_sidebar

__all__ = [
    "ESTIMATE_FROM",
    "PK_MARK",
    "EstimatedCountPaginator",
    "LeanChangeList",
    "LeanChangeListMixin",
    "RowWriter",
    "checkbox",
    "choices_filter",
    "count_or_estimate",
    "filter_html",
    "nav_sidebar",
]
