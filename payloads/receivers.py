"""Receivers of other apps' signals: a released selection becomes a payload.

Connected when the app is ready (PayloadsConfig.ready imports this module).
"""

from django.dispatch import receiver

from payloads.services import create_payload_for_decision
from reviews.enums import SELECTED_OUTCOMES
from reviews.models import Decision
from reviews.signals import decision_released


@receiver(decision_released, sender=Decision, dispatch_uid="payloads_on_release")
def create_payload_on_release(sender, *, decision, actor, **kwargs) -> None:
    """Create the payload of a selected or conditionally selected decision, once
    (create_payload_for_decision returns the existing one on a second call).

    Runs inside release_decisions' transaction; a failure undoes the release.
    """
    if decision.outcome in SELECTED_OUTCOMES:
        create_payload_for_decision(decision=decision, actor=actor)
