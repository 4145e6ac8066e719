"""Reads of the messages to proposers: who a message goes to, and the admin's
lists."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from messaging.enums import Audience
from messaging.models import Message, MessageRecipient
from payloads.enums import PayloadStatus
from proposals.models import Proposal, TeamMember


@dataclass(frozen=True)
class ProposalRef:
    """What a recipient's placeholders and email say of one of their proposals."""

    pk: int
    reference: str
    title: str
    deadline: datetime | None
    path: str


@dataclass
class Addressee:
    """One address a message goes to, in which language, for which proposals."""

    email: str
    name: str
    language: str
    user_id: int | None
    proposals: list[ProposalRef] = field(default_factory=list)


def _ref(proposal: Proposal) -> ProposalRef:
    return ProposalRef(
        pk=proposal.pk,
        reference=proposal.reference,
        title=proposal.title,
        deadline=proposal.deadline,
        path=proposal.get_absolute_url(),
    )


def chosen_proposals(message: Message) -> QuerySet[Proposal]:
    """The call's proposals the message's filters choose (stage, statuses).
    A selection whose payload was de-selected later keeps its proposal status
    (a decision's status is final), but its team is no longer a selected
    team: it is left out."""
    proposals = Proposal.objects.filter(
        opportunity_id=message.opportunity_id, status__in=message.statuses
    ).exclude(payload__status=PayloadStatus.DESELECTED)
    if message.stage:
        proposals = proposals.filter(stage=message.stage)
    return proposals


def audience(*, message: Message) -> list[Addressee]:
    """Who `message` goes to, once per address (case aside), in the order of
    the proposals' primary keys, each principal investigator before their team.

    The principal investigator of each chosen proposal (an active account);
    with Audience.TEAMS also every confirmed team member — through their
    active account, else by the address they were invited at, in the language
    of the proposal (its principal investigator's). A person on several of the
    proposals is one addressee with all of them. Two queries, whatever the
    number of proposals and members.
    """
    proposals = (
        chosen_proposals(message)
        .select_related("principal_investigator", "opportunity")
        .order_by("pk")
    )
    if message.audience == Audience.TEAMS:
        proposals = proposals.prefetch_related(
            Prefetch(
                "team_members",
                queryset=TeamMember.objects.filter(confirmed_at__isnull=False)
                .select_related("user")
                .order_by("pk"),
                to_attr="confirmed_members",
            )
        )
    found: dict[str, Addressee] = {}

    def add(addressee: Addressee, proposal: Proposal) -> None:
        kept = found.setdefault(addressee.email.lower(), addressee)
        if all(ref.pk != proposal.pk for ref in kept.proposals):
            kept.proposals.append(_ref(proposal))

    for proposal in proposals:
        pi = proposal.principal_investigator
        if pi.is_active:
            add(
                Addressee(
                    email=pi.email,
                    name=pi.get_full_name(),
                    language=pi.preferred_language,
                    user_id=pi.pk,
                ),
                proposal,
            )
        for member in getattr(proposal, "confirmed_members", []):
            user = member.user
            if user is not None and user.is_active:
                addressee = Addressee(
                    email=user.email,
                    name=user.full_name or member.name,
                    language=user.preferred_language,
                    user_id=user.pk,
                )
            else:
                addressee = Addressee(
                    email=member.email,
                    name=member.name,
                    language=pi.preferred_language,
                    user_id=None,
                )
            add(addressee, proposal)
    return list(found.values())


def messages_for_admin() -> QuerySet[Message]:
    return Message.objects.select_related("opportunity", "created_by", "sent_by")


def recipients_for_admin() -> QuerySet[MessageRecipient]:
    return MessageRecipient.objects.select_related(
        "message", "outbound"
    ).prefetch_related("proposals")
