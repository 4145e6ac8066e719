"""The demonstration call in review, for the reviewers' and administrators' journeys.

`seed_demo_review` is a step of catalogue.seed.demo.DEMO_STEPS, run after the
demonstration proposals (proposals.seed). Through the services, as the people
concerned would:

1. loads the call of catalogue.seed.demo_calls.demo_review_call_spec (deadline
   3 days ago) as published, and four more demonstration researchers
   (researcher3…6@example.org, the demonstration password, verified emails);
2. builds six proposals and submits each before the deadline (the services'
   clock `now=` set a few days earlier), then closes the call through
   catalogue.workflow;
3. gives both demonstration reviewers expertise keywords, plans the assignments
   (reviews.assignment, two reviewers per proposal) and applies the plan as
   admin@example.org, due in three weeks;
4. reviewer2 accepts and submits five reviews and leaves one invitation
   pending; reviewer1 accepts one and saves a draft, and leaves five pending.

No decision is recorded: admin@example.org ranks, plans the manifest, decides
and releases. Running it again creates nothing twice: proposals are found by
(call, principal investigator, title); the plan only fills the reviewer places
still empty; a scripted review is written only while its assignment is still
untouched (invited); due dates closer than a week are moved three weeks ahead.
A proposal missing from a closed call is added by reopening the call for the
submission and closing it again; a decided or cancelled call is left alone.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import workflow as catalogue_workflow
from catalogue.enums import CarrierKind, OpportunityStatus
from catalogue.models import Opportunity
from catalogue.seed.demo import sync_account
from catalogue.seed.demo_calls import (
    REVIEW_CALL_SLUG,
    demo_review_call_spec,
    load_demo_call,
)
from catalogue.seed.upsert import SeedReport
from proposals.models import Proposal
from proposals.seed import (
    DemoProposal,
    build_proposal,
    demo_user,
    find_proposal,
    submit_demo_proposal,
)
from reviews import services
from reviews.assignment import plan_assignments
from reviews.enums import AssignmentStatus, Recommendation, ReviewStatus
from reviews.models import ReviewAssignment, ReviewerProfile

ADMIN = "admin@example.org"
REVIEWER1 = "reviewer1@example.org"
REVIEWER2 = "reviewer2@example.org"
DUE_IN = timedelta(days=21)
MOVE_DUE_WITHIN = timedelta(days=7)

EXTRA_RESEARCHERS: list[dict] = [
    {
        "email": f"researcher{number}@example.org",
        "full_name": name,
        "institution": institution,
        "country": country,
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
    }
    for number, name, institution, country in (
        (3, "Dr. Ayesha Siddiqui", "Institute of Space Technology, Islamabad", "PK"),
        (4, "Prof. Ahmed Hassan", "Cairo University", "EG"),
        (5, "Dr. Giulia Rossi", "Sapienza University of Rome", "IT"),
        (6, "Dr. Kittipong Srisuk", "Chulalongkorn University", "TH"),
    )
]

EXPERTISE = {
    REVIEWER1: (
        "in-situ resource utilisation, regolith, lunar dust, plasma, radiation, "
        "instrument engineering"
    ),
    REVIEWER2: (
        "mass spectrometry, volatiles, laser ranging, geodesy, seismology, "
        "radio astronomy"
    ),
}


@dataclass(frozen=True)
class ReviewScript:
    """What one reviewer does with one assignment. `scores`: one per criterion,
    in the call's order (None leaves it unscored); submitted or left a draft."""

    reviewer: str
    scores: tuple[int | None, ...]
    recommendation: str
    comments: str
    confidential: str = ""
    submit: bool = True


@dataclass(frozen=True)
class InReview:
    """A proposal of the call in review, who leads it, and its reviews."""

    pi: str
    spec: DemoProposal
    submitted_days_early: int
    reviews: tuple[ReviewScript, ...] = ()


