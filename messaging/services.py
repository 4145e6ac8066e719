"""Writes of the messages to proposers: save a draft, send it once."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.refusals import Refused
from messaging import emails, placeholders
from messaging.models import Message, MessageRecipient
from messaging.selectors import audience
from proposals.enums import ProposalStatus
from proposals.permissions import is_administrator

TEXT_FIELDS = ("subject_en", "body_en", "subject_zh_hans", "body_zh_hans")


class MessageRefused(Refused):
    """A message that cannot be saved or sent as it stands."""


def _labels() -> dict[str, str]:
    return {
        name: str(Message._meta.get_field(name).verbose_name) for name in TEXT_FIELDS
    }


def check_message(message: Message) -> None:
    """Refuse a message with no status chosen, an unknown status, or a text
    whose placeholders cannot be filled (each problem named)."""
    problems = []
    if not message.statuses:
        problems.append(_("Choose at least one status."))
    unknown = sorted(set(message.statuses) - set(ProposalStatus.values))
    if unknown:
        problems.append(
            _("Unknown status: %(statuses)s.") % {"statuses": ", ".join(unknown)}
        )
    labels = _labels()
    try:
        placeholders.check(
            {labels[name]: getattr(message, name) for name in TEXT_FIELDS}
        )
    except placeholders.PlaceholderRefused as refusal:
        problems.extend(refusal.messages)
    if problems:
        raise MessageRefused(problems)


def _refuse_unless_administrator(actor) -> None:
    if not is_administrator(actor):
        raise PermissionDenied(_("Only administrators write to proposers."))


@transaction.atomic
def save_message(*, message: Message, actor) -> Message:
    """Save a message not yet sent (new or changed), written by `actor`.

    Refused unless `actor` is an administrator, the message is unsent (judged
    on the stored row, locked) and check_message accepts it. Sends nothing.
    """
    _refuse_unless_administrator(actor)
    if message.pk is not None:
        stored = Message.objects.select_for_update().get(pk=message.pk)
        if stored.is_sent:
            raise MessageRefused(_("A sent message is not changed."))
    else:
        message.created_by = actor
    check_message(message)
    message.save()
    return message


@transaction.atomic
def send_message(*, message: Message, actor, expected_count: int | None = None):
    """Send `message` to everyone its filters choose, once.

    Locks the message; refused if it was sent already (so a second click, or
    a second administrator, sends nothing more), if check_message refuses it,
    if nobody matches, or if `expected_count` (what the preview showed) is not
    the number of recipients now. Queues one email per address through the
    outbox (key: message and address), each rendered in the recipient's
    language, sent once the transaction commits; records each recipient with
    their language, proposals and outbox row; marks the message sent by
    `actor` now. Returns the message.
    """
    _refuse_unless_administrator(actor)
    locked = (
        Message.objects.select_for_update(of=("self",))
        .select_related("opportunity")
        .get(pk=message.pk)
    )
    if locked.is_sent:
        raise MessageRefused(_("This message was sent already; it is sent only once."))
    check_message(locked)
    addressees = audience(message=locked)
    if not addressees:
        raise MessageRefused(_("No proposer matches these filters: nothing to send."))
    if expected_count is not None and expected_count != len(addressees):
        raise MessageRefused(
            _(
                "The recipients changed since the preview: %(now)d now, "
                "%(shown)d shown. Check the preview again."
            )
            % {"now": len(addressees), "shown": expected_count}
        )
    reply_to = emails.reply_address(locked.opportunity)
    rows = [
        MessageRecipient(
            message=locked,
            email=addressee.email,
            name=addressee.name,
            language=addressee.language,
            user_id=addressee.user_id,
            outbound=emails.queue_message(
                message=locked, addressee=addressee, reply_to=reply_to
            ),
        )
        for addressee in addressees
    ]
    MessageRecipient.objects.bulk_create(rows)
    through = MessageRecipient.proposals.through
    through.objects.bulk_create(
        through(messagerecipient_id=row.pk, proposal_id=ref.pk)
        for row, addressee in zip(rows, addressees, strict=True)
        for ref in addressee.proposals
    )
    locked.sent_at = timezone.now()
    locked.sent_by = actor
    locked.recipient_count = len(rows)
    locked.save(update_fields=["sent_at", "sent_by", "recipient_count", "updated_at"])
    return locked
