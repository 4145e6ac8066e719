"""Everything the portal holds about one person, as a ZIP of JSON files and the
documents they uploaded.

`collect(user=…)` reads it all (a fixed number of queries whatever the number
of proposals) into a dict of file name → JSON-able data; `stream_zip(user=…)`
yields the ZIP in pieces, the documents read from the storage one at a time,
so a large export never sits whole in memory.

What is left out, on purpose: anyone else's private data. Other people appear
as their pages show them to this person — a team member by name, role,
institution, country (and address, as the team page shows it), a status change
by the name of who made it — and never by their contact details in a frozen
version, their reviews, or the reviewers of this person's proposals (in a
dual-anonymous call the proposer does not know them). Secrets are left out too:
password hashes, two-factor secrets and recovery codes, invitation tokens, the
API token's key, and the body of an email that carried a secret link.
"""

import datetime
import json
import logging
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import PurePosixPath

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from rest_framework.authtoken.models import Token

from accounts.models import User
from catalogue.models import MissionSubscription
from notifications.models import OutboundEmail
from payloads.selectors import visible_payloads
from proposals.models import (
    Proposal,
    ProposalDocument,
    ProposalEvent,
    ProposalVersion,
    TeamMember,
)
from proposals.selectors import with_relations
from proposals.snapshot import build_snapshot
from questions.models import Question
from reviews.models import Bid, DiscussionPost, ReviewAssignment

logger = logging.getLogger(__name__)

EXPORT_SCHEMA = 1
# The sections of a proposal, as a frozen version names them.
SECTIONS = ("summary", "objectives", "payload", "resources", "funding", "statements")
# What of another person a frozen version or a proposal page shows this one.
PUBLIC_PERSON = ("name", "role", "institution", "country", "country_name")
SECRET_FIELDS = frozenset({"token_hash", "password"})


def _json(value):
    """A field value as JSON: moments and dates in ISO 8601, decimals as text."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "code") and hasattr(value, "name"):  # a Country
        return value.code or ""
    return value


def _row(obj, *, subject: User, exclude: tuple[str, ...] = ()) -> dict:
    """The concrete fields of `obj`: a link to an account is "you" when it is
    `subject` and left out otherwise (the administrators who acted stay
    unnamed); other links by id; files by name; secrets never."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name in SECRET_FIELDS:
            continue
        if field.is_relation and field.related_model is User:
            if getattr(obj, field.attname) == subject.pk:
                data[field.name] = "you"
            continue
        if field.is_relation:
            data[f"{field.name}_id"] = getattr(obj, field.attname)
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.name] = _json(value)
    return data


def _is_subject(entry: dict, *, subject: User, addresses: set[str]) -> bool:
    return entry.get("user_id") == subject.pk or (
        (entry.get("email") or "").lower() in addresses
    )


def _person(entry: dict, *, subject: User, addresses: set[str]) -> dict:
    """A person of a snapshot: whole when it is the subject, else as shown."""
    if _is_subject(entry, subject=subject, addresses=addresses):
        return dict(entry)
    return {key: entry[key] for key in PUBLIC_PERSON if key in entry}


def snapshot_for(snapshot: dict, *, subject: User, addresses: set[str]) -> dict:
    """A frozen version's snapshot as its version page shows it to `subject`:
    the other people without their email address, ORCID iD or account."""
    return {
        **snapshot,
        "principal_investigator": _person(
            snapshot.get("principal_investigator", {}),
            subject=subject,
            addresses=addresses,
        ),
        "team": [
            _person(member, subject=subject, addresses=addresses)
            for member in snapshot.get("team", [])
        ],
    }


def _addresses(user: User, email_addresses) -> set[str]:
    """The addresses that identify the person: the account's own (sign-up
    verifies it, ACCOUNT_EMAIL_VERIFICATION is mandatory) and the verified
    ones. An unverified address may be anyone's: matching it would hand over
    someone else's emails and snapshot entries."""
    return {user.email.lower()} | {
        a.email.lower() for a in email_addresses if a.verified
    }


def _role(proposal: Proposal, user: User) -> str:
    if proposal.principal_investigator_id == user.pk:
        return "principal_investigator"
    for member in proposal.team_members.all():
        if member.user_id == user.pk:
            return member.role
    return "team_member"


