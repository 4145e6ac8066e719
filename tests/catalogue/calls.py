"""Calls ready to publish: the workflow publishes only a call whose evaluation
criteria's weights add up to exactly 100 %."""

from decimal import Decimal

from catalogue.models import Opportunity
from tests.factories import EvaluationCriterionFactory, OpportunityFactory


def publishable_call(**traits) -> Opportunity:
    """An OpportunityFactory call (with `traits`) and criteria weighing 60 + 40 %."""
    opportunity = OpportunityFactory(**traits)
    for weight in (60, 40):
        EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(weight))
    return opportunity
