"""Machine-readable catalogue: an Atom feed of calls and an iCalendar of deadlines."""

from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from catalogue import selectors
from catalogue.models import Opportunity
from catalogue.templatetags.catalogue_tags import beijing

FEED_SIZE = 50
AUTHOR = gettext_lazy("CNSA Department of International Cooperation")


class OpportunityFeed(Feed):
    """The newest public Announcements of Opportunity, as Atom."""

    feed_type = Atom1Feed
    title = gettext_lazy("CNSA Announcements of Opportunity")
    subtitle = gettext_lazy(
        "New calls for payloads on CNSA missions and experiments on the China "
        "Space Station."
    )
    author_name = AUTHOR

    def link(self) -> str:
        return reverse("catalogue:opportunity-list")

    def items(self):
        return selectors.newest_opportunities(limit=FEED_SIZE)

    def item_title(self, item: Opportunity) -> str:
        return item.title

    def item_description(self, item: Opportunity) -> str:
        summary = linebreaks_filter(item.summary, autoescape=True)
        deadline = _("Proposal deadline: %(moment)s") % {
            "moment": beijing(item.proposal_deadline)
        }
        return format_html("{}<p>{}</p>", summary, deadline)

    def item_pubdate(self, item: Opportunity):
        return item.published_at

    def item_updateddate(self, item: Opportunity):
        return item.updated_at

    def item_categories(self, item: Opportunity) -> list[str]:
        return [item.mission.name, item.get_kind_display()]


def _uid_domain() -> str:
    """The portal's own host name, so UIDs do not change with the host asked."""
    return urlsplit(settings.SITE_URL).hostname or "ao-portal"


def build_deadlines_calendar(
    deadlines: Iterable[selectors.Deadline], *, site_url: str
) -> bytes:
    """One VEVENT per deadline, each with a UID that stays the same across
    downloads (the call and the kind of deadline), its moment in UTC, and a link
    to the call's page under `site_url`."""
    calendar = Calendar()
    calendar.add("prodid", "-//CNSA//AO Portal deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("CNSA Announcements of Opportunity: deadlines"))
    calendar.add(
        "refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT12H")
    domain = _uid_domain()
    for deadline in deadlines:
        opportunity = deadline.opportunity
        url = urljoin(site_url, opportunity.get_absolute_url())
        event = Event()
        event.add("uid", f"opportunity-{opportunity.pk}-{deadline.kind}@{domain}")
        event.add("dtstamp", opportunity.updated_at.astimezone(UTC))
        event.add("dtstart", deadline.at.astimezone(UTC))
        event.add(
            "summary",
            _("%(deadline)s: %(title)s")
            % {"deadline": deadline.label, "title": opportunity.title},
        )
        event.add(
            "description",
            f"{opportunity.mission.name}\n{beijing(deadline.at)}\n{url}",
        )
        event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
