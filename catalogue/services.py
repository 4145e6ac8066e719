"""Writes to the catalogue. Status moves go through catalogue.workflow."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.enums import OpportunityStatus
from catalogue.models import Amendment, Mission, MissionSubscription, Opportunity
from config.refusals import Refused
from notifications.events import opportunity_amended

AMENDABLE = frozenset({OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED})


class AmendmentRefused(Refused):
    def __init__(self):
        super().__init__(
            _(
                "Only a published or closed call can be amended; "
                "a draft is edited directly."
            )
        )


def is_amendable(opportunity: Opportunity) -> bool:
    return opportunity.status in AMENDABLE


@transaction.atomic
def post_amendment(
    *,
    opportunity: Opportunity,
    title_en: str,
    body_en: str,
    title_zh_hans: str = "",
    body_zh_hans: str = "",
    actor,
) -> Amendment:
    """Post a dated amendment to a published or closed call.

    Judged on the stored status (the row is locked); raises AmendmentRefused
    otherwise. Queues an "opportunity amended" email to the CNSA contacts, the
    researchers following the mission and every principal investigator and
    confirmed team member of a draft or submitted proposal on the call
    (notifications.events.opportunity_amended), sent once the transaction
    commits.
    """
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not is_amendable(locked):
        raise AmendmentRefused
    amendment = Amendment.objects.create(
        opportunity=locked,
        title_en=title_en,
        body_en=body_en,
        title_zh_hans=title_zh_hans,
        body_zh_hans=body_zh_hans,
        posted_by=actor,
    )
    opportunity_amended(amendment=amendment)
    return amendment


def subscribe(*, user, mission: Mission) -> MissionSubscription:
    subscription, _created = MissionSubscription.objects.get_or_create(
        user=user, mission=mission
    )
    return subscription


def unsubscribe(*, user, mission: Mission) -> None:
    MissionSubscription.objects.filter(user=user, mission=mission).delete()
