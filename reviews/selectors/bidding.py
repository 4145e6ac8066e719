"""Reads of bidding: the calls a reviewer may bid on, their bid sheet, and the
administrators' view of how the bids cover each proposal.

A proposal is on a call's bid sheet when it is in review (submitted or under
review) and has the frozen version its reviewers will read
(proposals.selectors.version_for_review: the latest version of its stage
submitted before that stage's deadline). The sheet shows that version's title,
abstract and keywords, read from its snapshot in SQL; in a dual-anonymous call
nothing that identifies the team.
"""

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Coalesce
from django.http import Http404

from catalogue.models import Opportunity
from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import Proposal, ProposalVersion
from reviews.enums import BidPreference, PhaseStatus
from reviews.models import Bid, Panel
from reviews.permissions import can_bid, is_reviewer


def _frozen_versions() -> QuerySet[ProposalVersion]:
    """As a subquery of proposals: the outer proposal's version for review,
    latest first (proposals.selectors.version_for_review, in SQL)."""
    return ProposalVersion.objects.filter(
        Q(
            stage=ProposalStage.LETTER_OF_INTENT,
            submitted_at__lt=OuterRef("opportunity__loi_deadline"),
        )
        | Q(
            stage=ProposalStage.FULL,
            submitted_at__lt=OuterRef("opportunity__proposal_deadline"),
        ),
        proposal=OuterRef("pk"),
        stage=OuterRef("stage"),
    ).order_by("-number")


def _biddable() -> QuerySet[Proposal]:
    """Proposals in review with a version for review, of any call."""
    return Proposal.objects.filter(status__in=ProposalStatus.in_review()).filter(
        Exists(_frozen_versions())
    )


def calls_open_for_bidding(*, reviewer) -> QuerySet[Opportunity]:
    """The calls whose bidding is open, for a reviewer (nothing for anyone
    else), soonest deadline first, each with `proposal_count` (proposals on its
    bid sheet) and `bid_count` (the reviewer's bids on them). One query."""
    if not is_reviewer(reviewer):
        return Opportunity.objects.none()
    # The frozen version tested in the count's FILTER, not in WHERE: PostgreSQL
    # then probes each proposal's versions by their index (5 ms for a call of
    # 2,000 proposals) instead of hashing every version of every call (23-36 ms
    # at 93,000 versions), a semi-join it cannot be talked out of in WHERE.
    proposals = (
        Proposal.objects.filter(
            status__in=ProposalStatus.in_review(), opportunity=OuterRef("pk")
        )
        .order_by()
        .values("opportunity")
        .annotate(count=Count("pk", filter=Exists(_frozen_versions())))
        .values("count")
    )
    bids = (
        Bid.objects.filter(
            reviewer_id=reviewer.pk,
            proposal__in=_biddable().filter(opportunity=OuterRef(OuterRef("pk"))),
        )
        .order_by()
        .values("reviewer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Opportunity.objects.filter(panel__bidding=PhaseStatus.OPEN)
        .select_related("mission")
        .annotate(
            proposal_count=Coalesce(
                Subquery(proposals, output_field=IntegerField()), 0
            ),
            bid_count=Coalesce(Subquery(bids, output_field=IntegerField()), 0),
        )
        .order_by("proposal_deadline", "pk")
    )


def call_open_for_bidding(*, reviewer, pk) -> Opportunity:
    """One call of `calls_open_for_bidding`; Http404 for any other."""
    try:
        return calls_open_for_bidding(reviewer=reviewer).get(pk=pk)
    except (Opportunity.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def _panel(opportunity) -> Panel | None:
    return Panel.objects.filter(opportunity=opportunity).first()


def bid_sheet(*, reviewer, opportunity) -> QuerySet[Proposal]:
    """The call's proposals for `reviewer` to bid on, by reference; nothing
    unless they may bid on the call now (reviews.permissions.can_bid).

    Each row is a Proposal holding only `pk`, `reference` and `stage`, with,
    from its frozen version: `frozen_title`, `frozen_abstract`,
    `frozen_keywords`; `preference`, the reviewer's bid ("" when none); and
    `anonymous` (the call is dual-anonymous). When it is not, also the
    version's `investigator` (a dict: name, institution, country_name…) and
    `team` (a list of such dicts), for declaring conflicts. Read nothing else
    of the row: the proposal's own fields are not loaded, may have changed
    since the version was frozen, and may name the team. Two queries before the
    rows (the panel, the Reviewers group); paginate it (one query per page).
    """
    if not can_bid(reviewer, _panel(opportunity)):
        return Proposal.objects.none()
    version = _frozen_versions()
    rows = (
        _biddable()
        .filter(opportunity=opportunity)
        .only("pk", "reference", "stage")
        .annotate(
            frozen_title=Subquery(
                version.annotate(text=KT("snapshot__summary__title")).values("text")[:1]
            ),
            frozen_abstract=Subquery(
                version.annotate(text=KT("snapshot__summary__abstract")).values("text")[
                    :1
                ]
            ),
            frozen_keywords=Subquery(
                version.annotate(text=KT("snapshot__summary__keywords")).values("text")[
                    :1
                ]
            ),
            preference=Coalesce(
                Subquery(
                    Bid.objects.filter(
                        proposal=OuterRef("pk"), reviewer_id=reviewer.pk
                    ).values("preference")[:1]
                ),
                Value(""),
            ),
            anonymous=Value(opportunity.dual_anonymous, output_field=BooleanField()),
        )
        .order_by("reference", "pk")
    )
    if opportunity.dual_anonymous:
        return rows
    return rows.annotate(
        investigator=Subquery(
            version.annotate(
                person=KeyTransform("principal_investigator", "snapshot")
            ).values("person")[:1]
        ),
        team=Subquery(
            version.annotate(people=KeyTransform("team", "snapshot")).values("people")[
                :1
            ]
        ),
    )


def bid_coverage(*, opportunity) -> QuerySet[Proposal]:
    """For the administrators: the call's proposals in review, by reference,
    with their investigator and how many reviewers bid each way: `eager`,
    `willing`, `not_willing`, `conflict`, and `bid_total`. One query; paginate
    it."""
    counts = {
        preference.value: Count("bids", filter=Q(bids__preference=preference))
        for preference in BidPreference
    }
    return (
        _biddable()
        .filter(opportunity=opportunity)
        .select_related("principal_investigator")
        .annotate(**counts, bid_total=Count("bids"))
        .order_by("reference", "pk")
    )
