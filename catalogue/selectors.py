"""Reads of the public catalogue, each with the joins its page needs.

A draft is never public: every opportunity read here excludes drafts, except
`opportunity_for_preview`, which the staff-only admin preview uses. Each read
fetches related rows in a fixed number of queries, whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, Min, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalogue.enums import OpportunityStatus
from catalogue.models import (
    QUESTION_DAYS_BEFORE_DEADLINE,
    CooperationTable,
    Mission,
    MissionSubscription,
    Opportunity,
    OpportunityDocument,
)

LOI = "loi"
PROPOSAL = "proposal"
DEADLINE_LABELS: dict[str, Promise] = {
    LOI: _("Letter-of-intent deadline"),
    PROPOSAL: _("Proposal deadline"),
}


@dataclass(frozen=True)
class Deadline:
    """One deadline of a call: its letter of intent or its full proposal."""

    opportunity: Opportunity
    kind: str
    at: datetime

    @property
    def label(self) -> Promise:
        return DEADLINE_LABELS[self.kind]


def public_opportunities() -> QuerySet[Opportunity]:
    """Every call but drafts: open calls first, soonest deadline first, then the
    past calls, latest first."""
    open_deadline = Case(
        When(status=OpportunityStatus.PUBLISHED, then=F("proposal_deadline")),
        default=None,
    )
    return (
        Opportunity.objects.exclude(status=OpportunityStatus.DRAFT)
        .select_related("mission")
        .alias(open_deadline=open_deadline)
        .order_by(F("open_deadline").asc(nulls_last=True), "-proposal_deadline", "pk")
    )


def open_opportunities(*, now: datetime | None = None) -> QuerySet[Opportunity]:
    """Published calls taking proposals now, soonest deadline first."""
    now = now or timezone.now()
    return (
        Opportunity.objects.filter(
            status=OpportunityStatus.PUBLISHED,
            opens_at__lte=now,
            proposal_deadline__gt=now,
        )
        .select_related("mission")
        .order_by("proposal_deadline", "pk")
    )


def newest_opportunities(*, limit: int = 50) -> QuerySet[Opportunity]:
    """Public calls, most recently published first (the Atom feed)."""
    return (
        Opportunity.objects.exclude(status=OpportunityStatus.DRAFT)
        .select_related("mission")
        .order_by(F("published_at").desc(nulls_last=True), "-pk")[:limit]
    )


def _detail_queryset() -> QuerySet[Opportunity]:
    return Opportunity.objects.select_related("mission").prefetch_related(
        "carriers",
        "criteria",
        "required_documents",
        "statements",
        "amendments",
        "documents",
        "contacts",
    )


def opportunity_for_public(slug: str) -> Opportunity:
    """A public call with everything its page shows.

    Raises Opportunity.DoesNotExist for a draft or an unknown slug.
    """
    return _detail_queryset().exclude(status=OpportunityStatus.DRAFT).get(slug=slug)


def opportunity_for_preview(pk: int) -> Opportunity:
    """Any call, drafts included, for the staff-only admin preview.

    The caller checks that the person asking is staff.
    """
    return _detail_queryset().get(pk=pk)


def document_for_public(*, opportunity_slug: str, pk: int) -> OpportunityDocument:
    """A document of a public call; DoesNotExist for drafts and other calls."""
    return (
        OpportunityDocument.objects.exclude(opportunity__status=OpportunityStatus.DRAFT)
        .select_related("opportunity")
        .get(pk=pk, opportunity__slug=opportunity_slug)
    )


def upcoming_deadlines(
    limit: int | None = None, *, now: datetime | None = None
) -> list[Deadline]:
    """Letter-of-intent and proposal deadlines still ahead in published calls,
    soonest first; at most `limit` of them when given."""
    now = now or timezone.now()
    published = Opportunity.objects.filter(
        status=OpportunityStatus.PUBLISHED
    ).select_related("mission")
    loi = published.filter(loi_deadline__gt=now).order_by("loi_deadline", "pk")
    full = published.filter(proposal_deadline__gt=now).order_by(
        "proposal_deadline", "pk"
    )
    if limit is not None:
        loi, full = loi[:limit], full[:limit]
    deadlines = [Deadline(opportunity=o, kind=LOI, at=o.loi_deadline) for o in loi]
    deadlines += [
        Deadline(opportunity=o, kind=PROPOSAL, at=o.proposal_deadline) for o in full
    ]
    deadlines.sort(key=lambda d: (d.at, d.opportunity.pk, d.kind))
    return deadlines if limit is None else deadlines[:limit]


def next_deadline(
    opportunity: Opportunity, *, now: datetime | None = None
) -> Deadline | None:
    """The next deadline of a published call still ahead, or None."""
    if opportunity.status != OpportunityStatus.PUBLISHED:
        return None
    now = now or timezone.now()
    for kind, moment in (
        (LOI, opportunity.loi_deadline),
        (PROPOSAL, opportunity.proposal_deadline),
    ):
        if moment is not None and moment > now:
            return Deadline(opportunity=opportunity, kind=kind, at=moment)
    return None


PUBLIC_STATUS_VALUES = [
    value for value in OpportunityStatus.values if value != OpportunityStatus.DRAFT
]


def missions_with_call_counts(*, now: datetime | None = None) -> QuerySet[Mission]:
    """Every mission, with `public_count` (calls other than drafts) and
    `open_count` (calls taking proposals now), in one query. The pages use it:
    a mission may have any number of calls, so they show counts, not lists."""
    now = now or timezone.now()
    return Mission.objects.annotate(
        public_count=Count(
            "opportunities",
            filter=Q(opportunities__status__in=PUBLIC_STATUS_VALUES),
        ),
        open_count=Count(
            "opportunities",
            filter=Q(
                opportunities__status=OpportunityStatus.PUBLISHED,
                opportunities__opens_at__lte=now,
                opportunities__proposal_deadline__gt=now,
            ),
        ),
    )


def missions_with_public_opportunities() -> QuerySet[Mission]:
    """Every mission with its counts and `public_opportunities`, the list of
    its calls other than drafts (one more query, however many missions)."""
    return missions_with_call_counts().prefetch_related(
        Prefetch(
            "opportunities",
            queryset=public_opportunities(),
            to_attr="public_opportunities",
        )
    )


def mission_for_public(slug: str) -> Mission:
    """One mission with its `public_count` and `open_count`; DoesNotExist when
    unknown. Its calls come from `public_opportunities_of`, a page at a time."""
    return missions_with_call_counts().get(slug=slug)


def public_opportunities_of(*, mission: Mission, limit: int) -> list[Opportunity]:
    """A mission's public calls, open ones first, at most `limit` of them."""
    return list(public_opportunities().filter(mission=mission)[:limit])


