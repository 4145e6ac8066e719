"""A proposal's status badge and the time left to its deadline, as the
dashboard, the editor, a proposal's page and the submission page show them.

{% load proposal_marks %}
{% proposal_status proposal %}      the status, and "Letter of intent" for a letter
{% time_left proposal.deadline %}   "Time left: 3 days, 2 hours", which
    static/js/portal.js counts down in the browser (data-countdown) and turns
    into data-countdown-passed's sentence when the moment passes

Simple tags rather than included templates: the dashboard shows both on every
row, and an include costs a template lookup and a context of its own each time.
"""

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from catalogue.templatetags.catalogue_tags import iso_utc
from proposals.enums import ProposalStatus

register = template.Library()

# The badge's colour, by the proposal's status (static/css/portal.css).
STATUS_CLASSES = {
    ProposalStatus.DRAFT: "status-draft",
    ProposalStatus.SUBMITTED: "status-decided",
    ProposalStatus.UNDER_REVIEW: "status-decided",
    ProposalStatus.SELECTED: "status-published",
    ProposalStatus.CONDITIONALLY_SELECTED: "status-published",
    ProposalStatus.WITHDRAWN: "status-cancelled",
}
# The statuses' names (lazy: translated when written). `get_status_display`
# builds a dict of the field's choices on every call, which the dashboard makes
# on every row.
STATUS_LABELS = dict(ProposalStatus.choices)


@register.simple_tag
def proposal_status(proposal) -> SafeString:
    badge = format_html(
        '<span class="badge proposal-status {}">{}</span>',
        STATUS_CLASSES.get(proposal.status, "status-closed"),
        STATUS_LABELS.get(proposal.status, proposal.status),
    )
    if not proposal.is_letter:
        return badge
    return format_html(
        '{} <span class="badge text-bg-light border">{}</span>',
        badge,
        _("Letter of intent"),
    )


@register.simple_tag
def time_left(moment: datetime | None) -> SafeString:
    if moment is None:
        return mark_safe("")
    return format_html(
        '<span class="countdown small d-block" data-countdown="{}" '
        'data-countdown-passed="{}">{} <span class="fw-semibold" '
        "data-countdown-value>{}</span></span>",
        iso_utc(moment),
        _("This deadline has passed."),
        _("Time left:"),
        timeuntil(moment),
    )
