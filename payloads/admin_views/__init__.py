"""The administrators' pages for payloads on the administrators' site.

Routed by config.admin_site under `/admin/payloads/`, each behind
`site.admin_view` (signed-in staff) and named `admin:payloads_<name>`:

- `payloads_overview` (?opportunity=<pk> or ?mission=<pk>): every payload of a
  call or a mission, late items first, a page at a time, as an SVG timeline
  and a table of the same figures; `payloads_export` the same rows as CSV or
  XLSX; `payloads_publish` publishes or withdraws a call's public list;
- `payloads_payload_<action>`: one payload's change of allocation, a
  condition accepted or returned, its de-selection with a letter, an
  agreement moved or signed, a milestone slipped or done, a delivery
  recorded and then accepted or rejected, a data handover.

Every page checks payloads.permissions.can_manage_payloads before it reads
anything; each write is one payloads.services call, and a refusal is shown
with the form as typed (nothing is lost). The views make no ORM calls of their
own beyond fetching the rows named in the address.

`base` holds what every page shares, `overview` the overview, its export and
the public list, `actions` one payload's pages, `urls` their addresses.
"""

from payloads.admin_views.urls import payload_urls

__all__ = ["payload_urls"]
