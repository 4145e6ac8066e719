"""The administrators' catalogue: missions, contacts, calls and their life.

`opportunities` holds the call's admin (inlines, status moves through
catalogue.workflow, amendments, preview); `reference` the missions, contacts,
cooperation tables and mission subscriptions.
"""

from catalogue.admin import opportunities, reference

__all__ = ["opportunities", "reference"]
