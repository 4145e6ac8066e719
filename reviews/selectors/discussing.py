"""Reads of the panel's discussion: a proposal's thread, the threads waiting for
a reviewer, a call's threads for the administrators, and a review's revisions.

Who wrote a message, as each reader sees it (`author_role`, one rule for the
pages and the digest email):
- the reader's own messages: "You";
- to a reviewer, another reviewer is "Reviewer N", with the N of
  `other_reviews_visible_to` (the counted reviews in assignment order, the
  reader's own included), in every call, so no name reaches a reviewer;
  an administrator is "CNSA administrators"; someone whose review no longer
  counts is "A former reviewer";
- administrators see names (with the reviewer's number, when they have one).

Threads are never shown to proposers: every read here asks for a reviewer's
own submitted review or an administrator.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from catalogue.models import EvaluationCriterion
from proposals.enums import ProposalStage
from proposals.models import Proposal
from reviews.enums import AssignmentStatus, PhaseStatus, ReviewStatus
from reviews.models import (
    Decision,
    DiscussionPost,
    DiscussionReader,
    Panel,
    Review,
    ReviewAssignment,
    ReviewRevision,
)
from reviews.permissions import (
    can_post_in_discussion,
    can_read_discussion,
    is_review_administrator,
    is_reviewer,
)

# Before any message: what "never read" compares with.
THE_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)

# The kinds of author `author_role` returns.
YOU = "you"
REVIEWER = "reviewer"
ADMINISTRATORS = "administrators"
FORMER_REVIEWER = "former"
NAME = "name"


def counted_reviewers(
    pairs,
) -> dict[tuple[int, str], dict[int, ReviewAssignment]]:
    """{(proposal id, stage): {reviewer id: assignment}} for each thread, in
    numbering order, one query: the reviews that count (submitted, on an
    accepted assignment) in assignment order, as `counted_reviews` and
    `other_reviews_visible_to` number them, so "Reviewer 2" is the same person
    here and beside the scores. `numbers()` turns one thread's into N."""
    pairs = set(pairs)
    counted = (
        Review.objects.filter(
            assignment__proposal_id__in={proposal_id for proposal_id, _s in pairs},
            assignment__status=AssignmentStatus.ACCEPTED,
            status=ReviewStatus.SUBMITTED,
        )
        .select_related("assignment")
        .order_by("assignment_id")
    )
    found: dict[tuple[int, str], dict[int, ReviewAssignment]] = {
        pair: {} for pair in pairs
    }
    for review in counted:
        assignment = review.assignment
        thread = found.get((assignment.proposal_id, assignment.stage))
        if thread is not None:
            thread.setdefault(assignment.reviewer_id, assignment)
    return found


def numbers(reviewers: dict[int, ReviewAssignment]) -> dict[int, int]:
    """{reviewer id: N} of one thread's `counted_reviewers`."""
    return {reviewer_id: n for n, reviewer_id in enumerate(reviewers, start=1)}


def author_role(
    author, *, reader_id: int, reader_is_administrator: bool, numbers: dict[int, int]
) -> tuple[str, str | int]:
    """(kind, value) of who wrote a message, for one reader: (YOU, ""),
    (REVIEWER, N), (ADMINISTRATORS, ""), (FORMER_REVIEWER, "") or (NAME, name).
    Reviewers are not staff: a staff author without a number is an
    administrator."""
    if author.pk == reader_id:
        return YOU, ""
    number = numbers.get(author.pk)
    if reader_is_administrator:
        return NAME, author.get_full_name() or author.email
    if number is not None:
        return REVIEWER, number
    if author.is_staff:
        return ADMINISTRATORS, ""
    return FORMER_REVIEWER, ""


def role_label(kind: str, value: str | int = "", *, number: int | None = None) -> str:
    """The words for `author_role`'s answer, in the active language."""
    if kind == YOU:
        return _("You")
    if kind == REVIEWER:
        return _("Reviewer %(number)s") % {"number": value}
    if kind == ADMINISTRATORS:
        return _("CNSA administrators")
    if kind == FORMER_REVIEWER:
        return _("A former reviewer")
    if number is not None:
        return _("%(name)s (Reviewer %(number)s)") % {"name": value, "number": number}
    return str(value)