def _document(document: ProposalDocument, *, subject: User, arcname: str) -> dict:
    return {
        "id": document.pk,
        "required_document": document.required_document.name_en,
        "original_name": document.original_name,
        "sha256": document.sha256,
        "size": document.size,
        "page_count": document.page_count,
        "uploaded_at": _json(document.uploaded_at),
        "replaced_at": _json(document.replaced_at),
        "uploaded_by_you": document.uploaded_by_id == subject.pk,
        "file_in_export": arcname,
    }


def document_arcname(document: ProposalDocument) -> str:
    """Where an uploaded document sits in the ZIP: its proposal, its id, its
    name made safe for every file system."""
    name = PurePosixPath(document.original_name.replace("\\", "/")).name
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # nothing left of it, or only dots
        name = "document.pdf"
    return f"documents/proposal-{document.proposal_id}/{document.pk}-{name}"


def _proposal(proposal: Proposal, *, subject: User, addresses: set[str]) -> dict:
    pi = proposal.principal_investigator
    live = build_snapshot(
        proposal, reference=proposal.reference, submitted_at=proposal.updated_at
    )
    pi_data = {
        "name": pi.get_full_name(),
        "institution": pi.institution,
        "country": pi.country.code or "",
    }
    if pi.pk == subject.pk:
        pi_data.update(email=pi.email, orcid=pi.orcid)
    decision = getattr(proposal, "decision", None)
    return {
        "id": proposal.pk,
        "reference": proposal.reference,
        "your_role": _role(proposal, subject),
        "call": {
            "slug": proposal.opportunity.slug,
            "title": proposal.opportunity.title_en,
        },
        "stage": proposal.stage,
        "status": proposal.status,
        "created_at": _json(proposal.created_at),
        "updated_at": _json(proposal.updated_at),
        "submitted_at": _json(proposal.submitted_at),
        "sections": {name: live[name] for name in SECTIONS},
        "principal_investigator": pi_data,
        # As the team section of the proposal shows it to its team.
        "team": [
            {
                "name": member.name,
                "email": member.email,
                "role": member.role,
                "institution": member.institution,
                "country": member.country.code or "",
                "confirmed_at": _json(member.confirmed_at),
                "is_you": member.user_id == subject.pk,
            }
            for member in proposal.team_members.all()
        ],
        "documents": [
            _document(d, subject=subject, arcname=_arcname_if_yours(d, subject))
            for d in proposal.documents.all()
        ],
        "status_history": [
            {
                "at": _json(event.at),
                "from_stage": event.from_stage,
                "from_status": event.from_status,
                "to_stage": event.to_stage,
                "to_status": event.to_status,
                "text": event.text,
                "by": event.actor.get_full_name() if event.actor else "",
            }
            for event in proposal.events.all()
        ],
        "versions": [
            {
                "number": version.number,
                "stage": version.stage,
                "reference": version.reference,
                "submitted_at": _json(version.submitted_at),
                "submitted_by": version.submitted_by.get_full_name(),
                "snapshot": snapshot_for(
                    version.snapshot, subject=subject, addresses=addresses
                ),
            }
            for version in proposal.versions.all()
        ],
        "decision": (
            {
                "outcome": decision.outcome,
                "conditions": decision.conditions,
                "letter": decision.letter,
                "released_at": _json(decision.released_at),
            }
            if decision is not None and decision.released_at is not None
            else None
        ),
    }


def _arcname_if_yours(document: ProposalDocument, subject: User) -> str:
    return document_arcname(document) if document.uploaded_by_id == subject.pk else ""


def _proposals(user: User) -> list[Proposal]:
    """Every proposal the person leads or is on the team of, withdrawn ones and
    those of closed calls included (the dashboard's scope, without its
    is_active condition: the export reads what the portal holds)."""
    team = TeamMember.objects.filter(user=user).values("proposal_id")
    return list(
        with_relations(
            Proposal.objects.filter(Q(principal_investigator=user) | Q(pk__in=team))
        )
        .select_related("decision")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ProposalEvent.objects.select_related("actor").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch(
                "versions",
                queryset=ProposalVersion.objects.select_related(
                    "submitted_by"
                ).order_by("number"),
            ),
        )
        .order_by("pk")
    )


