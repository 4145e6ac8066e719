"""The panel's discussion: messages in a proposal's thread, how far each
participant has read, the primary reviewer and the consensus report, and the
hourly digest of new messages.

A thread (one proposal, one stage) is shared by the administrators and the
proposal's reviewers whose review is submitted (reviews.permissions
`can_read_discussion`); never by its proposers. Messages are written until the
call's discussion phase is closed or the decision released. The consensus
report, written by an administrator or the primary reviewer they designate,
reaches the team with the decision (reviews.services.release_decisions).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from notifications.services import Recipient
from proposals.enums import ProposalStage
from proposals.models import Proposal
from reviews import emails
from reviews.enums import AssignmentStatus, PhaseStatus, ReviewStatus
from reviews.models import (
    ConsensusReport,
    Decision,
    DiscussionPost,
    DiscussionReader,
    Panel,
    ReviewAssignment,
)
from reviews.permissions import (
    can_manage_panel,
    can_post_in_discussion,
    can_write_consensus,
    is_review_administrator,
)
from reviews.selectors.discussing import (
    author_role,
    counted_reviewers,
    discussion_access,
    numbers,
)

# A message longer than this is refused (about ten pages).
MAX_MESSAGE_LENGTH = 20_000
# The digest looks at messages of the last week only: an older unread message
# was announced already or belongs to a thread long quiet.
DIGEST_LOOKBACK = timedelta(days=7)


class DiscussionRefused(Refused):
    """A message, a consensus report or a primary reviewer refused."""


def _panel(proposal) -> Panel | None:
    return Panel.objects.filter(opportunity_id=proposal.opportunity_id).first()


def _is_released(proposal) -> bool:
    return Decision.objects.filter(
        proposal_id=proposal.pk, released_at__isnull=False
    ).exists()


def _closed() -> str:
    return _("The discussion of this call is closed.")


def _released_refusal() -> str:
    return _("The decision on this proposal has been released; its discussion is over.")


@transaction.atomic
def post_message(*, proposal, actor, body: str) -> DiscussionPost:
    """Write `body` in the thread of `proposal` at its current stage.

    An administrator, or a reviewer of the proposal at that stage whose review
    is submitted, until the call's discussion is closed or the decision
    released. PermissionDenied for anyone else (a conflicted, declined or
    cancelled reviewer included); DiscussionRefused for an empty message, a
    reviewer who has not submitted, a closed discussion. The author's own
    message counts as read; the others hear of it in the next hourly digest.
    """
    proposal = Proposal.objects.select_related("opportunity").get(pk=proposal.pk)
    stage = proposal.stage
    panel = _panel(proposal)
    assignment = None
    if not is_review_administrator(actor):
        assignment = (
            ReviewAssignment.objects.filter(
                reviewer_id=getattr(actor, "pk", None),
                proposal_id=proposal.pk,
                stage=stage,
                status=AssignmentStatus.ACCEPTED,
            )
            .select_related("review")
            .first()
        )
        if assignment is None:
            raise PermissionDenied(
                _("Only the proposal's reviewers and the administrators discuss it.")
            )
        review = getattr(assignment, "review", None)
        if review is None or review.status != ReviewStatus.SUBMITTED:
            raise DiscussionRefused(
                _("Submit your review to take part in the discussion.")
            )
    if _is_released(proposal):
        raise DiscussionRefused(_released_refusal())
    if panel is not None and panel.discussion == PhaseStatus.CLOSED:
        raise DiscussionRefused(_closed())
    if not can_post_in_discussion(actor, assignment, panel):
        raise PermissionDenied(
            _("Only the proposal's reviewers and the administrators discuss it.")
        )
    text = (body or "").strip()
    if not text:
        raise DiscussionRefused(_("Write a message."))
    if len(text) > MAX_MESSAGE_LENGTH:
        raise DiscussionRefused(
            _("A message is at most %(limit)s characters long.")
            % {"limit": MAX_MESSAGE_LENGTH}
        )
    post = DiscussionPost.objects.create(
        proposal=proposal, stage=stage, author=actor, body=text
    )
    _mark_seen(proposal_id=proposal.pk, stage=stage, user=actor, until=post.created_at)
    return post


def _mark_seen(*, proposal_id: int, stage: str, user, until: datetime) -> None:
    reader, created = DiscussionReader.objects.select_for_update().get_or_create(
        proposal_id=proposal_id,
        stage=stage,
        user=user,
        defaults={"seen_until": until},
    )
    if not created and (reader.seen_until is None or reader.seen_until < until):
        reader.seen_until = until
        reader.save(update_fields=["seen_until"])


@transaction.atomic
def mark_thread_read(*, proposal, stage: str, user, now=None) -> None:
    """`user` has read the thread up to its latest message (or now, when it
    has none). PermissionDenied for someone who may not read it."""
    try:
        discussion_access(user=user, proposal=proposal, stage=stage)
    except Http404 as error:
        raise PermissionDenied(
            _("Only the proposal's reviewers and the administrators discuss it.")
        ) from error
    latest = DiscussionPost.objects.filter(
        proposal_id=proposal.pk, stage=stage
    ).aggregate(latest=Max("created_at"))["latest"]
    _mark_seen(
        proposal_id=proposal.pk,
        stage=stage,
        user=user,
        until=latest or now or timezone.now(),
    )


# --- primary reviewer and consensus report -------------------------------------


def _lock_report(proposal) -> ConsensusReport:
    report, _created = ConsensusReport.objects.select_for_update().get_or_create(
        proposal_id=proposal.pk
    )
    return report


def _check_full_and_unreleased(proposal) -> None:
    if proposal.stage != ProposalStage.FULL:
        raise DiscussionRefused(
            _("A consensus report is written on a full proposal, not a letter.")
        )
    if _is_released(proposal):
        raise DiscussionRefused(
            _(
                "The decision on this proposal has been released; its consensus "
                "report is final."
            )
        )


def _reviews_it(reviewer, proposal) -> bool:
    return ReviewAssignment.objects.filter(
        reviewer=reviewer,
        proposal_id=proposal.pk,
        stage=ProposalStage.FULL,
        status=AssignmentStatus.ACCEPTED,
    ).exists()


@transaction.atomic
def designate_primary_reviewer(*, proposal, reviewer, actor) -> ConsensusReport:
    """An administrator asks one of the proposal's reviewers (an accepted
    assignment at the full stage) to write its consensus report; `reviewer`
    None gives it back to the administrators. Refused once the decision is
    released."""
    if not can_manage_panel(actor):
        raise PermissionDenied(_("Only administrators designate primary reviewers."))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check_full_and_unreleased(proposal)
    if reviewer is not None and not _reviews_it(reviewer, proposal):
        raise DiscussionRefused(
            _("%(name)s does not review this proposal.")
            % {"name": reviewer.get_full_name()}
        )
    report = _lock_report(proposal)
    report.primary_reviewer = reviewer
    report.save(update_fields=["primary_reviewer", "updated_at"])
    return report


@transaction.atomic
def write_consensus(*, proposal, body: str, actor) -> ConsensusReport:
    """Write (or rewrite) the consensus report of a full proposal: an
    administrator until the decision is released, or the designated primary
    reviewer while they still review it and the call's discussion is not
    closed. An empty body withdraws it. The team reads it with the decision."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    report = ConsensusReport.objects.filter(proposal_id=proposal.pk).first()
    panel = _panel(proposal)
    if not can_write_consensus(actor, report, panel):
        if (
            report is not None
            and getattr(actor, "pk", None) == report.primary_reviewer_id
        ):
            raise DiscussionRefused(_closed())
        raise PermissionDenied(
            _(
                "Only the administrators and the primary reviewer write the "
                "consensus report."
            )
        )
    _check_full_and_unreleased(proposal)
    if not is_review_administrator(actor) and not _reviews_it(actor, proposal):
        raise PermissionDenied(_("You no longer review this proposal."))
    report = _lock_report(proposal)
    report.body = (body or "").strip()
    report.updated_by = actor
    report.save(update_fields=["body", "updated_by", "updated_at"])
    return report