def _spec(title, abstract, keywords, carrier, resources, *, co_investigators=()):
    return DemoProposal(
        title=title,
        abstract=abstract,
        keywords=keywords,
        objectives=f"{abstract} Results published within a year of landing.",
        relevance=(
            "Chang'E-8 verifies the in-situ use of lunar resources and forms, "
            "with Chang'E-7, the basic model of the research station."
        ),
        payload=f"{title}: flight model derived from the team's prototype.",
        trl=6,
        carrier=carrier,
        resources=resources,
        co_investigators=co_investigators,
    )


S = Recommendation.SELECT
C = Recommendation.SELECT_WITH_CONDITIONS
N = Recommendation.DO_NOT_SELECT

PROPOSALS: list[InReview] = [
    InReview(
        pi="researcher1@example.org",
        spec=_spec(
            "Regolith oxygen extraction demonstrator",
            "Extracts oxygen from heated regolith by hydrogen reduction and "
            "measures the yield.",
            "in-situ resource utilisation, regolith, oxygen extraction",
            CarrierKind.LANDER,
            (12, 45, 58, 50, (350, 250, 250)),
            co_investigators=("researcher2@example.org",),
        ),
        submitted_days_early=4,
        reviews=(
            ReviewScript(
                REVIEWER2,
                (5, 4, 4),
                S,
                "A compelling demonstration of resource use with a clear "
                "measurement of the yield. Show the thermal margins of the oven.",
                "Strongest proposal of the call in my view.",
            ),
            ReviewScript(
                REVIEWER1,
                (4, None, None),
                "",
                "Clear objectives; I still have to read the technical annex.",
                submit=False,
            ),
        ),
    ),
    InReview(
        pi="researcher2@example.org",
        spec=_spec(
            "Broadband seismometer for the lunar south pole",
            "Records moonquakes and meteoroid impacts to probe the crust and "
            "mantle under the south pole.",
            "seismology, lunar interior, moonquakes",
            CarrierKind.LANDER,
            (6, 5, 8, 300, (200, 200, 200)),
            co_investigators=("researcher1@example.org",),
        ),
        submitted_days_early=2,
        reviews=(
            ReviewScript(
                REVIEWER2,
                (4, 5, 3),
                S,
                "Mature instrument and a solid plan; the science case would gain "
                "from a network with other stations.",
            ),
        ),
    ),
    InReview(
        pi="researcher3@example.org",
        spec=_spec(
            "Laser retroreflector array for lunar geodesy",
            "A passive array of corner cubes for laser ranging from Earth and "
            "from orbit.",
            "laser ranging, geodesy, lunar libration",
            CarrierKind.LANDER,
            (Decimal("2.5"), 0, 0, 0, (150, 150, 80)),
        ),
        submitted_days_early=6,
        reviews=(
            ReviewScript(
                REVIEWER2,
                (3, 5, 3),
                C,
                "Very low cost to the mission and certain to work. Confirm the "
                "dust protection of the corner cubes.",
            ),
        ),
    ),
    InReview(
        pi="researcher4@example.org",
        spec=_spec(
            "Lunar dust and plasma environment monitor",
            "Measures dust charging and the plasma sheath near the surface "
            "through the lunar day.",
            "lunar dust, plasma, radiation",
            CarrierKind.LANDER,
            (7, 12, 20, 120, (250, 200, 180)),
        ),
        submitted_days_early=1,
        reviews=(
            ReviewScript(
                REVIEWER2,
                (4, 3, 4),
                C,
                "Relevant measurements for future crewed operations; the "
                "calibration plan needs more detail.",
            ),
        ),
    ),
    InReview(
        pi="researcher5@example.org",
        spec=_spec(
            "Volatile analyser for polar regolith",
            "A mass spectrometer that heats drilled regolith and identifies the "
            "volatiles released.",
            "mass spectrometry, volatiles, water ice",
            CarrierKind.LANDER,
            (13, 40, 55, 200, (380, 280, 260)),
        ),
        submitted_days_early=3,
        reviews=(
            ReviewScript(
                REVIEWER2,
                (3, 2, 3),
                N,
                "Interesting science, but the sample handling depends on a drill "
                "the mission does not offer.",
                "Overlaps with the oxygen extraction demonstrator.",
            ),
        ),
    ),
    InReview(
        pi="researcher6@example.org",
        spec=_spec(
            "Low-frequency radio spectrometer on the orbiter",
            "Observes the sky below 30 MHz from lunar orbit, shielded from "
            "Earth's radio noise on the far side.",
            "radio astronomy, low frequency, cosmic dawn",
            CarrierKind.ORBITER,
            (Decimal("6.5"), 25, 32, 800, (350, 250, 200)),
        ),
        submitted_days_early=5,
    ),
]