def _reviewing(user: User) -> dict:
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("proposal__opportunity", "review")
        .prefetch_related("review__scores__criterion", "review__revisions")
        .order_by("pk")
    )
    rows = []
    for assignment in assignments:
        row = _row(assignment, subject=user, exclude=("fit",))
        row["proposal_reference"] = assignment.proposal.reference
        row["call"] = assignment.proposal.opportunity.slug
        review = getattr(assignment, "review", None)
        if review is not None:
            row["review"] = _row(review, subject=user, exclude=("assignment",))
            row["review"]["scores"] = [
                {"criterion": score.criterion.name_en, "score": score.score}
                for score in review.scores.all()
            ]
            row["review"]["revisions"] = [
                _row(revision, subject=user, exclude=("review",))
                for revision in review.revisions.all()
            ]
        rows.append(row)
    bids = [
        {
            "proposal_reference": bid.proposal.reference,
            "preference": bid.preference,
            "updated_at": _json(bid.updated_at),
        }
        for bid in Bid.objects.filter(reviewer=user)
        .select_related("proposal")
        .order_by("pk")
    ]
    profile = getattr(user, "reviewer_profile", None)
    return {
        "reviewer_profile": (
            {
                "expertise": profile.expertise,
                "other_institutions": profile.other_institutions,
            }
            if profile is not None
            else None
        ),
        "assignments": rows,
        "bids": bids,
        "conflicts_declared": [
            {
                "proposal_reference": row["proposal_reference"],
                "reason": row["conflict_reason"],
                "at": row["responded_at"],
            }
            for row in rows
            if row["status"] == "conflict"
        ]
        + [
            {"proposal_reference": bid["proposal_reference"], "reason": "bid"}
            for bid in bids
            if bid["preference"] == "conflict"
        ],
        "discussion_messages": [
            {
                "proposal_reference": post.proposal.reference,
                "stage": post.stage,
                "body": post.body,
                "created_at": _json(post.created_at),
            }
            for post in DiscussionPost.objects.filter(author=user)
            .select_related("proposal")
            .order_by("pk")
        ],
    }


def _emails(user: User, addresses: set[str]) -> list[dict]:
    """The outbox rows addressed to the person: by account or by address."""
    query = Q(recipient=user)
    for address in addresses:
        query |= Q(to_email__iexact=address)
    return [
        {
            "to": email.to_email,
            "language": email.language,
            "template": email.template,
            "subject": email.subject,
            # A secret link (sign-up, password reset) stays out of the file.
            "body": "" if email.sensitive else email.body_text,
            "status": email.status,
            "created_at": _json(email.created_at),
            "sent_at": _json(email.sent_at),
            "delivery_report": email.delivery_report,
        }
        for email in OutboundEmail.objects.filter(query).order_by("created_at", "pk")
    ]


def _payloads(user: User, proposal_ids: list[int]) -> list[dict]:
    payloads = (
        visible_payloads(user)
        .filter(proposal_id__in=proposal_ids)
        .prefetch_related(
            "events",
            "conditions__documents",
            "agreements",
            "milestones__slips",
            "deliveries",
            "handovers",
        )
        .order_by("pk")
    )
    rows = []
    for payload in payloads:
        row = _row(payload, subject=user)
        row["events"] = [_row(e, subject=user) for e in payload.events.all()]
        row["conditions"] = [
            {
                **_row(condition, subject=user),
                "documents": [_row(d, subject=user) for d in condition.documents.all()],
            }
            for condition in payload.conditions.all()
        ]
        row["agreements"] = [_row(a, subject=user) for a in payload.agreements.all()]
        row["milestones"] = [
            {
                **_row(milestone, subject=user),
                "slips": [_row(s, subject=user) for s in milestone.slips.all()],
            }
            for milestone in payload.milestones.all()
        ]
        row["deliveries"] = [_row(d, subject=user) for d in payload.deliveries.all()]
        row["data_handovers"] = [_row(h, subject=user) for h in payload.handovers.all()]
        rows.append(row)
    return rows


