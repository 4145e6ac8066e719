"""Reads of proposals, scoped to who asks: the wrong person gets a 404.

The querysets select and prefetch what a page shows, the completeness checklist
and the permission predicates included, so a dashboard costs the same number of
queries for one proposal as for fifty.
"""

import hashlib

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from proposals.enums import ProposalStage, ProposalStatus
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    TeamMember,
)
from proposals.permissions import (
    can_view_document,
    can_view_proposal,
    can_view_version,
)


def with_relations(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Everything the checklist, the permissions and a proposal page read."""
    return queryset.select_related(
        "opportunity__mission",
        "principal_investigator",
        "carrier__opportunity__mission",
    ).prefetch_related(
        Prefetch("team_members", queryset=TeamMember.objects.select_related("user")),
        Prefetch(
            "documents",
            queryset=ProposalDocument.objects.select_related("required_document"),
        ),
        "statement_acceptances",
        "opportunity__required_documents",
        "opportunity__statements",
    )


def proposals_for_user(*, user) -> QuerySet[Proposal]:
    """The proposals a researcher leads or is on the team of, newest first."""
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    team = TeamMember.objects.filter(user=user).values("proposal_id")
    return with_relations(
        Proposal.objects.filter(Q(principal_investigator=user) | Q(pk__in=team))
    ).order_by("-updated_at", "pk")


def proposal_for_user(*, user, pk: int) -> Proposal:
    """One proposal for its PI, its team or an administrator; Http404 otherwise."""
    try:
        proposal = with_relations(Proposal.objects.all()).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if not can_view_proposal(user, proposal):
        raise Http404
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
        proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
    ).select_related("proposal__opportunity", "proposal__principal_investigator")


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
    team = TeamMember.objects.filter(user=user).values("proposal_id")
    return (
        Proposal.objects.filter(opportunity=opportunity)
        .filter(Q(principal_investigator=user) | Q(pk__in=team))
        .exclude(status=ProposalStatus.WITHDRAWN)
        .order_by("-updated_at", "pk")
        .first()
    )
