"""Reads of proposals, scoped to who asks: the wrong person gets a 404.

The querysets select and prefetch what a page shows, the completeness checklist
and the permission predicates included, so a dashboard costs the same number of
queries for one proposal as for fifty.
"""

import hashlib

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from modeltranslation.utils import get_translation_fields

from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    SectionVersion,
    TeamMember,
)
from proposals.permissions import (
    can_view_document,
    can_view_proposal,
    can_view_version,
)


def _team() -> Prefetch:
    return Prefetch("team_members", queryset=TeamMember.objects.select_related("user"))


def _sections() -> Prefetch:
    return Prefetch(
        "section_versions", queryset=SectionVersion.objects.select_related("saved_by")
    )


def _beyond_team() -> tuple:
    """What with_relations prefetches besides the team."""
    return (
        Prefetch(
            "documents",
            queryset=ProposalDocument.objects.select_related("required_document"),
        ),
        "statement_acceptances",
        "opportunity__required_documents",
        "opportunity__statements",
    )


def with_relations(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Everything the checklist, the permissions and a proposal page read."""
    return queryset.select_related(
        "opportunity__mission",
        "principal_investigator",
        "carrier__opportunity__mission",
    ).prefetch_related(_team(), *_beyond_team())


def _ids_for_user(user) -> QuerySet:
    """The ids of the proposals `user` leads or is on the team of: a UNION of
    two index look-ups (proposals by principal investigator, team places by
    account). `principal_investigator = user OR pk IN (team)` cannot use either
    index, so PostgreSQL read every proposal: at 100,000 proposals the
    dashboard waited about 1 s on it (EXPLAIN ANALYZE in docs/decisions.md)."""
    led = Proposal.objects.filter(principal_investigator=user).values("pk")
    team = TeamMember.objects.filter(user=user).values("proposal_id")
    return led.order_by().union(team.order_by())


def proposals_for_user(*, user) -> QuerySet[Proposal]:
    """The proposals a researcher leads or is on the team of, newest first."""
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    return with_relations(Proposal.objects.filter(pk__in=_ids_for_user(user))).order_by(
        "-updated_at", "pk"
    )


# What a dashboard row shows and what its permission predicates read (who leads
# it, its stage's deadline, whether its call is open): a dozen columns instead of
# a hundred. Django's cost of compiling a query and building its rows grows with
# the columns; the dashboard is the page researchers open most.
_DASHBOARD_COLUMNS = (
    "title",
    "reference",
    "status",
    "stage",
    "updated_at",
    "principal_investigator_id",
    # The name an invitation to confirm shows (invitations_among).
    "principal_investigator__full_name",
    "principal_investigator__email",
    "opportunity__slug",
    *(f"opportunity__{name}" for name in get_translation_fields("title")),
    "opportunity__title",
    "opportunity__status",
    "opportunity__opens_at",
    "opportunity__loi_deadline",
    "opportunity__proposal_deadline",
)
# A team place as role_of, the permission predicates and an invitation to
# confirm read it.
_DASHBOARD_TEAM_COLUMNS = (
    "proposal_id",
    "user_id",
    "role",
    "confirmed_at",
    "institution",
)
# The proposals whose team places still wait for confirmation.
PENDING_INVITATION_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)


def proposals_for_dashboard(*, user) -> list[Proposal]:
    """proposals_for_user's rows, most recently changed first, with only what
    the dashboard shows: each proposal with its call's title, deadlines and
    status, its principal investigator's name, and its team places (as the
    permission predicates and `invitations_among` read them). The drafts'
    completion figures need them read whole: drafts_for_checklist."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    team = TeamMember.objects.only(*_DASHBOARD_TEAM_COLUMNS).order_by("pk")
    return list(
        Proposal.objects.filter(pk__in=_ids_for_user(user))
        .select_related("opportunity", "principal_investigator")
        .only(*_DASHBOARD_COLUMNS)
        .prefetch_related(Prefetch("team_members", queryset=team))
        .order_by("-updated_at", "pk")
    )


def drafts_for_checklist(ids) -> list[Proposal]:
    """Drafts read whole, with everything their checklist reads (the
    dashboard computes their completion figures from them)."""
    drafts = list(_narrow(with_relations(Proposal.objects.filter(pk__in=ids))))
    for draft in drafts:
        share_call(draft)
    return drafts


