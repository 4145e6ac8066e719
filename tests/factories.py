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
    # The model's default is Chinese (CNSA's contacts); tests read English.
    preferred_language = "en"


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


# --- review (appended by the reviews helper; models named by label, imports
# local, so this block needs no import above) -----------------------------------


def _version_submitted_at(proposal):
    """A day before the stage deadline of the proposal, so version_for_review
    returns the version."""
    opportunity = proposal.opportunity
    deadline = (
        opportunity.loi_deadline
        if proposal.stage == ProposalStage.LETTER_OF_INTENT
        else opportunity.proposal_deadline
    )
    return deadline - timedelta(days=1)


def _snapshot(version):
    from proposals.snapshot import build_snapshot  # noqa: PLC0415

    return build_snapshot(
        version.proposal, reference=version.reference, submitted_at=version.submitted_at
    )


class ProposalVersionFactory(factory.django.DjangoModelFactory):
    """A frozen version, with the real snapshot of its proposal and its current
    documents, submitted a day before its stage deadline. By default the
    proposal is complete and submitted, in a call whose deadline has passed."""

    class Meta:
        model = "proposals.ProposalVersion"
        skip_postgeneration_save = True

    proposal = factory.SubFactory(
        ProposalFactory,
        complete=True,
        submitted=True,
        opportunity=factory.SubFactory(OpportunityFactory, closed=True),
    )
    number = factory.LazyAttribute(lambda o: o.proposal.versions.count() + 1)
    stage = factory.LazyAttribute(lambda o: o.proposal.stage)
    reference = factory.LazyAttribute(lambda o: o.proposal.reference)
    submitted_at = factory.LazyAttribute(lambda o: _version_submitted_at(o.proposal))
    submitted_by = factory.LazyAttribute(lambda o: o.proposal.principal_investigator)
    snapshot = factory.LazyAttribute(_snapshot)

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        if create:
            self.documents.set(
                extracted
                if extracted is not None
                else self.proposal.documents.filter(replaced_at__isnull=True)
            )


class ReviewerFactory(UserFactory):
    """An active account in the Reviewers group, not staff (reviewers work on
    their own site, /review/); `expertise="radon, dust"` also gives it a
    ReviewerProfile. Its email domain is reserved for examples, so it shares no
    institutional domain with anyone."""

    email = factory.Sequence(lambda n: f"reviewer{n}@observatory{n}.example.net")
    institution = factory.Sequence(lambda n: f"Observatory {n}")
    country = "DE"
    is_staff = False

    @factory.post_generation
    def reviewers_group(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group  # noqa: PLC0415

        if create and extracted is not False:
            group, _created = Group.objects.get_or_create(name="Reviewers")
            self.groups.add(group)

    @factory.post_generation
    def expertise(self, create, extracted, **kwargs):
        from reviews.models import ReviewerProfile  # noqa: PLC0415

        if create and extracted is not None:
            ReviewerProfile.objects.create(user=self, expertise=extracted)


def make_review_administrator(**kwargs):
    """A staff account in the Administrators group, which migration
    reviews/0002 grants reviews.manage_reviews."""
    from django.contrib.auth.models import Group  # noqa: PLC0415

    user = UserFactory(staff=True, **kwargs)
    group, _created = Group.objects.get_or_create(name="Administrators")
    user.groups.add(group)
    return user


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """An invited assignment of a proposal under review, due in 14 days, on a
    frozen version. Trait: accepted (no conflict declared). The status is set
    directly: factories build fixtures; only the workflow moves a real one."""

    class Meta:
        model = "reviews.ReviewAssignment"

    version = factory.SubFactory(
        ProposalVersionFactory, proposal__status=ProposalStatus.UNDER_REVIEW
    )
    proposal = factory.SelfAttribute("version.proposal")
    stage = factory.SelfAttribute("version.stage")
    reviewer = factory.SubFactory(ReviewerFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    status = "invited"

    class Params:
        accepted = factory.Trait(
            status="accepted", responded_at=factory.LazyFunction(timezone.now)
        )


class ReviewFactory(factory.django.DjangoModelFactory):
    """A draft review of an accepted assignment. `scores=4` scores every criterion
    of the call 4; `scores={criterion: 5, …}` as given. Trait: submitted (with a
    recommendation and comments)."""

    class Meta:
        model = "reviews.Review"
        skip_postgeneration_save = True

    assignment = factory.SubFactory(ReviewAssignmentFactory, accepted=True)
    status = "draft"

    class Params:
        submitted = factory.Trait(
            status="submitted",
            submitted_at=factory.LazyFunction(timezone.now),
            recommendation="select",
            comments_for_proposer="A clear case; the thermal design needs detail.",
            confidential_comments="The team's budget looks optimistic.",
        )

    @factory.post_generation
    def scores(self, create, extracted, **kwargs):
        from reviews.models import ReviewScore  # noqa: PLC0415

        if not create or extracted is None:
            return
        if isinstance(extracted, int):
            criteria = self.assignment.proposal.opportunity.criteria.all()
            extracted = dict.fromkeys(criteria, extracted)
        ReviewScore.objects.bulk_create(
            ReviewScore(review=self, criterion=criterion, score=score)
            for criterion, score in extracted.items()
        )


# --- discussion (appended by the discussion helper) ------------------------------


class DiscussionPostFactory(factory.django.DjangoModelFactory):
    """A message in a proposal's thread at its current stage; give `author`
    (a reviewer of it whose review is submitted, or an administrator)."""

    class Meta:
        model = "reviews.DiscussionPost"

    proposal = factory.SubFactory(ProposalFactory, submitted=True)
    stage = factory.SelfAttribute("proposal.stage")
    author = factory.SubFactory(UserFactory, staff=True)
    body = factory.Sequence(lambda n: f"Message {n}: the thermal margin worries me.")


class BidFactory(factory.django.DjangoModelFactory):
    """An eager bid of a reviewer on a submitted proposal; `preference=` any
    reviews.enums.BidPreference value."""

    class Meta:
        model = "reviews.Bid"

    proposal = factory.SubFactory(ProposalFactory, submitted=True)
    reviewer = factory.SubFactory(ReviewerFactory)
    preference = "eager"
