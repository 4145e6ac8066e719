"""The proposal emails, queued in the notifications outbox.

Each function is called inside the transaction of its event, so a rolled-back
event sends nothing; the idempotency key names the event and the recipient, so
each person gets each email once. Templates: templates/emails/proposal_*/.

The deadline reminders are queued by proposals.reminders through the
notifications reminder registry.

Links: the proposal page (proposals:detail) and the personal confirmation link
of a team invitation (proposals:confirm-membership).
"""

from django.urls import reverse

from notifications.services import Recipient, queue_email
from proposals.enums import TeamRole


def proposal_path(proposal) -> str:
    return proposal.get_absolute_url()


def confirmation_path(token: str) -> str:
    return reverse("proposals:confirm-membership", kwargs={"token": token})


def _member_recipient(member) -> Recipient:
    if member.user_id is not None and member.user.is_active:
        return Recipient.for_user(member.user)
    return Recipient(email=member.email)


def _team(proposal) -> list[Recipient]:
    """The principal investigator, then every team member, once per address."""
    pi = proposal.principal_investigator
    recipients = {pi.email.lower(): Recipient.for_user(pi)}
    for member in proposal.team_members.all():
        recipients.setdefault(member.email.lower(), _member_recipient(member))
    return list(recipients.values())


def editors(proposal) -> list[Recipient]:
    """The PI and the linked, confirmed co-investigators: those who can finish it."""
    pi = proposal.principal_investigator
    recipients = {pi.email.lower(): Recipient.for_user(pi)}
    for member in proposal.team_members.all():
        if (
            member.user_id is not None
            and member.user.is_active
            and member.is_confirmed
            and member.role == TeamRole.CO_INVESTIGATOR
        ):
            recipients.setdefault(
                member.user.email.lower(), Recipient.for_user(member.user)
            )
    return list(recipients.values())


def _contacts(opportunity) -> list:
    """The call's CNSA contacts, first entered first (prefetch-friendly)."""
    return sorted(opportunity.contacts.all(), key=lambda contact: contact.pk)


def _with_contacts(team: list[Recipient], opportunity) -> list[Recipient]:
    recipients = {r.email.lower(): r for r in team}
    for contact in _contacts(opportunity):
        # In the contact's own language (notifications.events.contact_recipients
        # also looks up their account; these emails read the contacts already).
        recipients.setdefault(
            contact.email.lower(),
            Recipient(email=contact.email, language=contact.preferred_language),
        )
    return list(recipients.values())


def reply_address(opportunity) -> str:
    """Replies go to the call's first CNSA contact."""
    contacts = _contacts(opportunity)
    return contacts[0].email if contacts else ""


def proposal_context(proposal) -> dict:
    opportunity = proposal.opportunity
    deadline = proposal.deadline
    return {
        "proposal_id": proposal.pk,
        "reference": proposal.reference,
        "title": proposal.title,
        "stage": proposal.stage,
        "pi_name": proposal.principal_investigator.get_full_name(),
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "deadline": deadline.isoformat() if deadline else "",
        "path": proposal_path(proposal),
    }


def _send(*, event: str, recipients, template: str, context: dict, reply_to: str):
    for recipient in recipients:
        queue_email(
            key=f"{event}:{recipient.email.lower()}",
            recipient=recipient,
            template=template,
            context=context,
            reply_to=reply_to,
        )


def proposal_submitted(*, proposal, version) -> None:
    """To the PI, every team member and the call's CNSA contacts, once each."""
    context = {
        **proposal_context(proposal),
        "version": version.number,
        "submitted_at": version.submitted_at.isoformat(),
        "resubmission": version.number > 1,
    }
    _send(
        event=f"proposal-submitted:{proposal.pk}:v{version.number}",
        recipients=_with_contacts(_team(proposal), proposal.opportunity),
        template="proposal_submitted",
        context=context,
        reply_to=reply_address(proposal.opportunity),
    )


def proposal_withdrawn(*, proposal, was_submitted: bool, reason: str = "") -> None:
    """To the team; the CNSA contacts too when they had been told of a submission."""
    recipients = _team(proposal)
    if was_submitted:
        recipients = _with_contacts(recipients, proposal.opportunity)
    _send(
        event=f"proposal-withdrawn:{proposal.pk}",
        recipients=recipients,
        template="proposal_withdrawn",
        context={**proposal_context(proposal), "reason": reason},
        reply_to=reply_address(proposal.opportunity),
    )


def letter_shortlisted(*, proposal) -> None:
    _send(
        event=f"proposal-letter-shortlisted:{proposal.pk}",
        recipients=_team(proposal),
        template="proposal_letter_shortlisted",
        context=proposal_context(proposal),
        reply_to=reply_address(proposal.opportunity),
    )


def letter_declined(*, proposal, note: str = "") -> None:
    _send(
        event=f"proposal-letter-declined:{proposal.pk}",
        recipients=_team(proposal),
        template="proposal_letter_declined",
        context={**proposal_context(proposal), "note": note},
        reply_to=reply_address(proposal.opportunity),
    )


def team_invitation(*, member, token: str) -> None:
    """The confirmation link, to the invited member only. The body holds a secret
    link, so the outbox hides it (sensitive)."""
    proposal = member.proposal
    queue_email(
        key=f"proposal-team-invitation:{member.pk}:{member.token_hash[:16]}",
        recipient=_member_recipient(member),
        template="proposal_team_invitation",
        context={
            **proposal_context(proposal),
            "member_name": member.name,
            "member_institution": member.institution,
            "member_role": member.role,
            "co_investigator": member.role == TeamRole.CO_INVESTIGATOR,
            "confirm_path": confirmation_path(token),
        },
        reply_to=proposal.principal_investigator.email,
        sensitive=True,
    )
