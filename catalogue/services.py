"""Writes to the catalogue. Status moves go through catalogue.workflow."""

from django.db import transaction

from catalogue.enums import OpportunityStatus
from catalogue.models import Amendment, Mission, MissionSubscription, Opportunity
from notifications.events import opportunity_amended


class AmendmentRefused(Exception):  # noqa: N818 — the name reads as the refusal
    pass


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
    """Post a dated amendment to a published call and tell its audience."""
    if opportunity.status not in {OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED}:
        raise AmendmentRefused(
            "Only a published or closed call can be amended; a draft is edited."
        )
    amendment = Amendment.objects.create(
        opportunity=opportunity,
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
