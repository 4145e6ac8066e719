"""Factories of the payloads app, shared by every payloads test (and by the
team pages', administrators' and seed tests).

`PayloadFactory()` builds a selected payload: a complete proposal submitted to
a decided call, its frozen version, a released "selected" decision, the
carrier and the requested resources as its allocation. Traits: `conditional`
(a conditional selection whose decision states two conditions; conditions are
not created — use ConditionFactory or `payload_factory(conditions=…)`),
`deselected`. Statuses are set directly: factories build fixtures; only
payloads.workflow moves a real payload.

`payload_factory(...)` adds the usual parts in one call: conditions, agreements,
milestones and team members.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from payloads.enums import (
    AgreementStatus,
    ConditionStatus,
    DeliveryStatus,
    DeliveryUnit,
    MilestoneKind,
    PayloadStatus,
    Side,
)
from payloads.models import (
    Agreement,
    CallAgreement,
    CallMilestone,
    Condition,
    ConditionDocument,
    DataHandover,
    Delivery,
    Milestone,
    MilestoneSlip,
    Payload,
    SelectionEntry,
    SelectionList,
)
from proposals.enums import ProposalStatus
from reviews.models import Decision
from tests.factories import (
    SAMPLE_PDF,
    OpportunityFactory,
    ProposalVersionFactory,
    TeamMemberFactory,
    UserFactory,
)

PROPOSAL_STATUS = {
    PayloadStatus.CONDITIONAL: ProposalStatus.CONDITIONALLY_SELECTED,
    PayloadStatus.SELECTED: ProposalStatus.SELECTED,
    PayloadStatus.DESELECTED: ProposalStatus.SELECTED,
}
CONDITIONS = (
    "1. Reduce the mass to 4 kg.\n"
    "2. Provide a thermal design that survives the lunar night."
)


class CallAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallAgreement

    opportunity = factory.SubFactory(OpportunityFactory, decided=True)
    name = factory.Iterator(
        ["Implementing agreement", "Interface control document", "Export licence"]
    )
    order = factory.Sequence(lambda n: n)


class CallMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallMilestone

    opportunity = factory.SubFactory(OpportunityFactory, decided=True)
    kind = MilestoneKind.PDR
    name = "Preliminary design review"
    planned_date = factory.LazyFunction(
        lambda: timezone.localdate() + timedelta(days=60)
    )
    responsible = Side.TEAM
    order = factory.Sequence(lambda n: n)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A released decision on a proposal (outcome "selected" by default)."""

    class Meta:
        model = Decision

    proposal = None  # given by PayloadFactory
    outcome = "selected"
    conditions = ""
    letter = "Dear colleague,\n\nYour proposal has been selected."
    decided_by = None
    decided_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    released_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def _outcome(decision) -> str:
    return PROPOSAL_STATUS[decision.factory_parent.status]


class PayloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payload

    class Params:
        conditional = factory.Trait(status=PayloadStatus.CONDITIONAL)
        deselected = factory.Trait(
            status=PayloadStatus.DESELECTED,
            deselected_at=factory.LazyFunction(timezone.now),
            deselection_letter="Dear colleague,\n\nThe conditions were not met.",
        )

    status = PayloadStatus.SELECTED
    version = factory.SubFactory(
        ProposalVersionFactory,
        proposal__opportunity=factory.SubFactory(OpportunityFactory, decided=True),
        proposal__status=factory.LazyAttribute(
            lambda o: PROPOSAL_STATUS[o.factory_parent.factory_parent.status]
        ),
    )
    proposal = factory.SelfAttribute("version.proposal")
    opportunity = factory.SelfAttribute("proposal.opportunity")
    carrier = factory.SelfAttribute("proposal.carrier")
    decision = factory.SubFactory(
        DecisionFactory,
        proposal=factory.SelfAttribute("..proposal"),
        outcome=factory.LazyAttribute(_outcome),
        conditions=factory.LazyAttribute(
            lambda o: (
                CONDITIONS
                if o.factory_parent.status == PayloadStatus.CONDITIONAL
                else ""
            )
        ),
    )
    name = factory.SelfAttribute("proposal.title")
    allocated_mass_kg = factory.SelfAttribute("proposal.mass_kg")
    allocated_power_w = factory.SelfAttribute("proposal.power_avg_w")
    allocated_data_mb_per_day = factory.SelfAttribute("proposal.data_mb_per_day")
    allocated_size_mm = "200 × 150 × 100"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    payload = factory.SubFactory(PayloadFactory, conditional=True)
    order = factory.Sequence(lambda n: n)
    text = "Reduce the mass to 4 kg."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    status = ConditionStatus.OPEN


class ConditionDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionDocument

    condition = factory.SubFactory(ConditionFactory, status=ConditionStatus.ANSWERED)
    file = factory.django.FileField(filename="answer.pdf", data=SAMPLE_PDF)
    original_name = "thermal-design.pdf"
    sha256 = hashlib.sha256(SAMPLE_PDF).hexdigest()
    size = len(SAMPLE_PDF)
    pages = 2
    uploaded_by = factory.SelfAttribute(
        "condition.payload.proposal.principal_investigator"
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    """A draft agreement; trait signed (with its PDF, signatories and date)."""

    class Meta:
        model = Agreement

    class Params:
        signed = factory.Trait(
            status=AgreementStatus.SIGNED,
            signed_file=factory.django.FileField(
                filename="signed.pdf", data=SAMPLE_PDF
            ),
            signed_file_name="implementing-agreement.pdf",
            signed_by_name="Li Wei (CNSA); Dr Amina Haddad (University)",
            signed_on=factory.LazyFunction(
                lambda: timezone.localdate() - timedelta(days=3)
            ),
        )

    payload = factory.SubFactory(PayloadFactory)
    requirement = factory.SubFactory(
        CallAgreementFactory, opportunity=factory.SelfAttribute("..payload.opportunity")
    )
    name = factory.SelfAttribute("requirement.name")
    status = AgreementStatus.DRAFT


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    payload = factory.SubFactory(PayloadFactory)
    template = None
    kind = MilestoneKind.PDR
    name = "Preliminary design review"
    responsible = Side.TEAM
    planned_date = factory.LazyFunction(
        lambda: timezone.localdate() + timedelta(days=60)
    )
    actual_date = None
    order = factory.Sequence(lambda n: n)


class MilestoneSlipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneSlip

    milestone = factory.SubFactory(MilestoneFactory)
    from_date = factory.LazyAttribute(
        lambda o: o.milestone.planned_date - timedelta(days=30)
    )
    to_date = factory.SelfAttribute("milestone.planned_date")
    reason = "The detector's supplier is late."
    recorded_by = None


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A recorded delivery within its allocation (no findings)."""

    class Meta:
        model = Delivery

    payload = factory.SubFactory(PayloadFactory)
    unit = DeliveryUnit.FM
    delivered_on = factory.LazyFunction(
        lambda: timezone.localdate() - timedelta(days=1)
    )
    mass_kg = Decimal("4.400")
    power_w = Decimal("7.50")
    size_mm = "200 × 150 × 100"
    status = DeliveryStatus.RECORDED
    findings = factory.LazyFunction(list)
    overrun = False


class DataHandoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataHandover

    payload = factory.SubFactory(PayloadFactory)
    delivered_on = factory.LazyFunction(timezone.localdate)
    dataset = "Level 2B radon counts, lunar days 1–3"
    volume_gb = Decimal("12.500")
    link = "10.5281/zenodo.1234567"


class SelectionListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionList

    opportunity = factory.SubFactory(OpportunityFactory, decided=True)
    published_at = None


class SelectionEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionEntry

    selection_list = factory.SubFactory(SelectionListFactory)
    payload = None
    title = "DORN"
    lead_institution = "Institut de Recherche en Astrophysique et Planétologie"
    country = "FR"
    order = factory.Sequence(lambda n: n)


def payload_factory(
    *,
    conditions: int = 0,
    agreements: int = 0,
    milestones: int = 0,
    team: int = 0,
    **kwargs,
) -> Payload:
    """A payload with `conditions` open conditions (the payload conditional
    then, unless a status is given), `agreements` draft agreements required by
    its call, `milestones` milestones 30 days apart from a month ahead, and
    `team` confirmed co-investigators with accounts. `kwargs` go to
    PayloadFactory (e.g. `opportunity=…` is not one: pass
    `version__proposal__opportunity=call`)."""
    if conditions and "status" not in kwargs:
        kwargs.setdefault("conditional", True)
    payload = PayloadFactory(**kwargs)
    for index in range(conditions):
        ConditionFactory(
            payload=payload, order=index + 1, text=f"Condition {index + 1}."
        )
    for _index in range(agreements):
        AgreementFactory(payload=payload)
    today = timezone.localdate()
    for index in range(milestones):
        MilestoneFactory(
            payload=payload,
            kind=list(MilestoneKind)[index % len(MilestoneKind)],
            name=f"Milestone {index + 1}",
            planned_date=today + timedelta(days=30 * (index + 1)),
            order=index + 1,
        )
    for _index in range(team):
        TeamMemberFactory(proposal=payload.proposal, user=UserFactory(), confirmed=True)
    return payload
