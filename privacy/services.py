"""Writes on personal data: recording an export, deleting an account, and the
retention rules of docs/operations.md ("Personal data and retention").

The policy, in short (the documentation says why):

- An account is never removed as a row: proposals, versions, questions and
  reviews point at it as the agency's record. It is anonymised instead — name
  "Former user #<id>", address former-user-<id>@deleted.invalid, no
  institution, country or ORCID iD, an unusable password, inactive — and
  everything that is only the person's is removed: email addresses,
  two-factor authenticators, API token, sessions, mission subscriptions,
  reviewer profile, groups.
- Proposals never submitted (drafts, and withdrawn drafts) that the person
  leads are deleted with their documents' files; a draft that already has a
  frozen version (a shortlisted letter of intent) is withdrawn instead and
  kept. On other people's drafts the person leaves the team.
- What was submitted stays: the proposal, its frozen versions, status history
  and team. Wherever those name the person, they read "Former user #<id>":
  the account itself, their team places, their entry in every frozen
  snapshot (name, address, ORCID iD; institution and country stay, the
  panel's conflict checks need them), the emails the outbox sent them
  (address, subject, text and context replaced; the row stays as the record
  that an email of that kind was sent) and the recipients of administrators'
  messages.
- Refused while the person is staff, has review assignments still open, leads
  a proposal in review, or leads a payload still on board.
"""

import datetime
import logging
from dataclasses import dataclass
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, JSONField, OuterRef, Q, TextField
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from accounts.models import User
from catalogue.models import MissionSubscription
from config.refusals import Refused
from messaging.models import MessageRecipient
from notifications.models import EmailStatus, FlaggedAddress, OutboundEmail
from payloads.enums import PayloadStatus
from payloads.models import Payload
from privacy import emails
from privacy.models import PrivacyEvent, PrivacyEventKind
from proposals.enums import ProposalStatus
from proposals.models import Proposal, ProposalDocument, ProposalVersion, TeamMember
from proposals.services.submission import withdraw_proposal
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES
from reviews.models import DiscussionReader, ReviewAssignment, ReviewerProfile

logger = logging.getLogger(__name__)

# Never submitted: no frozen version, and a draft or a withdrawn draft.
NEVER_SUBMITTED_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)
# Session engines whose sessions live in the database table we can scan.
DATABASE_SESSION_ENGINES = frozenset(
    {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }
)
RETENTION_BATCH = 200


class DeletionRefused(Refused):
    """The account cannot be deleted now; each message says why and what to do."""


def former_name(user: User) -> str:
    """What the portal shows for a deleted account, in every language."""
    return f"Former user #{user.pk}"


def former_email(user: User) -> str:
    """An address that is unique, and that no mail server will accept
    (.invalid is reserved, RFC 2606)."""
    return f"former-user-{user.pk}@deleted.invalid"


# --- export -------------------------------------------------------------------


def record_export(*, user: User, actor: User, now=None) -> PrivacyEvent:
    """Note that `actor` downloaded `user`'s data (their own only)."""
    if actor.pk != user.pk:
        raise PermissionDenied
    return PrivacyEvent.objects.create(
        kind=PrivacyEventKind.EXPORTED,
        user=user,
        actor=actor,
        at=now or timezone.now(),
    )


# --- deletion -----------------------------------------------------------------


def never_submitted(queryset):
    """Proposals with no frozen version, still drafts or withdrawn as drafts."""
    return queryset.filter(status__in=NEVER_SUBMITTED_STATUSES).exclude(
        Exists(ProposalVersion.objects.filter(proposal=OuterRef("pk")))
    )