# --- the steps ------------------------------------------------------------------


def _load_call(*, report: SeedReport) -> Opportunity:
    """Published when new; an existing call keeps its status (closed, decided…),
    only its dates and texts follow the seed."""
    spec = demo_review_call_spec(timezone.localdate())
    if Opportunity.objects.filter(slug=REVIEW_CALL_SLUG).exists():
        values = {k: v for k, v in spec["opportunity"].items() if k != "status"}
        spec = {**spec, "opportunity": values}
    return load_demo_call(spec, report=report)


def _add_missing_proposals(opportunity: Opportunity, *, admin) -> int:
    """Build and submit, before the deadline, the proposals not there yet."""
    missing = [
        item
        for item in PROPOSALS
        if find_proposal(
            opportunity=opportunity, pi=demo_user(item.pi), title=item.spec.title
        )
        is None
    ]
    if not missing or opportunity.status not in {
        OpportunityStatus.PUBLISHED,
        OpportunityStatus.CLOSED,
    }:
        return 0
    if opportunity.status == OpportunityStatus.CLOSED:
        catalogue_workflow.transition(
            opportunity,
            to=OpportunityStatus.PUBLISHED,
            actor=admin,
            note=_("Reopened by the demonstration seed to add its proposals."),
        )
    for item in missing:
        now = opportunity.proposal_deadline - timedelta(
            days=item.submitted_days_early, hours=item.submitted_days_early
        )
        proposal = build_proposal(
            opportunity=opportunity, pi=demo_user(item.pi), spec=item.spec, now=now
        )
        submit_demo_proposal(proposal, now=now)
    return len(missing)


def _close(opportunity: Opportunity, *, admin) -> None:
    if (
        opportunity.status == OpportunityStatus.PUBLISHED
        and timezone.now() >= opportunity.proposal_deadline
    ):
        catalogue_workflow.transition(
            opportunity,
            to=OpportunityStatus.CLOSED,
            actor=admin,
            note=_("Deadline passed: closed for review (demonstration)."),
        )


def _give_expertise(*, admin) -> None:
    for email, expertise in EXPERTISE.items():
        reviewer = demo_user(email)
        profile = ReviewerProfile.objects.filter(user=reviewer).first()
        if profile is None or not profile.expertise.strip():
            services.update_reviewer_profile(
                reviewer=reviewer, actor=admin, expertise=expertise
            )


def _assign(opportunity: Opportunity, *, admin) -> int:
    reviewers = (
        get_user_model()
        .objects.filter(email__in=[REVIEWER1, REVIEWER2])
        .select_related("reviewer_profile")
    )
    plan = plan_assignments(opportunity=opportunity, reviewers=reviewers)
    if not plan.assignments:
        return 0
    made = services.apply_plan(plan=plan, due=timezone.now() + DUE_IN, actor=admin)
    return len(made)


def _scores(assignment: ReviewAssignment, script: ReviewScript) -> dict[int, int]:
    criteria = assignment.proposal.opportunity.criteria.order_by("order", "pk")
    return {
        criterion.pk: score
        for criterion, score in zip(criteria, script.scores, strict=False)
        if score is not None
    }