# --- the hourly digest ---------------------------------------------------------


def send_discussion_digests(*, now=None) -> int:
    """Email each participant the threads with messages by others they have
    neither read nor been emailed about (since the later of `seen_until` and
    `notified_until`), at most once per person and clock hour (the outbox key
    names the person and the hour). Participants: the reviewers whose review of
    the proposal at that stage counts (submitted, accepted), and the review
    administrators. Messages of the last DIGEST_LOOKBACK only. A thread
    emailed about moves its `notified_until` to `now`. Returns how many emails
    were queued. Beat runs it hourly (reviews.tasks)."""
    now = now or timezone.now()
    posts = list(
        DiscussionPost.objects.filter(
            created_at__gt=now - DIGEST_LOOKBACK, created_at__lte=now
        )
        .select_related("author")
        .order_by("created_at", "pk")
    )
    if not posts:
        return 0
    by_thread: dict[tuple[int, str], list[DiscussionPost]] = defaultdict(list)
    for post in posts:
        by_thread[(post.proposal_id, post.stage)].append(post)
    proposal_ids = {proposal_id for proposal_id, _stage in by_thread}
    proposals = {
        proposal.pk: proposal
        for proposal in Proposal.objects.filter(pk__in=proposal_ids).select_related(
            "opportunity"
        )
    }
    reviewers = counted_reviewers(by_thread)
    administrators = {
        recipient.user_id: recipient for recipient in emails.administrators()
    }
    readers = {
        (reader.proposal_id, reader.stage, reader.user_id): reader
        for reader in DiscussionReader.objects.filter(proposal_id__in=proposal_ids)
    }
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={user_id for thread in reviewers.values() for user_id in thread},
            is_active=True,
        )
    }
    pending: dict[int, list[dict]] = defaultdict(list)
    for pair, thread_posts in by_thread.items():
        participants = {
            user_id: ("reviewer", assignment)
            for user_id, assignment in reviewers.get(pair, {}).items()
            if user_id in users
        }
        for user_id in administrators:
            participants[user_id] = ("administrator", None)
        for user_id, (role, assignment) in participants.items():
            since = _read_or_emailed_until(readers.get((*pair, user_id)))
            new = [
                post
                for post in thread_posts
                if post.author_id != user_id
                and (since is None or post.created_at > since)
            ]
            if new:
                pending[user_id].append(
                    _thread_entry(
                        proposals[pair[0]],
                        stage=pair[1],
                        new=new,
                        reader_id=user_id,
                        administrator=role == "administrator",
                        numbers=numbers(reviewers.get(pair, {})),
                        assignment=assignment,
                    )
                )
    queued = 0
    for user_id, threads in pending.items():
        recipient = administrators.get(user_id) or Recipient.for_user(users[user_id])
        if emails.discussion_digest(recipient=recipient, threads=threads, now=now):
            queued += 1
            _mark_notified(user_id=user_id, threads=threads, now=now)
    return queued