def deletion_problems(user: User) -> list[str]:
    """Why the account cannot be deleted now; empty when it can."""
    problems = []
    if user.is_staff or user.is_superuser:
        problems.append(
            _(
                "Staff accounts are not deleted from here: ask another "
                "administrator to remove your access and your account."
            )
        )
    open_assignments = ReviewAssignment.objects.filter(
        reviewer=user, status__in=ACTIVE_ASSIGNMENT_STATUSES
    ).count()
    if open_assignments:
        problems.append(
            ngettext(
                "You have %(count)s review assignment still open. Answer or "
                "finish it, or ask the call's administrators to cancel it, then "
                "delete your account.",
                "You have %(count)s review assignments still open. Answer or "
                "finish them, or ask the call's administrators to cancel them, "
                "then delete your account.",
                open_assignments,
            )
            % {"count": open_assignments}
        )
    in_review = Proposal.objects.filter(
        principal_investigator=user, status__in=ProposalStatus.in_review()
    ).count()
    if in_review:
        problems.append(
            ngettext(
                "You lead %(count)s proposal in review. Withdraw it or wait for "
                "the decision, then delete your account.",
                "You lead %(count)s proposals in review. Withdraw them or wait "
                "for the decision, then delete your account.",
                in_review,
            )
            % {"count": in_review}
        )
    on_board = Payload.objects.filter(
        proposal__principal_investigator=user, status__in=PayloadStatus.active()
    ).count()
    if on_board:
        problems.append(
            ngettext(
                "You lead %(count)s selected payload still on board. Write to "
                "the call's contacts to hand it over first.",
                "You lead %(count)s selected payloads still on board. Write to "
                "the call's contacts to hand them over first.",
                on_board,
            )
            % {"count": on_board}
        )
    return problems


@dataclass
class Deletion:
    """What a deletion did, by count; `already` when it had been done before."""

    user: User
    event: PrivacyEvent
    already: bool = False


def _addresses(user: User) -> set[str]:
    """The addresses that identify the person, lower-cased: the account's own
    (sign-up verifies it, ACCOUNT_EMAIL_VERIFICATION is mandatory) and the
    verified ones. An unverified address may be anyone's: matching it would
    rename or delete someone else's team place, emails and messages."""
    return {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(
            user=user, verified=True
        ).values_list("email", flat=True)
    }


def _address_query(field: str, addresses: set[str]) -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field}__iexact": address})
    return query


