"""Reads for reviewers: their assignments, the frozen version they review
(anonymised in a dual-anonymous call), its documents, and the other reviews once
their own is submitted. Every function is scoped to who asks."""

import copy
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils.translation import gettext as _

from catalogue.models import EvaluationCriterion
from proposals.models import ProposalDocument, ProposalVersion
from reviews.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    EDITABLE_REVIEW_STATUSES,
    AssignmentStatus,
    ReviewStatus,
)
from reviews.models import (
    AssignmentEvent,
    ConsensusReport,
    Panel,
    Review,
    ReviewAssignment,
    ReviewEvent,
)
from reviews.permissions import (
    can_declare_conflict,
    can_read_proposal_as_reviewer,
    can_view_other_reviews,
    is_review_administrator,
)


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def assignments_for_reviewer(*, reviewer) -> QuerySet[ReviewAssignment]:
    """The reviewer's own assignments, open ones first, by due date."""
    if not _is_active(reviewer):
        return ReviewAssignment.objects.none()
    still_open = Case(
        When(status__in=ACTIVE_ASSIGNMENT_STATUSES, then=Value(0)), default=Value(1)
    )
    return (
        ReviewAssignment.objects.filter(reviewer=reviewer)
        .select_related("proposal__opportunity__mission", "review")
        .order_by(still_open, "due_at", "pk")
    )


