"""The review workflow in the Django admin.

- reviewing.py: what a reviewer sees and does (own assignments, conflict
  declaration, scoring, frozen versions and documents), scoped by reviews.selectors;
- panel.py: what administrators do (assign by hand and automatically, ranking,
  manifest recommendation, decisions and their release).
"""

from reviews.admin import panel, reviewing

__all__ = ["panel", "reviewing"]