def _delete_proposals(proposals) -> tuple[int, list[str]]:
    """Delete proposals (their team, documents, history cascade); the files'
    names, for removal from the storage once the transaction commits."""
    proposals = list(proposals)
    files = list(
        ProposalDocument.objects.filter(proposal__in=proposals)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    for proposal in proposals:
        proposal.delete()
    return len(proposals), files


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not remove the stored file %s.", name)


def _anonymise_snapshot(snapshot: dict, *, user: User, addresses: set[str]) -> dict:
    def matches(entry: dict) -> bool:
        return entry.get("user_id") == user.pk or (
            (entry.get("email") or "").lower() in addresses
        )

    changed = dict(snapshot)
    pi = snapshot.get("principal_investigator") or {}
    if matches(pi):
        changed["principal_investigator"] = {
            **pi,
            "name": former_name(user),
            "email": former_email(user),
            "orcid": "",
        }
    changed["team"] = [
        {**member, "name": former_name(user), "email": former_email(user)}
        if matches(member)
        else member
        for member in snapshot.get("team", [])
    ]
    return changed


def _versions_naming(user: User, addresses: set[str], proposal_ids):
    """The frozen versions that may name the person: of the proposals they
    lead or are on, submitted by them, or whose snapshot holds them — by
    account, or by address, compared lower-cased (keys are lower-case
    already). The content match finds the versions of proposals they have
    left since the version was frozen."""
    query = (
        Q(proposal_id__in=proposal_ids)
        | Q(submitted_by=user)
        | Q(snapshot__contains={"principal_investigator": {"user_id": user.pk}})
        | Q(snapshot__contains={"team": [{"user_id": user.pk}]})
    )
    for address in addresses:
        query |= Q(
            snapshot_lower__contains={"principal_investigator": {"email": address}}
        ) | Q(snapshot_lower__contains={"team": [{"email": address}]})
    return ProposalVersion.objects.annotate(
        snapshot_lower=Cast(Lower(Cast("snapshot", TextField())), JSONField())
    ).filter(query)


def _anonymise_versions(user: User, addresses: set[str], proposal_ids) -> int:
    """Replace the person in the snapshots of frozen versions. A version is
    never saved again (ProposalVersion.save refuses); this is the one update
    of a snapshot there is, made by the retention policy, in SQL."""
    count = 0
    versions = (
        _versions_naming(user, addresses, proposal_ids)
        .only("pk", "snapshot")
        .order_by("pk")
    )
    for version in versions:
        snapshot = _anonymise_snapshot(version.snapshot, user=user, addresses=addresses)
        if snapshot != version.snapshot:
            ProposalVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
            count += 1
    return count


def _leave_teams(user: User, addresses: set[str]) -> tuple[int, int]:
    """Leave the teams of proposals never submitted; on the others the team
    place stays, under the former name (once per proposal)."""
    places = TeamMember.objects.filter(
        Q(user=user) | _address_query("email", addresses)
    ).select_related("proposal")
    left = renamed = 0
    seen: set[int] = set()
    never = set(
        never_submitted(
            Proposal.objects.filter(pk__in=places.values("proposal_id"))
        ).values_list("pk", flat=True)
    )
    for place in places:
        if place.proposal_id in never or place.proposal_id in seen:
            place.delete()
            left += 1
            continue
        seen.add(place.proposal_id)
        place.name = former_name(user)
        place.email = former_email(user)
        place.user = user
        place.token_hash = ""
        place.save(update_fields=["name", "email", "user", "token_hash"])
        renamed += 1
    return left, renamed


def _scrub_emails(user: User, addresses: set[str]) -> tuple[int, int]:
    """Queued emails to the person are dropped (a worker claims a row by its
    status, so a dropped row is simply not sent); the others stay as the record
    that they were sent, without address, subject, text or context."""
    mine = OutboundEmail.objects.filter(
        Q(recipient=user) | _address_query("to_email", addresses)
    )
    dropped, _by_model = mine.filter(status=EmailStatus.QUEUED).delete()
    kept = mine.exclude(status=EmailStatus.QUEUED).update(
        to_email=former_email(user),
        recipient=user,
        subject=_former_subject(),
        body_text="",
        body_html="",
        context={},
        updated_at=timezone.now(),
    )
    FlaggedAddress.objects.filter(_address_query("email", addresses)).delete()
    seen: set[int] = set()
    for recipient in MessageRecipient.objects.filter(
        Q(user=user) | _address_query("email", addresses)
    ):
        if recipient.message_id in seen:
            recipient.delete()
            continue
        seen.add(recipient.message_id)
        recipient.email = former_email(user)
        recipient.name = former_name(user)
        recipient.user = user
        recipient.save(update_fields=["email", "name", "user"])
    return dropped, kept


def _former_subject() -> str:
    return "(removed when the account was deleted)"


def _end_sessions(user: User) -> int:
    """Sign the person out everywhere. The unusable password already voids
    every session (Django checks its hash); the rows go too where we can find
    them."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def _locked_drafts(led) -> list[Proposal]:
    """The never-submitted proposals in `led`, locked (in pk order, as every
    locker of several proposals does) and checked again once locked: a
    submission from another tab that committed meanwhile has changed the
    status or frozen a version, and that proposal is no longer a draft to
    delete."""
    locked = list(
        never_submitted(led)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(never_submitted(Proposal.objects.filter(pk__in=locked)).order_by("pk"))


@transaction.atomic
def delete_account(*, user: User, actor: User, now=None) -> Deletion:
    """Delete `user`'s account as the policy above says; `actor` is the person
    themself (or an administrator holding accounts.delete_user).

    Side effects, all in one transaction: the refusals of `deletion_problems`
    checked first (DeletionRefused, nothing changed); never-submitted proposals
    the person leads deleted, a draft with a frozen version withdrawn (the
    team is emailed as for any withdrawal); team places left or renamed;
    frozen snapshots, outbox rows and message recipients renamed; the account
    anonymised and made inactive; email addresses, authenticators, API token,
    subscriptions, reviewer profile, discussion read marks, groups and
    sessions removed; a confirmation emailed to the primary address, queued
    after the outbox is cleaned so it is not cleaned itself; a PrivacyEvent
    with the counts. Once committed, the deleted documents' files are removed
    from the storage. Idempotent: a second call returns the first deletion.
    """
    if actor.pk != user.pk and not (
        actor.is_active and actor.is_staff and actor.has_perm("accounts.delete_user")
    ):
        raise PermissionDenied
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    done = PrivacyEvent.objects.filter(kind=PrivacyEventKind.DELETED, user=user).first()
    if done is not None:
        return Deletion(user=user, event=done, already=True)
    problems = deletion_problems(user)
    if problems:
        raise DeletionRefused(problems)

    addresses = _addresses(user)
    address, language = user.email, user.preferred_language
    led = Proposal.objects.filter(principal_investigator=user)
    deleted, files = _delete_proposals(_locked_drafts(led))
    withdrawn = 0
    for proposal in led.filter(status=ProposalStatus.DRAFT):
        withdraw_proposal(
            proposal=proposal, actor=user, reason="The account was deleted."
        )
        withdrawn += 1
    left, renamed = _leave_teams(user, addresses)
    proposal_ids = set(led.values_list("pk", flat=True)) | set(
        TeamMember.objects.filter(user=user).values_list("proposal_id", flat=True)
    )
    versions = _anonymise_versions(user, addresses, proposal_ids)
    dropped, kept = _scrub_emails(user, addresses)

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    MissionSubscription.objects.filter(user=user).delete()
    ReviewerProfile.objects.filter(user=user).delete()
    DiscussionReader.objects.filter(user=user).delete()
    # The audit (config.history) names who changed the account's access.
    user._history_user = actor
    user.groups.clear()
    user.user_permissions.clear()
    user.full_name = former_name(user)
    user.email = former_email(user)
    user.institution = ""
    user.country = ""
    user.orcid = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    sessions = _end_sessions(user)

    emails.queue_account_deleted(
        user_id=user.pk, address=address, language=language, now=now
    )
    event = PrivacyEvent.objects.create(
        kind=PrivacyEventKind.DELETED,
        user=user,
        actor=actor,
        at=now,
        details={
            "proposals_deleted": deleted,
            "drafts_withdrawn": withdrawn,
            "teams_left": left,
            "team_places_renamed": renamed,
            "versions_renamed": versions,
            "emails_dropped": dropped,
            "emails_renamed": kept,
            "sessions_ended": sessions,
        },
    )
    transaction.on_commit(lambda: _remove_files(files))
    logger.info("Account %s deleted: %s", user.pk, event.details)
    return Deletion(user=user, event=event)


# --- retention ----------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    proposals_deleted: int
    emails_deleted: int
    sessions_cleared: bool


def expired_drafts(*, now: datetime.datetime):
    """Never-submitted proposals of calls whose deadline is further back than
    PRIVACY_DRAFT_RETENTION_DAYS."""
    cutoff = now - datetime.timedelta(days=settings.PRIVACY_DRAFT_RETENTION_DAYS)
    return never_submitted(
        Proposal.objects.filter(opportunity__proposal_deadline__lt=cutoff)
    )


def expired_emails(*, now: datetime.datetime):
    """Sent and failed outbox rows older than PRIVACY_OUTBOX_RETENTION_DAYS."""
    cutoff = now - datetime.timedelta(days=settings.PRIVACY_OUTBOX_RETENTION_DAYS)
    return OutboundEmail.objects.filter(
        status__in=[EmailStatus.SENT, EmailStatus.FAILED], created_at__lt=cutoff
    )


def _delete_batch(queryset) -> int:
    with transaction.atomic():
        batch = list(
            queryset.select_for_update(skip_locked=True, of=("self",))[:RETENTION_BATCH]
        )
        if not batch:
            return 0
        count, files = _delete_proposals(batch)
        transaction.on_commit(lambda: _remove_files(files))
    return count


def apply_retention(*, now: datetime.datetime | None = None) -> Retention:
    """Remove what the retention rules no longer keep, in batches (each its own
    transaction, so a large first run holds no long lock); idempotent: a second
    run finds nothing. Records a PrivacyEvent with the counts when something
    went."""
    now = now or timezone.now()
    proposals = 0
    while removed := _delete_batch(expired_drafts(now=now).order_by("pk")):
        proposals += removed
    emails_deleted = 0
    while ids := list(expired_emails(now=now).values_list("pk", flat=True)[:1000]):
        emails_deleted += (
            OutboundEmail.objects.filter(pk__in=ids)
            .delete()[1]
            .get(OutboundEmail._meta.label, 0)
        )
    engine = import_module(settings.SESSION_ENGINE)
    cleared = True
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:
        cleared = False
    if proposals or emails_deleted:
        PrivacyEvent.objects.create(
            kind=PrivacyEventKind.RETENTION,
            at=now,
            details={"proposals_deleted": proposals, "emails_deleted": emails_deleted},
        )
    logger.info(
        "Retention: %s never-submitted proposals and %s outbox rows removed.",
        proposals,
        emails_deleted,
    )
    return Retention(
        proposals_deleted=proposals,
        emails_deleted=emails_deleted,
        sessions_cleared=cleared,
    )
