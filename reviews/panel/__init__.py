"""The administrators' review panel: the chair's pages of each call.

Plain admin views registered on the administrators' site (config.admin_site)
at `/admin/panel/…`, named `admin:reviews_panel_<name>` (urls.py). Each page
checks its predicate from reviews.permissions, reads through reviews.selectors
and writes through reviews.services; a refusal is shown one way
(base.show_refusal), a confirmation with one template (base.confirm).

- base.py: what every page shares (the call, the tabs, pagination, refusals);
- assigning.py: assign by hand and automatically;
- ranking.py: the ranking, its exports, one proposal's reviews, the manifest;
- deciding.py: letters of intent, decisions and letters, templates, release;
- phases.py: bidding, discussion and its threads, the panel's settings;
- actions.py: the administrators' actions on assignments and reviews.
"""
