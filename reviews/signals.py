"""Signals the review sends to the rest of the portal.

`decision_released` is sent inside release_decisions' transaction, once per
decision, just after the decision is marked released and its proposal moved
to the outcome. Keyword arguments: `decision` (reviews.models.Decision) and
`actor` (the administrator). Receivers run in the same transaction: a
receiver's failure undoes the release.

It also keeps the ranking's figures honest: see connect_ranking_receivers.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

decision_released = Signal()


# The ranking's kept figures (reviews.models.standings) go out of date with
# every save or deletion of what they are computed from. Each receiver raises
# the call's ranking version in one UPDATE, inside the writer's transaction.


def _review_changed(sender, instance, **kwargs) -> None:
    from proposals.models import Proposal  # noqa: PLC0415
    from reviews.selectors.standings import ranking_changed  # noqa: PLC0415

    ranking_changed(
        opportunity_ids=Proposal.objects.filter(
            review_assignments=instance.assignment_id
        ).values("opportunity_id")
    )


def _score_changed(sender, instance, **kwargs) -> None:
    from proposals.models import Proposal  # noqa: PLC0415
    from reviews.selectors.standings import ranking_changed  # noqa: PLC0415

    ranking_changed(
        opportunity_ids=Proposal.objects.filter(
            review_assignments__review=instance.review_id
        ).values("opportunity_id")
    )


def _assignment_changed(sender, instance, **kwargs) -> None:
    from proposals.models import Proposal  # noqa: PLC0415
    from reviews.selectors.standings import ranking_changed  # noqa: PLC0415

    ranking_changed(
        opportunity_ids=Proposal.objects.filter(pk=instance.proposal_id).values(
            "opportunity_id"
        )
    )


def _call_part_changed(sender, instance, **kwargs) -> None:
    """A criterion (its weight) or the call's panel (its thresholds)."""
    from reviews.selectors.standings import ranking_changed  # noqa: PLC0415

    ranking_changed(opportunity_ids=[instance.opportunity_id])


def _proposal_saved(sender, instance, **kwargs) -> None:
    """Only a withdrawal changes the figures (withdrawn proposals' reviews do
    not count); a proposal's other saves do not."""
    from proposals.enums import ProposalStatus  # noqa: PLC0415
    from reviews.selectors.standings import ranking_changed  # noqa: PLC0415

    if instance.status == ProposalStatus.WITHDRAWN:
        ranking_changed(opportunity_ids=[instance.opportunity_id])


def connect_ranking_receivers() -> None:
    """Called once by ReviewsConfig.ready."""
    from catalogue.models import EvaluationCriterion  # noqa: PLC0415
    from proposals.models import Proposal  # noqa: PLC0415
    from reviews.models import Panel, Review, ReviewAssignment, ReviewScore  # noqa: PLC0415

    for model, receiver in (
        (Review, _review_changed),
        (ReviewScore, _score_changed),
        (ReviewAssignment, _assignment_changed),
        (EvaluationCriterion, _call_part_changed),
        (Panel, _call_part_changed),
    ):
        uid = f"ranking:{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}:delete")
    post_save.connect(
        _proposal_saved, sender=Proposal, dispatch_uid="ranking:proposal:save"
    )