def _narrow(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """with_relations' joins less the carrier's own copy of the call and its
    mission (`share_call` fills it in after the read)."""
    return queryset.select_related(None).select_related(
        "opportunity__mission", "principal_investigator", "carrier"
    )


def narrow(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """with_relations(queryset) as a proposal's own page or a write to it reads
    it: call `share_call` on each proposal read."""
    return _narrow(with_relations(queryset))


def share_call(proposal: Proposal) -> None:
    """A carrier belongs to the call it is chosen in: give it the proposal's
    call (and mission) already read rather than a second join of both. A
    carrier the read did not bring is left to load when something reads it."""
    if not Proposal.carrier.is_cached(proposal):
        return
    carrier = proposal.carrier
    if carrier is not None and carrier.opportunity_id == proposal.opportunity_id:
        carrier.opportunity = proposal.opportunity


# What the permission predicates (and the editor's page title) read of a
# proposal and its call, and of its team places: a read that only authorises
# costs a third of one that brings every column.
_AUTHORISING_COLUMNS = (
    "title",
    "status",
    "stage",
    "principal_investigator_id",
    "opportunity__status",
    "opportunity__opens_at",
    "opportunity__loi_deadline",
    "opportunity__proposal_deadline",
)
_AUTHORISING_TEAM_COLUMNS = ("proposal_id", "user_id", "role", "confirmed_at")


def proposal_for_user(
    *, user, pk: int, sections: bool = False, bare: bool = False
) -> Proposal:
    """One proposal for its PI, its team or an administrator; Http404 otherwise.

    `sections`: with its sections' versions too, for the editor, whose five
    section forms each read them (proposals.services.section_numbers): one
    query for all five. `bare`: only what the permission predicates read of
    the proposal, its call and its team places (and the page's title), for an
    editor's visit that finds its cards kept and for a section's save, which
    renders from the proposal the service locks; anything else loads when
    something reads it.
    The team places are read only for someone other than the principal
    investigator, whose rights the predicates decide from the proposal."""
    if bare:
        queryset = Proposal.objects.select_related("opportunity").only(
            *_AUTHORISING_COLUMNS
        )
    else:
        queryset = _narrow(with_relations(Proposal.objects.all()))
    if sections:
        queryset = queryset.prefetch_related(_sections())
    try:
        proposal = queryset.get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if bare and proposal.principal_investigator_id != user.pk:
        team = TeamMember.objects.only(*_AUTHORISING_TEAM_COLUMNS)
        prefetch_related_objects([proposal], Prefetch("team_members", queryset=team))
    if not can_view_proposal(user, proposal):
        raise Http404
    share_call(proposal)
    return proposal


def version_for_user(*, user, proposal_pk: int, number: int) -> ProposalVersion:
    try:
        version = (
            ProposalVersion.objects.select_related(
                "proposal__opportunity__mission", "submitted_by"
            )
            .prefetch_related("proposal__team_members")
            .get(proposal_id=proposal_pk, number=number)
        )
    except (ProposalVersion.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if not can_view_version(user, version):
        raise Http404
    return version


def document_for_user(*, user, pk: int) -> ProposalDocument:
    """A document for the download view, which checks nothing else."""
    try:
        document = (
            ProposalDocument.objects.select_related(
                "proposal__opportunity", "required_document"
            )
            .prefetch_related("proposal__team_members")
            .get(pk=pk)
        )
    except (ProposalDocument.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if not can_view_document(user, document):
        raise Http404
    return document


def versions_of(*, proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("submitted_by").order_by("number")


def status_history(*, proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("at", "pk")


def version_for_review(proposal: Proposal, *, stage: str | None = None):
    """The latest version of `stage` (the proposal's own by default) submitted
    before that stage's deadline: what the reviewers read. None if there is none."""
    stage = stage or proposal.stage
    opportunity = proposal.opportunity
    deadline = (
        opportunity.loi_deadline
        if stage == ProposalStage.LETTER_OF_INTENT
        else opportunity.proposal_deadline
    )
    if deadline is None:
        return None
    return (
        proposal.versions.filter(stage=stage, submitted_at__lt=deadline)
        .order_by("-number")
        .first()
    )


def pending_invitations_for_user(*, user) -> QuerySet[TeamMember]:
    """Team places linked to the user's account and not yet confirmed."""
    if not (user and user.is_authenticated):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(
        user=user,
        confirmed_at__isnull=True,
        proposal__status__in=PENDING_INVITATION_STATUSES,
    ).select_related("proposal__opportunity", "proposal__principal_investigator")


def invitations_among(proposals: list[Proposal], *, user) -> list[TeamMember]:
    """pending_invitations_for_user, taken from proposals_for_dashboard's rows
    rather than read again: every proposal a place links to `user` on is among
    them, with its team places, call and principal investigator."""
    places = [
        member
        for proposal in proposals
        if proposal.status in PENDING_INVITATION_STATUSES
        for member in proposal.team_members.all()
        if member.user_id == user.pk and member.confirmed_at is None
    ]
    return sorted(places, key=lambda member: member.pk)


def team_member_for_token(*, token: str) -> TeamMember | None:
    """The invitation an emailed confirmation link names, or None: its page shows
    what is being confirmed before anyone confirms. Tokens are stored hashed, as
    proposals.services.team.hash_token does."""
    if not token:
        return None
    return (
        TeamMember.objects.select_related(
            "proposal__opportunity", "proposal__principal_investigator"
        )
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )


def proposal_in_opportunity_for_user(*, user, opportunity) -> Proposal | None:
    """The proposal, withdrawn ones aside, that a user leads or is on the team of
    in a call (the most recently changed), or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    return (
        Proposal.objects.filter(opportunity=opportunity, pk__in=_ids_for_user(user))
        .exclude(status=ProposalStatus.WITHDRAWN)
        .order_by("-updated_at", "pk")
        .first()
    )
