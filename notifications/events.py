"""What happened to a call, and who is told. Each function queues its emails in
the outbox.

Called inside the transaction of the event, so a rolled-back event sends nothing.

Who is told:
- a call published: its CNSA contacts and the researchers following its mission;
- a call amended: the same, and every principal investigator and confirmed team
  member of each proposal on the call that is a draft or in review (submitted,
  under review) — not a withdrawn or decided one, not an unconfirmed member.
  Each person once, by address; a proposer is told which of their proposals
  the amendment concerns.

Languages: a person with an account is written to in their own language; a
CNSA contact without one in the contact's preferred language; a confirmed team
member without one in the language of their proposal (its principal
investigator's).

The proposals are read through the call's reverse relations (`proposals`,
`team_members`), so this module imports nothing of the proposals app but its
status vocabulary.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from catalogue.models import Amendment, Contact, Opportunity
from notifications.services import Recipient, queue_email
from proposals.enums import ProposalStatus

# A proposal whose team is still at work on the call: told of each amendment.
AT_WORK = frozenset({ProposalStatus.DRAFT}) | ProposalStatus.in_review()


def contact_recipients(contacts: Iterable[Contact]) -> list[Recipient]:
    """CNSA contacts as recipients, once per address, in the order given.

    A contact with an active account on the portal is written to in the
    account's language; one without, in `Contact.preferred_language`.
    """
    contacts = list(contacts)
    addresses = [contact.email.lower() for contact in contacts]
    accounts = {
        user.email.lower(): user
        for user in get_user_model().objects.filter(email__in=addresses, is_active=True)
    }
    recipients: dict[str, Recipient] = {}
    for contact in contacts:
        user = accounts.get(contact.email.lower())
        recipients.setdefault(
            contact.email.lower(),
            Recipient.for_user(user)
            if user
            else Recipient(email=contact.email, language=contact.preferred_language),
        )
    return list(recipients.values())


def _opportunity_audience(opportunity: Opportunity) -> dict[str, Recipient]:
    """The CNSA contacts and the researchers following the mission, by address."""
    recipients = {
        recipient.email.lower(): recipient
        for recipient in contact_recipients(opportunity.contacts.order_by("pk"))
    }
    subscribers = (
        get_user_model()
        .objects.filter(
            subscriptions__mission_id=opportunity.mission_id, is_active=True
        )
        .order_by("pk")
    )
    for user in subscribers:
        recipients.setdefault(user.email.lower(), Recipient.for_user(user))
    return recipients


def _proposal_summary(proposal) -> dict:
    return {
        "proposal_id": proposal.pk,
        "reference": proposal.reference,
        "title": proposal.title,
        "path": proposal.get_absolute_url(),
    }


def proposers_at_work(
    opportunity: Opportunity,
) -> tuple[dict[str, Recipient], dict[str, list[dict]]]:
    """The principal investigators and confirmed team members of the call's
    proposals that are drafts or in review, by address, and for each address
    the proposals concerned (reference, title, path), in the order of the
    proposals' primary keys. Three queries, whatever their number."""
    proposals = (
        opportunity.proposals.filter(status__in=AT_WORK)
        .select_related("principal_investigator")
        .prefetch_related("team_members__user")
        .order_by("pk")
    )
    recipients: dict[str, Recipient] = {}
    concerned: dict[str, list[dict]] = {}

    def add(recipient: Recipient, proposal) -> None:
        address = recipient.email.lower()
        recipients.setdefault(address, recipient)
        summaries = concerned.setdefault(address, [])
        if all(item["proposal_id"] != proposal.pk for item in summaries):
            summaries.append(_proposal_summary(proposal))

    for proposal in proposals:
        pi = proposal.principal_investigator
        if pi.is_active:
            add(Recipient.for_user(pi), proposal)
        for member in proposal.team_members.all():
            if member.confirmed_at is None:
                continue
            if member.user is not None and member.user.is_active:
                add(Recipient.for_user(member.user), proposal)
            else:
                add(
                    Recipient(email=member.email, language=pi.preferred_language),
                    proposal,
                )
    return recipients, concerned


def _reply_to(opportunity: Opportunity) -> str:
    contact = opportunity.contacts.order_by("pk").first()
    return contact.email if contact else ""


def _opportunity_context(opportunity: Opportunity) -> dict:
    return {
        "opportunity_id": opportunity.pk,
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
        "mission_name_en": opportunity.mission.name_en,
        "mission_name_zh": opportunity.mission.name_zh_hans
        or opportunity.mission.name_en,
        "deadline": opportunity.proposal_deadline.isoformat(),
        "path": opportunity.get_absolute_url(),
    }


def opportunity_published(*, opportunity: Opportunity) -> None:
    """To the CNSA contacts and the mission's followers, once each."""
    context = _opportunity_context(opportunity)
    reply_to = _reply_to(opportunity)
    for address, recipient in _opportunity_audience(opportunity).items():
        queue_email(
            key=f"opportunity-published:{opportunity.pk}:{address}",
            recipient=recipient,
            template="opportunity_published",
            context=context,
            reply_to=reply_to,
        )


def opportunity_amended(*, amendment: Amendment) -> None:
    """To the CNSA contacts, the mission's followers and the teams at work on
    the call (see the module's docstring), each address once per amendment,
    with what changed and, for a proposer, which of their proposals it
    concerns."""
    opportunity = amendment.opportunity
    context = {
        **_opportunity_context(opportunity),
        "amendment_title_en": amendment.title_en,
        "amendment_title_zh": amendment.title_zh_hans or amendment.title_en,
        "amendment_body_en": amendment.body_en,
        "amendment_body_zh": amendment.body_zh_hans or amendment.body_en,
    }
    reply_to = _reply_to(opportunity)
    recipients = _opportunity_audience(opportunity)
    proposers, concerned = proposers_at_work(opportunity)
    for address, recipient in proposers.items():
        recipients.setdefault(address, recipient)
    for address, recipient in recipients.items():
        queue_email(
            key=f"opportunity-amended:{amendment.pk}:{address}",
            recipient=recipient,
            template="opportunity_amended",
            context={**context, "proposals": concerned.get(address, [])},
            reply_to=reply_to,
        )
