"""factory_boy factories shared by every test; traits name the usual states."""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from catalogue.enums import (
    CarrierKind,
    CooperationLevel,
    OpportunityKind,
    OpportunityStatus,
    Programme,
)
from catalogue.models import (
    Amendment,
    Carrier,
    Contact,
    EvaluationCriterion,
    Mission,
    MissionSubscription,
    Opportunity,
    RequiredDocument,
    Statement,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"researcher{n}@university{n}.example.org")
    full_name = factory.Faker("name")
    institution = factory.Sequence(lambda n: f"Institute of Space Science {n}")
    country = "FR"
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Every factory user has a verified primary email unless verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )
        if create:
            self.save()

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)
        chinese = factory.Trait(preferred_language="zh-hans", country="CN")


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"mission-{n}")
    code = factory.Sequence(lambda n: f"M{n}")
    name_en = factory.Sequence(lambda n: f"Chang'E-{n}")
    name_zh_hans = factory.Sequence(lambda n: f"嫦娥{n}号")
    programme = Programme.LUNAR
    target_en = "Lunar south pole"
    summary_en = "Resources and environment survey of the lunar south pole"
    launch_window = "2026"
    launch_year = 2026


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        django_get_or_create = ("email",)

    name = factory.Sequence(lambda n: f"Contact {n}")
    department = "Department of International Cooperation, CNSA"
    phone = "+86-10-88581246"
    email = factory.Sequence(lambda n: f"contact{n}@cnsa.example.org")


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A published call open now, with a deadline 30 days ahead.

    Traits: draft, closed, decided, cancelled, with_loi (a letter-of-intent stage).
    The status is set directly here: factories build fixtures; only the
    workflow moves a real opportunity.
    """

    class Meta:
        model = Opportunity

    mission = factory.SubFactory(MissionFactory)
    slug = factory.Sequence(lambda n: f"call-{n}")
    title_en = factory.Sequence(lambda n: f"Payloads on mission {n}")
    title_zh_hans = factory.Sequence(lambda n: f"任务{n}载荷机遇公告")
    summary_en = "Flight opportunities for international payloads."
    kind = OpportunityKind.FLIGHT_PAYLOAD
    cooperation_level = CooperationLevel.EQUIPMENT
    status = OpportunityStatus.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    proposal_deadline = factory.LazyFunction(
        lambda: timezone.now() + timedelta(days=30)
    )
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    reviewers_per_proposal = 2

    class Params:
        draft = factory.Trait(status=OpportunityStatus.DRAFT, published_at=None)
        closed = factory.Trait(
            status=OpportunityStatus.CLOSED,
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=90)),
            proposal_deadline=factory.LazyFunction(
                lambda: timezone.now() - timedelta(days=1)
            ),
        )
        decided = factory.Trait(
            status=OpportunityStatus.DECIDED,
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=400)),
            proposal_deadline=factory.LazyFunction(
                lambda: timezone.now() - timedelta(days=300)
            ),
        )
        cancelled = factory.Trait(status=OpportunityStatus.CANCELLED)
        with_loi = factory.Trait(
            loi_deadline=factory.LazyFunction(
                lambda: timezone.now() + timedelta(days=5)
            )
        )


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier

    opportunity = factory.SubFactory(OpportunityFactory)
    kind = CarrierKind.LANDER
    name_en = "Lander"
    total_mass_kg = Decimal("10.000")
    max_payload_mass_kg = Decimal("10.000")
    power_w = Decimal("30.0")
    data_mb_per_day = Decimal("500.0")
    max_size_mm = "300 × 300 × 300"


class EvaluationCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    opportunity = factory.SubFactory(OpportunityFactory)
    name_en = factory.Iterator(
        ["Scientific value", "Technical feasibility", "International collaboration"]
    )
    weight = Decimal("40.00")


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    opportunity = factory.SubFactory(OpportunityFactory)
    name_en = "Full proposal"
    page_limit = 20


class AmendmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amendment

    opportunity = factory.SubFactory(OpportunityFactory)
    title_en = "Deadline extended"
    body_en = "The proposal deadline moves by two weeks."


class MissionSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissionSubscription

    user = factory.SubFactory(UserFactory)
    mission = factory.SubFactory(MissionFactory)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    opportunity = factory.SubFactory(OpportunityFactory)
    text_en = "We fund our own payload and its delivery to China."
