"""factory_boy factories shared by every test; traits name the usual states."""

import hashlib
import io
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
    CooperationTable,
    EvaluationCriterion,
    Mission,
    MissionSubscription,
    Opportunity,
    OpportunityDocument,
    RequiredDocument,
    Statement,
)
from proposals.enums import ProposalStage, ProposalStatus, TeamRole
from proposals.models import Proposal, ProposalDocument, TeamMember

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


class OpportunityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityDocument

    opportunity = factory.SubFactory(OpportunityFactory)
    title = "Announcement of Opportunity (full text)"
    file = factory.django.FileField(
        filename="announcement.pdf", data=b"%PDF-1.4 announcement"
    )


class CooperationTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationTable

    slug = factory.Sequence(lambda n: f"table-{n}")
    section_en = "Space science"
    title_en = factory.Sequence(lambda n: f"Opportunities {n}")
    columns_en = factory.LazyFunction(lambda: ["Area", "System", "Application"])
    rows_en = factory.LazyFunction(
        lambda: [["Space astronomy", "open", "open"], ["Space physics", "open", "open"]]
    )


def make_pdf(*, pages: int = 1, password: str = "") -> bytes:
    """A real PDF of blank A4 pages, encrypted when given a password."""
    from pypdf import PdfWriter  # noqa: PLC0415 — only the proposal tests need it

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class ProposalFactory(factory.django.DjangoModelFactory):
    """A full-stage draft with a title only.

    Traits: complete (every section of a full proposal filled, on a carrier of
    its call, within that carrier's envelope), letter (a letter of intent in a
    call with a letter stage), submitted (with a reference number). Stage and
    status are set directly: factories build fixtures; only the workflow moves a
    real proposal.
    """

    class Meta:
        model = Proposal

    opportunity = factory.SubFactory(OpportunityFactory)
    principal_investigator = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Lunar dust and radon monitor {n}")

    class Params:
        complete = factory.Trait(
            abstract="Measures radon and charged dust at the landing site.",
            keywords="radon, dust, regolith",
            objectives="Map radon exhalation through a lunar day.",
            relevance="Complements the lander's environment survey.",
            payload_description="A 4.5 kg detector with its own electronics.",
            trl=6,
            heritage="Derived from the DORN instrument on Chang'E-6.",
            carrier=factory.SubFactory(
                CarrierFactory, opportunity=factory.SelfAttribute("..opportunity")
            ),
            mass_kg=Decimal("4.500"),
            power_avg_w=Decimal("8.0"),
            power_peak_w=Decimal("12.0"),
            data_mb_per_day=Decimal("50.0"),
            length_mm=200,
            width_mm=150,
            height_mm=100,
            operations_needs="Switched on after landing; runs through the lunar day.",
            funding_statement="Funded by the national space agency of the team.",
        )
        letter = factory.Trait(
            stage=ProposalStage.LETTER_OF_INTENT,
            opportunity=factory.SubFactory(OpportunityFactory, with_loi=True),
        )
        submitted = factory.Trait(
            status=ProposalStatus.SUBMITTED,
            reference=factory.Sequence(lambda n: f"TST-2026-{n:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )


class TeamMemberFactory(factory.django.DjangoModelFactory):
    """An unconfirmed co-investigator with no account; trait confirmed."""

    class Meta:
        model = TeamMember

    proposal = factory.SubFactory(ProposalFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"member{n}@institute{n}.example.org")
    institution = factory.Sequence(lambda n: f"Partner Institute {n}")
    country = "IT"
    role = TeamRole.CO_INVESTIGATOR
    invited_at = factory.LazyFunction(timezone.now)

    class Params:
        confirmed = factory.Trait(confirmed_at=factory.LazyFunction(timezone.now))


SAMPLE_PDF = make_pdf(pages=2)


class ProposalDocumentFactory(factory.django.DjangoModelFactory):
    """A stored two-page PDF for one of the call's required documents."""

    class Meta:
        model = ProposalDocument

    proposal = factory.SubFactory(ProposalFactory)
    required_document = factory.SubFactory(
        RequiredDocumentFactory,
        opportunity=factory.SelfAttribute("..proposal.opportunity"),
    )
    file = factory.django.FileField(filename="document.pdf", data=SAMPLE_PDF)
    original_name = "proposal.pdf"
    sha256 = hashlib.sha256(SAMPLE_PDF).hexdigest()
    size = len(SAMPLE_PDF)
    page_count = 2
