"""The administrators' view of proposals in the Django admin.

Only administrators (proposals.permissions.is_administrator) see proposals here:
reviewers have their own site and read what is assigned to them there. Nothing a
proposer wrote is edited here: proposals, their team, documents and frozen
versions are read only. The status moves only through the workflow, from two
actions (shortlist or decline letters of intent), each with a confirmation page,
through the one door of a letter's decision, reviews.services.decide_letter.
Documents are downloaded through the researcher-side view, which checks
permissions. An opportunity's proposals (or a selection) are exported to CSV or
XLSX by proposals.exports.

`readonly` holds the administrators-only access and the read-only inlines,
`proposals` the proposals' admin (letters of intent, exports), `versions` the
frozen versions'.
"""

from proposals.admin import proposals, versions

__all__ = ["proposals", "versions"]
