"""A call's published questions and answers, as an Atom feed of their own.

A per-call feed rather than entries in the catalogue's feed of calls
(catalogue.feeds.OpportunityFeed): the catalogue does not import questions
(the apps import one way), and a proposer follows the questions of the call
they write for, not of every call. Linked from the call page's questions.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from catalogue.models import Opportunity
from questions import selectors
from questions.models import Question

FEED_SIZE = 100
# An entry's title holds this much of the question.
TITLE_LENGTH = 120


class CallQuestionsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> Opportunity:
        try:
            return selectors.opportunity_for_questions(slug)
        except Opportunity.DoesNotExist as missing:
            raise Http404(_("No such opportunity.")) from missing

    def title(self, obj: Opportunity) -> str:
        return _("Questions and answers: %(title)s") % {"title": obj.title}

    def subtitle(self, obj: Opportunity) -> str:
        return _("The questions asked on this call and the agency's answers.")

    def link(self, obj: Opportunity) -> str:
        return obj.get_absolute_url() + "#questions"

    def feed_url(self, obj: Opportunity) -> str:
        return reverse("questions:call-feed", kwargs={"slug": obj.slug})

    def items(self, obj: Opportunity):
        return selectors.published_for_call(obj.pk).select_related("opportunity")[
            :FEED_SIZE
        ]

    def item_title(self, item: Question) -> str:
        wording = item.wording
        short = (
            wording
            if len(wording) <= TITLE_LENGTH
            else f"{wording[: TITLE_LENGTH - 1]}…"
        )
        return _("Q%(number)s: %(wording)s") % {"number": item.number, "wording": short}

    def item_description(self, item: Question) -> str:
        return format_html(
            "<p><strong>{}</strong></p>{}<p><strong>{}</strong></p>{}",
            _("Question"),
            linebreaks_filter(item.wording, autoescape=True),
            _("Answer"),
            linebreaks_filter(item.answer, autoescape=True),
        )

    def item_link(self, item: Question) -> str:
        return f"{item.opportunity.get_absolute_url()}#question-{item.number}"

    def item_guid(self, item: Question) -> str:
        return f"question-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Question):
        return item.published_at

    def item_updateddate(self, item: Question):
        return item.updated_at