@dataclass(frozen=True)
class ThreadPost:
    pk: int
    author_label: str
    body: str
    created_at: datetime
    is_own: bool
    is_new: bool


@dataclass(frozen=True)
class Thread:
    """A proposal's discussion at one stage, as its reader sees it.

    `first_new_pk` marks where the unread messages start (None: all read);
    `can_post` says whether the reader may write now (not once the call's
    discussion is closed or the decision released)."""

    proposal: Proposal
    stage: str
    assignment: ReviewAssignment | None
    posts: tuple[ThreadPost, ...]
    can_post: bool
    unread_count: int
    first_new_pk: int | None
    seen_until: datetime | None
    discussion_status: str


def discussion_access(*, user, proposal, stage: str):
    """(assignment, panel, administrator) when `user` may read the thread of
    `proposal` at `stage`; Http404 otherwise. Two queries."""
    administrator = is_review_administrator(user)
    assignment = None
    if not administrator:
        assignment = (
            ReviewAssignment.objects.filter(
                reviewer_id=getattr(user, "pk", None),
                proposal_id=proposal.pk,
                stage=stage,
                status=AssignmentStatus.ACCEPTED,
            )
            .select_related("review")
            .first()
        )
        if assignment is None or not can_read_discussion(user, assignment):
            raise Http404
    panel = Panel.objects.filter(opportunity_id=proposal.opportunity_id).first()
    return assignment, panel, administrator


