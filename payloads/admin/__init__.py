"""The administrators' payloads on the administrators' site (/admin/).

Administrators only (payloads.permissions.can_manage_payloads). A payload is
read only here: its facts, and its conditions, agreements, milestones,
deliveries, data handovers and history as read-only inlines, each row with
links to the administrators' pages that act on it (payloads.admin_views, one
payloads.services call each). The changelist shows every payload with its
open and overdue conditions, late milestones and overrun deliveries counted
in SQL (payloads.selectors.with_flags): the same number of queries for any
number of rows.

A call's required agreements and milestone template are edited here, each in
an admin of its own filtered by call. A call's public list of selected
payloads is published or withdrawn by an action, through
payloads.services.publish_selection_list / unpublish_selection_list.

`access` holds who sees what, `inlines` a payload's parts, `payloads` the
payloads' admin, `calls` a call's templates and its public list.
"""

from payloads.admin import calls, payloads

__all__ = ["calls", "payloads"]