def _review(assignment: ReviewAssignment, script: ReviewScript) -> None:
    """Accept, score and (when scripted) submit an untouched assignment."""
    reviewer = assignment.reviewer
    services.accept_assignment(assignment=assignment, actor=reviewer)
    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    services.save_review_draft(
        review=review,
        actor=reviewer,
        scores=_scores(assignment, script),
        comments_for_proposer=script.comments,
        confidential_comments=script.confidential,
        recommendation=script.recommendation,
    )
    if script.submit:
        services.submit_review(review=review, actor=reviewer)


def _play_reviews(opportunity: Opportunity) -> None:
    for item in PROPOSALS:
        proposal = find_proposal(
            opportunity=opportunity, pi=demo_user(item.pi), title=item.spec.title
        )
        if proposal is None:
            continue
        for script in item.reviews:
            assignment = (
                ReviewAssignment.objects.filter(
                    proposal=proposal,
                    reviewer__email=script.reviewer,
                    status=AssignmentStatus.INVITED,
                )
                .select_related("reviewer", "proposal__opportunity")
                .first()
            )
            if assignment is not None:
                _review(assignment, script)


def _pending(opportunity: Opportunity):
    """Active assignments of the call whose review is not submitted."""
    return (
        ReviewAssignment.objects.filter(
            proposal__opportunity=opportunity,
            status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED],
        )
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related("reviewer")
    )


def _keep_due_dates_ahead(opportunity: Opportunity, *, admin) -> None:
    now = timezone.now()
    for assignment in _pending(opportunity).filter(due_at__lt=now + MOVE_DUE_WITHIN):
        services.change_due_date(assignment=assignment, due=now + DUE_IN, actor=admin)


def _summary(opportunity: Opportunity, *, created: int, assigned: int) -> list[str]:
    proposals = Proposal.objects.filter(opportunity=opportunity).order_by("reference")
    references = [p.reference for p in proposals if p.reference]
    lines = [
        _(
            "Demonstration call in review: %(slug)s — %(status)s, deadline "
            "%(deadline)s (Beijing time)"
        )
        % {
            "slug": opportunity.slug,
            "status": opportunity.get_status_display().lower(),
            "deadline": timezone.localtime(opportunity.proposal_deadline).strftime(
                "%Y-%m-%d %H:%M"
            ),
        },
        _("  Demo researchers %(emails)s (the same password)")
        % {"emails": ", ".join(account["email"] for account in EXTRA_RESEARCHERS)},
        _("  %(count)d proposals (%(created)d created now): %(references)s")
        % {
            "count": len(references),
            "created": created,
            "references": ", ".join(references),
        },
    ]
    for email in (REVIEWER1, REVIEWER2):
        assignments = ReviewAssignment.objects.filter(
            proposal__opportunity=opportunity, reviewer__email=email
        )
        submitted = assignments.filter(review__status=ReviewStatus.SUBMITTED).count()
        pending = _pending(opportunity).filter(reviewer__email=email).count()
        lines.append(
            _("  %(email)s: %(submitted)d reviews submitted, %(pending)d to do")
            % {"email": email, "submitted": submitted, "pending": pending}
        )
    lines.append(
        _(
            "  %(assigned)d assignments made now; no decision recorded: %(admin)s "
            "ranks, plans the manifest, decides and releases."
        )
        % {"assigned": assigned, "admin": ADMIN}
    )
    return lines


def seed_demo_review() -> list[str]:
    """The call in review: its proposals, reviewers' assignments and reviews."""
    report = SeedReport()
    for account in EXTRA_RESEARCHERS:
        sync_account(account, report=report)
    admin = demo_user(ADMIN)
    opportunity = _load_call(report=report)
    created = _add_missing_proposals(opportunity, admin=admin)
    _close(opportunity, admin=admin)
    assigned = 0
    if opportunity.status == OpportunityStatus.CLOSED:
        _give_expertise(admin=admin)
        assigned = _assign(opportunity, admin=admin)
        _play_reviews(opportunity)
        _keep_due_dates_ahead(opportunity, admin=admin)
    return _summary(opportunity, created=created, assigned=assigned)