def thread(*, user, proposal, stage: str | None = None) -> Thread:
    """The thread for an administrator, or a reviewer of the proposal at that
    stage whose review is submitted (Http404 for anyone else). Six queries
    whatever the number of messages."""
    stage = stage or proposal.stage
    assignment, panel, administrator = discussion_access(
        user=user, proposal=proposal, stage=stage
    )
    posts = list(
        DiscussionPost.objects.filter(proposal_id=proposal.pk, stage=stage)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    numbered = numbers(counted_reviewers([(proposal.pk, stage)])[(proposal.pk, stage)])
    seen_until = (
        DiscussionReader.objects.filter(proposal_id=proposal.pk, stage=stage, user=user)
        .values_list("seen_until", flat=True)
        .first()
    )
    released = Decision.objects.filter(
        proposal_id=proposal.pk, released_at__isnull=False
    ).exists()
    shown, unread, first_new = [], 0, None
    for post in posts:
        own = post.author_id == user.pk
        new = not own and (seen_until is None or post.created_at > seen_until)
        if new:
            unread += 1
            first_new = first_new or post.pk
        kind, value = author_role(
            post.author,
            reader_id=user.pk,
            reader_is_administrator=administrator,
            numbers=numbered,
        )
        shown.append(
            ThreadPost(
                pk=post.pk,
                author_label=role_label(
                    kind, value, number=numbered.get(post.author_id)
                ),
                body=post.body,
                created_at=post.created_at,
                is_own=own,
                is_new=new,
            )
        )
    return Thread(
        proposal=proposal,
        stage=stage,
        assignment=assignment,
        posts=tuple(shown),
        can_post=not released and can_post_in_discussion(user, assignment, panel),
        unread_count=unread,
        first_new_pk=first_new,
        seen_until=seen_until,
        discussion_status=panel.discussion if panel else PhaseStatus.NOT_OPENED,
    )


def _seen_until(reader) -> Coalesce:
    """When `reader` last read the outer assignment's thread (the beginning of
    time when never)."""
    return Coalesce(
        Subquery(
            DiscussionReader.objects.filter(
                proposal_id=OuterRef("proposal_id"),
                stage=OuterRef("stage"),
                user=reader,
            ).values("seen_until")[:1]
        ),
        Value(THE_BEGINNING),
        output_field=DateTimeField(),
    )


def discussions_waiting(*, reviewer) -> QuerySet[ReviewAssignment]:
    """The reviewer's threads with messages by others they have not read: their
    accepted assignments with a submitted review, annotated with
    `unread_messages` and `last_message_at`, latest first. One query."""
    if not is_reviewer(reviewer):
        return ReviewAssignment.objects.none()
    others = DiscussionPost.objects.filter(
        proposal_id=OuterRef("proposal_id"), stage=OuterRef("stage")
    ).exclude(author_id=reviewer.pk)
    unread = (
        others.filter(created_at__gt=OuterRef("seen_until"))
        .order_by()
        .values("proposal_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    last = others.order_by("-created_at").values("created_at")[:1]
    return (
        ReviewAssignment.objects.filter(
            reviewer=reviewer,
            status=AssignmentStatus.ACCEPTED,
            review__status=ReviewStatus.SUBMITTED,
        )
        .annotate(seen_until=_seen_until(reviewer))
        .annotate(
            unread_messages=Coalesce(
                Subquery(unread, output_field=IntegerField()), Value(0)
            ),
            last_message_at=Subquery(last),
        )
        .filter(unread_messages__gt=0)
        .select_related("proposal__opportunity")
        .order_by("-last_message_at", "pk")
    )


def threads_for_call(*, opportunity, stage: str = ProposalStage.FULL) -> QuerySet:
    """For the administrators: the call's proposals reviewed at `stage` (any
    assignment) or discussed, by reference, annotated with `message_count`,
    `last_message_at` and `reviews_in`, with the consensus report and its
    primary reviewer. One query; paginate it."""
    posts = DiscussionPost.objects.filter(proposal_id=OuterRef("pk"), stage=stage)
    count = (
        posts.order_by()
        .values("proposal_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    last = posts.order_by().values("proposal_id").annotate(last=Max("created_at"))
    reviews_in = (
        Review.objects.filter(
            assignment__proposal_id=OuterRef("pk"),
            assignment__stage=stage,
            assignment__status=AssignmentStatus.ACCEPTED,
            status=ReviewStatus.SUBMITTED,
        )
        .order_by()
        .values("assignment__proposal_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reviewed = ReviewAssignment.objects.filter(proposal_id=OuterRef("pk"), stage=stage)
    return (
        Proposal.objects.filter(opportunity=opportunity)
        .filter(Q(Exists(reviewed)) | Q(Exists(posts)))
        .annotate(
            message_count=Coalesce(
                Subquery(count, output_field=IntegerField()), Value(0)
            ),
            last_message_at=Subquery(last.values("last")),
            reviews_in=Coalesce(
                Subquery(reviews_in, output_field=IntegerField()), Value(0)
            ),
        )
        .select_related("consensus_report__primary_reviewer")
        .order_by("reference", "pk")
    )


@dataclass(frozen=True)
class RevisionView:
    """What a submitted review said before one revision, scores named."""

    number: int
    scores: tuple[tuple[str, int], ...]  # (criterion, score), in the call's order
    comments_for_proposer: str
    confidential_comments: str
    recommendation: str
    recommendation_label: str
    submitted_at: datetime
    revised_at: datetime
    reason: str


def review_revisions(*, review) -> list[RevisionView]:
    """The review's earlier contents, oldest first (two queries). Show them to
    whoever may read the review itself."""
    revisions = list(ReviewRevision.objects.filter(review=review).order_by("number"))
    if not revisions:
        return []
    criteria = list(
        EvaluationCriterion.objects.filter(
            opportunity__proposals__review_assignments__pk=review.assignment_id
        ).order_by("order", "pk")
    )
    found = []
    for revision in revisions:
        stored = {str(key): value for key, value in revision.scores.items()}
        found.append(
            RevisionView(
                number=revision.number,
                scores=tuple(
                    (criterion.name, stored[str(criterion.pk)])
                    for criterion in criteria
                    if str(criterion.pk) in stored
                ),
                comments_for_proposer=revision.comments_for_proposer,
                confidential_comments=revision.confidential_comments,
                recommendation=revision.recommendation,
                recommendation_label=revision.get_recommendation_display(),
                submitted_at=revision.submitted_at,
                revised_at=revision.revised_at,
                reason=revision.reason,
            )
        )
    return found