def _read_or_emailed_until(reader: DiscussionReader | None) -> datetime | None:
    """The later of when the participant last read the thread and when they
    were last emailed about it; None when neither."""
    if reader is None:
        return None
    moments = [m for m in (reader.seen_until, reader.notified_until) if m]
    return max(moments, default=None)


def _thread_entry(
    proposal, *, stage, new, reader_id, administrator, numbers, assignment
) -> dict:
    """One thread of a digest, JSON-safe: the authors as roles, worded by the
    template in the recipient's language."""
    authors: list[dict] = []
    for post in new:
        kind, value = author_role(
            post.author,
            reader_id=reader_id,
            reader_is_administrator=administrator,
            numbers=numbers,
        )
        author = {"kind": kind, "value": value}
        if author not in authors:
            authors.append(author)
    opportunity = proposal.opportunity
    return {
        "proposal_id": proposal.pk,
        "stage": stage,
        "reference": proposal.reference,
        "title": proposal.title,
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "count": len(new),
        "authors": authors,
        "path": emails.discussion_path(
            proposal=proposal, assignment=None if administrator else assignment
        ),
    }


def _mark_notified(*, user_id: int, threads: list[dict], now) -> None:
    DiscussionReader.objects.bulk_create(
        [
            DiscussionReader(
                proposal_id=thread["proposal_id"],
                stage=thread["stage"],
                user_id=user_id,
                notified_until=now,
            )
            for thread in threads
        ],
        update_conflicts=True,
        unique_fields=["proposal", "stage", "user"],
        update_fields=["notified_until"],
    )