def assignment_for_reviewer(*, reviewer, pk) -> ReviewAssignment:
    """One of the reviewer's own assignments; Http404 for anything else."""
    try:
        return assignments_for_reviewer(reviewer=reviewer).get(pk=pk)
    except (ReviewAssignment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def versions_for_reviewer(*, reviewer) -> QuerySet[ProposalVersion]:
    """The frozen versions of the reviewer's accepted assignments."""
    if not _is_active(reviewer):
        return ProposalVersion.objects.none()
    readable = ReviewAssignment.objects.filter(
        reviewer=reviewer, status=AssignmentStatus.ACCEPTED
    ).values("version_id")
    return ProposalVersion.objects.filter(pk__in=readable).select_related(
        "proposal__opportunity"
    )


def version_for_reviewer(*, reviewer, pk) -> ProposalVersion:
    try:
        return versions_for_reviewer(reviewer=reviewer).get(pk=pk)
    except (ProposalVersion.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def documents_for_reviewer(*, reviewer) -> QuerySet[ProposalDocument]:
    """The documents of those versions. Show them by `reviewer_documents`'s
    display names: the uploaded file name may name the team."""
    readable = versions_for_reviewer(reviewer=reviewer).values("pk")
    return ProposalDocument.objects.filter(
        pk__in=ProposalVersion.documents.through.objects.filter(
            proposalversion_id__in=readable
        ).values("proposaldocument_id")
    ).select_related("required_document")


@dataclass(frozen=True)
class ReviewerWork:
    """The reviewer's index: assignments to answer (invited) and reviews to
    write (accepted, the review a draft or reopened), soonest due first."""

    to_answer: list[ReviewAssignment]
    to_write: list[ReviewAssignment]


def _waiting(reviewer) -> QuerySet[ReviewAssignment]:
    """Assignments that still ask the reviewer for work."""
    return (
        ReviewAssignment.objects.filter(reviewer=reviewer)
        .filter(
            Q(status=AssignmentStatus.INVITED)
            | Q(
                status=AssignmentStatus.ACCEPTED,
                review__status__in=EDITABLE_REVIEW_STATUSES,
            )
        )
        .select_related("proposal__opportunity", "review")
        .order_by("due_at", "pk")
    )


def reviewer_work(*, reviewer) -> ReviewerWork:
    """Two queries whatever the number of assignments."""
    if not _is_active(reviewer):
        return ReviewerWork(to_answer=[], to_write=[])
    # Only what the index shows: a proposal's and a call's long texts (in
    # every language) made most of a busy reviewer's hundred rows.
    waiting = _waiting(reviewer).only(
        "due_at",
        "status",
        "proposal__reference",
        "proposal__title",
        "proposal__opportunity__title",
        "proposal__opportunity__title_en",
        "proposal__opportunity__title_zh_hans",
        "review__status",
    )
    return ReviewerWork(
        to_answer=list(waiting.filter(status=AssignmentStatus.INVITED)),
        to_write=list(waiting.filter(status=AssignmentStatus.ACCEPTED)),
    )


def next_assignment(*, reviewer, after: ReviewAssignment) -> ReviewAssignment | None:
    """The next assignment waiting for the reviewer (to answer or to write),
    soonest due first, other than `after`."""
    if not _is_active(reviewer):
        return None
    return _waiting(reviewer).exclude(pk=after.pk).first()


def panel_of(*, opportunity) -> Panel | None:
    """The call's panel, or None before an administrator made one (every phase
    then counts as not opened)."""
    return Panel.objects.filter(opportunity=opportunity).first()


def consensus_report_for(*, proposal) -> ConsensusReport | None:
    """The proposal's consensus report (with its primary reviewer), if any.
    Show its body to a reviewer only where reviews.permissions lets them read
    the discussion."""
    return ConsensusReport.objects.filter(proposal=proposal).first()


def document_display_name(number: int, required_document: str) -> str:
    """ "Document 2 — Technical annex.pdf": the call's name for it, never the
    uploaded file's name."""
    return _("Document %(number)s — %(name)s.pdf") % {
        "number": number,
        "name": required_document,
    }


@dataclass(frozen=True)
class ReviewerDocument:
    """A document as a reviewer sees it; `file` is stored under a random name."""

    pk: int
    number: int
    display_name: str
    page_count: int
    file: FieldFile


def _numbered_documents(version: ProposalVersion) -> list[ReviewerDocument]:
    """The version's documents in the snapshot's order, numbered from 1."""
    stored = {document.pk: document for document in version.documents.all()}
    found = []
    for entry in version.snapshot.get("documents", []):
        document = stored.get(entry.get("id"))
        if document is None:
            continue
        number = len(found) + 1
        found.append(
            ReviewerDocument(
                pk=document.pk,
                number=number,
                display_name=document_display_name(
                    number, entry.get("required_document", "")
                ),
                page_count=document.page_count,
                file=document.file,
            )
        )
    return found


def reviewer_documents(*, user, assignment) -> list[ReviewerDocument]:
    """The documents of an accepted assignment's version, for its reviewer or
    an administrator; Http404 otherwise."""
    if not (
        can_read_proposal_as_reviewer(user, assignment) or is_review_administrator(user)
    ):
        raise Http404
    return _numbered_documents(assignment.version)


def document_for_reviewer(*, reviewer, pk) -> ReviewerDocument:
    """One document for the download view, named for display; Http404 unless it
    belongs to a version of the reviewer's accepted assignment."""
    versions = versions_for_reviewer(reviewer=reviewer).filter(documents__pk=pk)
    version = versions.prefetch_related("documents").first()
    if version is None:
        raise Http404
    for document in _numbered_documents(version):
        if str(document.pk) == str(pk):
            return document
    raise Http404


# Snapshot keys that say who proposed: removed for reviewers of a
# dual-anonymous call. The funding statement names the team's funders.
IDENTITY_KEYS = ("principal_investigator", "team", "funding")


def anonymised_snapshot(snapshot: dict) -> dict:
    """A copy of a version's snapshot without the investigator, the team (names,
    institutions, countries, emails, accounts), the funding statement, and the
    documents' file names, hashes and upload times; documents get their display
    names."""
    cleaned = copy.deepcopy(snapshot)
    for key in IDENTITY_KEYS:
        cleaned.pop(key, None)
    cleaned["documents"] = [
        {
            "number": number,
            "required_document": entry.get("required_document", ""),
            "display_name": document_display_name(
                number, entry.get("required_document", "")
            ),
            "page_count": entry.get("page_count"),
        }
        for number, entry in enumerate(snapshot.get("documents", []), start=1)
    ]
    cleaned["anonymised"] = True
    return cleaned


@dataclass(frozen=True)
class ReviewerView:
    """What the review page shows: the frozen version, anonymised when the call
    is dual-anonymous and the reader is not an administrator."""

    assignment: ReviewAssignment
    version: ProposalVersion
    snapshot: dict
    documents: list[ReviewerDocument]
    criteria: list[EvaluationCriterion]
    anonymous: bool


def reviewer_view(*, user, assignment) -> ReviewerView:
    """For the assignment's reviewer once accepted, or an administrator."""
    administrator = is_review_administrator(user)
    if not (administrator or can_read_proposal_as_reviewer(user, assignment)):
        raise Http404
    version = (
        ProposalVersion.objects.prefetch_related("documents")
        .select_related("proposal__opportunity")
        .get(pk=assignment.version_id)
    )
    opportunity = version.proposal.opportunity
    anonymous = opportunity.dual_anonymous and not administrator
    return ReviewerView(
        assignment=assignment,
        version=version,
        snapshot=anonymised_snapshot(version.snapshot)
        if anonymous
        else version.snapshot,
        documents=_numbered_documents(version),
        criteria=list(opportunity.criteria.all()),
        anonymous=anonymous,
    )


@dataclass(frozen=True)
class DeclarationView:
    """What a reviewer reads before declaring a conflict: the summary, and the
    team when the call is not dual-anonymous."""

    reference: str
    title: str
    abstract: str
    keywords: str
    anonymous: bool
    team: tuple[tuple[str, str, str], ...]  # (name, institution, country name)


def declaration_view(*, user, assignment) -> DeclarationView:
    if not (can_declare_conflict(user, assignment) or is_review_administrator(user)):
        raise Http404
    snapshot = assignment.version.snapshot
    summary = snapshot.get("summary", {})
    anonymous = assignment.proposal.opportunity.dual_anonymous and not (
        is_review_administrator(user)
    )
    team = ()
    if not anonymous:
        pi = snapshot.get("principal_investigator", {})
        people = [pi, *snapshot.get("team", [])]
        team = tuple(
            (
                person.get("name", ""),
                person.get("institution", ""),
                person.get("country_name", ""),
            )
            for person in people
        )
    return DeclarationView(
        reference=snapshot.get("reference", ""),
        title=summary.get("title", ""),
        abstract=summary.get("abstract", ""),
        keywords=summary.get("keywords", ""),
        anonymous=anonymous,
        team=team,
    )


@dataclass(frozen=True)
class OtherReview:
    """Another reviewer's submitted review, labelled by number, not by name."""

    label: str
    scores: tuple[tuple[str, int], ...]  # (criterion, score)
    recommendation: str
    comments_for_proposer: str
    confidential_comments: str


def counted_reviews(proposal, stage: str) -> QuerySet[Review]:
    """The reviews that count: submitted, on an assignment still accepted."""
    return (
        Review.objects.filter(
            assignment__proposal=proposal,
            assignment__stage=stage,
            assignment__status=AssignmentStatus.ACCEPTED,
            status=ReviewStatus.SUBMITTED,
        )
        .select_related("assignment")
        .prefetch_related("scores__criterion")
        .order_by("assignment_id")
    )


def other_reviews_visible_to(
    *, reviewer, proposal, stage: str | None = None
) -> list[OtherReview]:
    """The other counted reviews of `proposal` at `stage` (its current one by
    default), once the reviewer's own is submitted; an empty list before, or for
    anyone else. Numbered in assignment order, the reviewer's own included, so
    "Reviewer 2" stays the same person on every page."""
    stage = stage or proposal.stage
    own = (
        ReviewAssignment.objects.filter(
            reviewer=reviewer,
            proposal=proposal,
            stage=stage,
            status=AssignmentStatus.ACCEPTED,
        )
        .select_related("review")
        .first()
    )
    if own is None or not can_view_other_reviews(reviewer, own):
        return []
    reviews = counted_reviews(proposal, stage)
    others = []
    for number, review in enumerate(reviews, start=1):
        if review.assignment_id == own.pk:
            continue
        others.append(
            OtherReview(
                label=_("Reviewer %(number)s") % {"number": number},
                scores=tuple(
                    (score.criterion.name, score.score) for score in review.scores.all()
                ),
                recommendation=review.recommendation,
                comments_for_proposer=review.comments_for_proposer,
                confidential_comments=review.confidential_comments,
            )
        )
    return others


def review_history(*, review) -> QuerySet[ReviewEvent]:
    return review.events.select_related("actor").order_by("at", "pk")


def assignment_history(*, assignment) -> QuerySet[AssignmentEvent]:
    return assignment.events.select_related("actor").order_by("at", "pk")
