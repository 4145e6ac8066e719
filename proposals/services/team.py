"""The team: invitations, confirmations, and linking members to their accounts.

Each member confirms their participation and institution, either through the
personal link emailed to them (/proposals/team/confirm/<token>/ →
`confirm_membership`) or from their account (`confirm_membership_for_user`).
The token is random; only its SHA-256 is stored, and a new invitation replaces
the previous link.

A member whose email matches an account is linked to it: at once when the
account exists, when they confirm while signed in, or through
`link_memberships(user=…)`, to be called once a user's email address is verified
(sign-up or email confirmation). A linked co-investigator who has confirmed can
edit the draft; only the principal investigator manages the team.
"""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from proposals import emails
from proposals.enums import ProposalStatus, TeamRole
from proposals.models import Proposal, TeamMember
from proposals.permissions import can_manage_team
from proposals.services.common import lock_for_change

MEMBER_FIELDS = ("name", "email", "institution", "country", "role")
# A change to these asks the member to confirm again.
RECONFIRM_FIELDS = frozenset({"email", "institution", "country"})
CONFIRMABLE_STATUSES = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED})


class MembershipRefused(Refused):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account_for(email: str):
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .order_by("pk")
        .first()
    )


def _invite(member: TeamMember, *, now) -> None:
    """A fresh link (the old one stops working) and the invitation email."""
    token = secrets.token_urlsafe(32)
    member.token_hash = hash_token(token)
    member.invited_at = now
    member.save(update_fields=["token_hash", "invited_at"])
    emails.team_invitation(member=member, token=token)


def _check_email(proposal: Proposal, email: str, *, exclude_pk=None) -> None:
    if email == proposal.principal_investigator.email.lower():
        raise ValidationError(
            {"email": _("The principal investigator is on the team already.")}
        )
    others = [m for m in proposal.team_members.all() if m.pk != exclude_pk]
    if any(m.email == email for m in others):
        raise ValidationError({"email": _("This person is on the team already.")})


@transaction.atomic
def add_team_member(
    *,
    proposal: Proposal,
    name: str,
    email: str,
    institution: str,
    country: str,
    role: str = TeamRole.CO_INVESTIGATOR,
    actor,
    now=None,
) -> TeamMember:
    """Add a co-investigator or collaborator and email them their confirmation link."""
    now = now or timezone.now()
    locked = lock_for_change(proposal, actor=actor, allowed=can_manage_team, now=now)
    email = email.strip().lower()
    _check_email(locked, email)
    member = TeamMember(
        proposal=locked,
        name=name.strip(),
        email=email,
        institution=" ".join(institution.split()),
        country=country,
        role=role,
        user=_account_for(email),
    )
    member.full_clean(exclude=["proposal", "user"], validate_unique=False)
    member.save()
    _invite(member, now=now)
    locked.save(update_fields=["updated_at"])
    return member


@transaction.atomic
def update_team_member(
    *, member: TeamMember, data: dict, actor, now=None
) -> TeamMember:
    """Change a member's details. A new email, institution or country must be
    confirmed again: the confirmation is cleared and a new link sent."""
    unknown = set(data) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"Not team member fields: {sorted(unknown)}.")
    now = now or timezone.now()
    locked = lock_for_change(
        member.proposal, actor=actor, allowed=can_manage_team, now=now
    )
    member = TeamMember.objects.select_for_update().get(pk=member.pk, proposal=locked)
    cleaned = {
        "name": str(data.get("name", member.name)).strip(),
        "email": str(data.get("email", member.email)).strip().lower(),
        "institution": " ".join(
            str(data.get("institution", member.institution)).split()
        ),
        "country": data.get("country", member.country),
        "role": data.get("role", member.role),
    }
    changed = {name for name, new in cleaned.items() if getattr(member, name) != new}
    if not changed:
        return member
    if "email" in changed:
        _check_email(locked, cleaned["email"], exclude_pk=member.pk)
    for name, value in cleaned.items():
        setattr(member, name, value)
    member.full_clean(exclude=["proposal", "user"], validate_unique=False)
    reconfirm = bool(changed & RECONFIRM_FIELDS)
    if reconfirm:
        member.confirmed_at = None
    if "email" in changed:
        member.user = _account_for(member.email)
    member.save()
    if reconfirm:
        _invite(member, now=now)
    locked.save(update_fields=["updated_at"])
    return member


@transaction.atomic
def remove_team_member(*, member: TeamMember, actor, now=None) -> None:
    locked = lock_for_change(
        member.proposal, actor=actor, allowed=can_manage_team, now=now
    )
    locked.team_members.filter(pk=member.pk).delete()
    locked.save(update_fields=["updated_at"])


@transaction.atomic
def resend_invitation(*, member: TeamMember, actor, now=None) -> TeamMember:
    """Send a new confirmation link; the previous one stops working."""
    now = now or timezone.now()
    locked = lock_for_change(
        member.proposal, actor=actor, allowed=can_manage_team, now=now
    )
    member = TeamMember.objects.select_for_update().get(pk=member.pk, proposal=locked)
    if member.is_confirmed:
        raise MembershipRefused(
            _("%(name)s has confirmed already.") % {"name": member.name}
        )
    _invite(member, now=now)
    return member


def _confirm(member: TeamMember, *, user, now, institution=None) -> TeamMember:
    if member.proposal.status not in CONFIRMABLE_STATUSES:
        raise MembershipRefused(
            _("This proposal is %(status)s; participation can no longer be confirmed.")
            % {"status": member.proposal.get_status_display().lower()}
        )
    fields = []
    corrected = " ".join((institution or "").split())
    if corrected and corrected != member.institution:
        member.institution = corrected
        fields.append("institution")
    if member.confirmed_at is None:
        member.confirmed_at = now
        fields.append("confirmed_at")
    if (
        user is not None
        and user.is_authenticated
        and member.user_id is None
        and user.email.lower() == member.email
    ):
        member.user = user
        fields.append("user")
    if fields:
        member.save(update_fields=fields)
    return member


@transaction.atomic
def confirm_membership(
    *, token: str, user=None, institution: str | None = None, now=None
) -> TeamMember:
    """Confirm through the emailed link. Signed in with the invited address, the
    member is also linked to that account. Confirming twice is harmless. The
    member may correct the `institution` the principal investigator wrote."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if member is None or not token:
        raise MembershipRefused(
            _(
                "This confirmation link is not valid. A newer invitation may have "
                "replaced it: ask the principal investigator to send it again."
            )
        )
    return _confirm(
        member, user=user, now=now or timezone.now(), institution=institution
    )


@transaction.atomic
def confirm_membership_for_user(*, member: TeamMember, user, now=None) -> TeamMember:
    """Confirm from the account the member row is linked to."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .get(pk=member.pk)
    )
    if not (user and user.is_authenticated) or member.user_id != user.pk:
        raise PermissionDenied(_("This invitation is for someone else."))
    return _confirm(member, user=user, now=now or timezone.now())


@transaction.atomic
def link_memberships(*, user, email: str | None = None) -> int:
    """Link the team places invited under a verified address of the user's.

    `email` is the address just verified; by default the user's login address.
    """
    address = (email or user.email).lower()
    return TeamMember.objects.filter(email=address, user__isnull=True).update(user=user)