def is_following(*, user, mission: Mission) -> bool:
    """Whether a signed-in user is subscribed to news of a mission's calls."""
    if not user.is_authenticated:
        return False
    return MissionSubscription.objects.filter(user=user, mission=mission).exists()


def cooperation_tables() -> QuerySet[CooperationTable]:
    """The presentation's cooperation tables, in the order they are shown."""
    return CooperationTable.objects.order_by("order", "pk")


def moments_of(opportunity: Opportunity) -> list[datetime | None]:
    """The moments at which a call's own page reads differently without anyone
    changing a thing: it opens, a deadline passes, questions close."""
    return [
        opportunity.opens_at,
        opportunity.loi_deadline,
        opportunity.proposal_deadline,
        opportunity.questions_close_at,
    ]


def next_public_moment(now: datetime) -> datetime | None:
    """The next moment after `now` at which a public page reads differently
    without anyone changing a thing: a published call opens, passes its
    letter-of-intent or proposal deadline, or a public call stops taking
    questions (Opportunity.questions_close_at). None when no such moment is
    ahead. One query."""
    questions_close = Coalesce(
        "question_deadline",
        F("proposal_deadline") - timedelta(days=QUESTION_DAYS_BEFORE_DEADLINE),
    )
    published = Q(status=OpportunityStatus.PUBLISHED)
    found = Opportunity.objects.exclude(status=OpportunityStatus.DRAFT).aggregate(
        opens=Min("opens_at", filter=published & Q(opens_at__gt=now)),
        letters=Min("loi_deadline", filter=published & Q(loi_deadline__gt=now)),
        proposals=Min(
            "proposal_deadline", filter=published & Q(proposal_deadline__gt=now)
        ),
        questions=Min(questions_close, filter=GreaterThan(questions_close, now)),
    )
    moments = [moment for moment in found.values() if moment is not None]
    return min(moments, default=None)