def _account(user: User, email_addresses) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "institution": user.institution,
        "country": user.country.code or "",
        "orcid": user.orcid,
        "preferred_language": user.preferred_language,
        "date_joined": _json(user.date_joined),
        "last_login": _json(user.last_login),
        "is_active": user.is_active,
        "groups": sorted(group.name for group in user.groups.all()),
        "email_addresses": [
            {"email": a.email, "primary": a.primary, "verified": a.verified}
            for a in email_addresses
        ],
        # Which kinds of two-factor authentication are on; never their secrets.
        "two_factor": [
            {
                "type": authenticator.type,
                "created_at": _json(authenticator.created_at),
                "last_used_at": _json(authenticator.last_used_at),
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        # Whether an API token exists and since when; never its key.
        "api_token": [
            {"created": _json(token.created)}
            for token in Token.objects.filter(user=user)
        ],
    }


def collect(*, user: User, now: datetime.datetime | None = None) -> dict[str, dict]:
    """Every JSON file of the export, by its name in the ZIP."""
    now = now or timezone.now()
    email_addresses = list(
        EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    )
    addresses = _addresses(user, email_addresses)
    proposals = _proposals(user)
    proposal_ids = [proposal.pk for proposal in proposals]
    meta = {"schema": EXPORT_SCHEMA, "generated_at": now.isoformat()}
    return {
        "account.json": {**meta, "account": _account(user, email_addresses)},
        "proposals.json": {
            **meta,
            "proposals": [
                _proposal(p, subject=user, addresses=addresses) for p in proposals
            ],
        },
        "payloads.json": {**meta, "payloads": _payloads(user, proposal_ids)},
        "reviewing.json": {**meta, **_reviewing(user)},
        "questions.json": {
            **meta,
            "questions": [
                _row(
                    question,
                    subject=user,
                    exclude=("amendment", "opportunity", "updated_at"),
                )
                | {"call": question.opportunity.slug}
                for question in Question.objects.filter(asker=user)
                .select_related("opportunity")
                .order_by("asked_at", "pk")
            ],
        },
        "emails.json": {**meta, "emails": _emails(user, addresses)},
        "subscriptions.json": {
            **meta,
            "mission_subscriptions": [
                {
                    "mission": subscription.mission.code,
                    "mission_name": subscription.mission.name_en,
                    "since": _json(subscription.created_at),
                }
                for subscription in MissionSubscription.objects.filter(user=user)
                .select_related("mission")
                .order_by("pk")
            ],
        },
    }


def uploaded_documents(*, user: User) -> list[ProposalDocument]:
    """The documents the person uploaded to proposals they are still part of."""
    team = TeamMember.objects.filter(user=user).values("proposal_id")
    return list(
        ProposalDocument.objects.filter(uploaded_by=user)
        .filter(Q(proposal__principal_investigator=user) | Q(proposal__in=team))
        .order_by("proposal_id", "pk")
    )


README = """\
Your data on the AO Portal, exported {generated_at} (UTC).

account.json        your account: profile, email addresses, language, groups,
                    which kinds of two-factor authentication are on (never
                    their secrets), whether an API token exists
proposals.json      the proposals you lead or are on the team of: sections,
                    team, documents, status history, frozen versions, released
                    decisions
payloads.json       the payloads of your selected proposals
reviewing.json      if you review: your profile, assignments, reviews, bids,
                    declared conflicts and discussion messages
questions.json      the questions you asked on calls
emails.json         the emails the portal sent or queued to you
subscriptions.json  the missions you follow
documents/          the documents you uploaded, as stored

Other people appear only as the portal's pages show them to you.
"""


class _Pipe:
    """A write-only file for zipfile that hands what it is given to a generator."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


CHUNK = 256 * 1024


def stream_zip(*, user: User, now: datetime.datetime | None = None) -> Iterator[bytes]:
    """The export as ZIP bytes, yielded as each file is written."""
    now = now or timezone.now()
    files = collect(user=user, now=now)
    documents = uploaded_documents(user=user)
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(generated_at=now.isoformat()))
        for name, data in files.items():
            archive.writestr(
                name, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
            )
            yield pipe.take()
        for document in documents:
            try:
                source = default_storage.open(document.file.name, "rb")
            except OSError:
                # A file lost from the storage must not cut the ZIP short.
                logger.warning("Export: document %s has no stored file.", document.pk)
                continue
            with source, archive.open(document_arcname(document), mode="w") as target:
                while block := source.read(CHUNK):
                    target.write(block)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()
