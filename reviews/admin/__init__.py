"""The review workflow in the two admin sites.

- reviewer_site.py: the reviewers' own site (/review/), its index (the
  reviewer's work) and bidding pages (reviewer_bidding.py);
  reviewer_assignments.py registers there the reviewer's own assignments, with
  their pages (reviewer_pages.py: answers, frozen version, review, downloads;
  reviewer_discussion.py: thread, revision, consensus);
- reviewing.py: every assignment and review for administrators, read only, on
  the administrators' site (/admin/);
- review_display.py: how both show due dates, histories, scores;
- panel.py: what administrators do (assign by hand and automatically, ranking,
  manifest recommendation, decisions and their release).
"""

from reviews.admin import panel, reviewer_assignments, reviewing

__all__ = ["panel", "reviewer_assignments", "reviewing"]
