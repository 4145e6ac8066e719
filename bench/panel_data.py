"""A review panel at scale, built with bulk inserts: the data of `bench.panel`.

One call (published, then closed) of a mission with three carriers and
weighted criteria summing to 100 %, its submitted proposals (principal
investigator, two team members, a frozen version each), a pool of reviewers
(Reviewers group, not staff, with an authenticator app), assignments with
submitted reviews and a score per criterion (a few still outstanding), bids,
discussion threads, consensus reports, recorded decisions not yet released, and
the call's panel with bidding and discussion open, so that every panel page and
the reviewers' bid sheet have something to show.

Rows are made with `bulk_create`, as tests/factories.py makes fixtures: this is
data, not a workflow, so states are set directly. Everything is seeded, so two
builds of one size are alike. The pieces are separate functions so that a bigger
bench (many calls sharing one pool of reviewers) can call them in a loop:
`ensure_administrator`, `ensure_reviewers`, `build_call`; `build_panel_call` puts
them together and `find_panel_call` finds a call built before.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

BATCH = 2000
REVIEWERS_GROUP = "Reviewers"
ADMINISTRATORS_GROUP = "Administrators"
ADMINISTRATOR_EMAIL = "bench-admin@cnsa.example.org"
REVIEWER_EMAIL = "bench-reviewer{n:04d}@observatory{n}.example.net"
# The secret of every bench authenticator app: the published demo secret of
# tests/mfa.py, not a credential.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
CRITERIA = [
    ("Scientific value", Decimal(50)),
    ("Technical feasibility", Decimal(30)),
    ("International collaboration", Decimal(20)),
]
# name, kind, total kg, kg per payload, W, MB per day, share of proposals
CARRIERS = [
    ("Lander", "lander", 200, 20, 500, 20000, 6),
    ("Orbiter", "orbiter", 15, 5, 50, 8000, 3),
    ("Rover", "rover", 30, 10, 90, 2000, 1),
]
COUNTRIES = [
    "AE", "AR", "AT", "AU", "BE", "BR", "CA", "CH", "CL", "CN", "CZ", "DE", "DK", "EG",
    "ES", "ET", "FI", "FR", "GB", "GR", "HU", "ID", "IN", "IT", "JP", "KR", "MX", "NG",
    "NL", "NO", "NZ", "PK", "PL", "PT", "RU", "SA", "SE", "TH", "TR", "ZA",
]  # fmt: skip
KEYWORDS = [
    "regolith", "radon", "lunar dust", "mass spectrometry", "seismometry",
    "heat flow", "magnetometry", "ground-penetrating radar", "neutron spectroscopy",
    "volatiles", "water ice", "plasma", "solar wind", "cosmic rays", "dosimetry",
    "optical imaging", "infrared spectroscopy", "laser ranging", "retroreflector",
    "astrobiology", "space weather", "exosphere", "electrostatic charging",
    "thermal modelling", "sample analysis", "low-frequency radio astronomy",
]  # fmt: skip
PROSE = (
    "the payload measures a lunar surface environment through the day and night "
    "with a compact sensor head and its own electronics calibrated before launch "
    "data are returned each day and compared with models of the exosphere while "
    "the team shares results with the mission scientists and publishes them openly"
)
WORDS = PROSE.split()
BID_MIX = [("eager", 20), ("willing", 35), ("not_willing", 35), ("conflict", 10)]
OUTCOMES = ["selected", "conditionally_selected", "not_selected"]


@dataclass(frozen=True)
class PanelCall:
    """What a bench needs to find again: the call, who signs in, and where."""

    opportunity_id: int
    administrator_id: int
    reviewer_id: int  # a reviewer with assignments, bids and discussions
    proposal_id: int  # a proposal with a discussion thread the reviewer is in
    assignment_id: int  # the reviewer's assignment of that proposal


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _chunks(objects, size: int = BATCH):
    return [objects[i : i + size] for i in range(0, len(objects), size)]


def _bulk(model, objects: list) -> list:
    """bulk_create in batches; PostgreSQL returns the new primary keys."""
    return model.objects.bulk_create(objects, batch_size=BATCH)


def _group(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    return group


def _add_to_group(group: Group, user_ids: list[int]) -> None:
    from accounts.models import User  # noqa: PLC0415

    through = User.groups.through
    present = set(
        through.objects.filter(group=group, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    _bulk(
        through,
        [through(group=group, user_id=pk) for pk in user_ids if pk not in present],
    )


def _enable_totp(user_ids: list[int]) -> None:
    from allauth.mfa.models import Authenticator  # noqa: PLC0415
    from allauth.mfa.utils import encrypt  # noqa: PLC0415

    present = set(
        Authenticator.objects.filter(
            user_id__in=user_ids, type=Authenticator.Type.TOTP
        ).values_list("user_id", flat=True)
    )
    secret = encrypt(TOTP_SECRET)
    _bulk(
        Authenticator,
        [
            Authenticator(
                user_id=pk, type=Authenticator.Type.TOTP, data={"secret": secret}
            )
            for pk in user_ids
            if pk not in present
        ],
    )


def _verified_emails(users) -> None:
    from allauth.account.models import EmailAddress  # noqa: PLC0415

    _bulk(
        EmailAddress,
        [
            EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True)
            for user in users
        ],
    )


def ensure_administrator() -> int:
    """A superuser in the Administrators group with an authenticator app, as
    the demo seed's administrator."""
    from accounts.models import User  # noqa: PLC0415

    user = User.objects.filter(email=ADMINISTRATOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            ADMINISTRATOR_EMAIL,
            password=None,
            full_name="Bench Administrator",
            institution="CNSA",
            country="CN",
            is_staff=True,
            is_superuser=True,
        )
        _verified_emails([user])
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    _add_to_group(_group(ADMINISTRATORS_GROUP), [user.pk])
    _enable_totp([user.pk])
    return user.pk


def ensure_reviewers(count: int, *, seed: int = 2026) -> list[int]:
    """`count` reviewers (Reviewers group, not staff, TOTP, a profile with
    expertise keywords), the first `count` of a fixed series: made if missing."""
    from accounts.models import User  # noqa: PLC0415
    from reviews.models import ReviewerProfile  # noqa: PLC0415

    rng = random.Random(seed)
    emails = [REVIEWER_EMAIL.format(n=n) for n in range(count)]
    existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    password = make_password(None)
    new = _bulk(
        User,
        [
            User(
                email=email,
                password=password,
                full_name=f"Reviewer {n:04d}",
                institution=f"Observatory {n}",
                country=rng.choice(COUNTRIES),
            )
            for n, email in enumerate(emails)
            if email not in existing
        ],
    )
    _verified_emails(new)
    _bulk(
        ReviewerProfile,
        [
            ReviewerProfile(user=user, expertise=", ".join(rng.sample(KEYWORDS, 4)))
            for user in new
        ],
    )
    existing.update({user.email: user.pk for user in new})
    ids = [existing[email] for email in emails]
    _add_to_group(_group(REVIEWERS_GROUP), ids)
    _enable_totp(ids)
    return ids


def _mission(code: str):
    from catalogue.enums import Programme  # noqa: PLC0415
    from catalogue.models import Mission  # noqa: PLC0415

    mission, _created = Mission.objects.get_or_create(
        code=code,
        defaults={
            "slug": f"bench-{code.lower()}",
            "name_en": f"Bench mission {code}",
            "programme": Programme.LUNAR,
            "target_en": "Lunar south pole",
            "summary_en": "A mission for the bench",
            "launch_window": "2030",
            "launch_year": 2030,
        },
    )
    return mission


def _call(*, slug: str, mission, proposals: int, now):
    from catalogue.enums import CooperationLevel, OpportunityKind  # noqa: PLC0415
    from catalogue.models import (  # noqa: PLC0415
        Carrier,
        EvaluationCriterion,
        Opportunity,
        RequiredDocument,
    )

    (opportunity,) = _bulk(
        Opportunity,
        [
            Opportunity(
                mission=mission,
                slug=slug,
                title_en=f"Payloads for a popular call ({proposals} proposals)",
                summary_en="Flight opportunities for international payloads.",
                kind=OpportunityKind.FLIGHT_PAYLOAD,
                cooperation_level=CooperationLevel.EQUIPMENT,
                science_areas="lunar and planetary science",
                status="closed",
                dual_anonymous=True,
                # Three reviewers each are assigned: the fourth is what the
                # automatic plan is for (2,000 pairs to plan).
                reviewers_per_proposal=4,
                opens_at=now - timedelta(days=150),
                proposal_deadline=now - timedelta(days=40),
                published_at=now - timedelta(days=150),
            )
        ],
    )
    carriers = _bulk(
        Carrier,
        [
            Carrier(
                opportunity=opportunity,
                kind=kind,
                name_en=name,
                total_mass_kg=Decimal(total),
                max_payload_mass_kg=Decimal(per_payload),
                power_w=Decimal(power),
                data_mb_per_day=Decimal(data),
                order=order,
            )
            for order, (name, kind, total, per_payload, power, data, _share) in (
                enumerate(CARRIERS)
            )
        ],
    )
    criteria = _bulk(
        EvaluationCriterion,
        [
            EvaluationCriterion(
                opportunity=opportunity, name_en=name, weight=weight, order=order
            )
            for order, (name, weight) in enumerate(CRITERIA)
        ],
    )
    _bulk(
        RequiredDocument,
        [RequiredDocument(opportunity=opportunity, name_en="Full proposal", order=0)],
    )
    return opportunity, carriers, criteria


def _principal_investigators(slug: str, count: int, rng: random.Random) -> list:
    from accounts.models import User  # noqa: PLC0415

    password = make_password(None)
    pis = _bulk(
        User,
        [
            User(
                email=f"pi{n:05d}@{slug}.university{n % 97}.example.org",
                password=password,
                full_name=f"Investigator {n:05d}",
                institution=f"University {n % 97}",
                country=rng.choices(
                    COUNTRIES, weights=[1 / (r + 1) for r in range(len(COUNTRIES))]
                )[0],
            )
            for n in range(count)
        ],
    )
    _verified_emails(pis)
    return pis


def _proposals(*, opportunity, carriers, pis, rng, now) -> list:
    from proposals.models import Proposal, ReferenceCounter  # noqa: PLC0415

    deadline = opportunity.proposal_deadline
    code = opportunity.mission.code
    year = deadline.year
    shares = [c[6] for c in CARRIERS]
    # References go on from the mission's counter: calls share a mission.
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        mission=opportunity.mission, year=year
    )
    first = counter.last_number + 1
    rows = []
    for n, pi in enumerate(pis, start=first):
        carrier_index = rng.choices(range(len(carriers)), weights=shares)[0]
        per_payload = CARRIERS[carrier_index][3]
        mass = min(per_payload, max(0.05, rng.lognormvariate(0, 0.9) * 2.5))
        power = round(min(60, mass * rng.uniform(1.5, 4) + rng.uniform(0.5, 3)), 1)
        rows.append(
            Proposal(
                opportunity=opportunity,
                principal_investigator=pi,
                stage="full",
                status="under_review",
                reference=f"{code}-{year}-{n:04d}",
                title=f"{rng.choice(KEYWORDS).capitalize()} experiment {n}",
                abstract=_text(rng, 140),
                keywords=", ".join(rng.sample(KEYWORDS, 3)),
                objectives=_text(rng, 80),
                relevance=_text(rng, 40),
                payload_description=_text(rng, 80),
                trl=rng.randint(4, 8),
                heritage=_text(rng, 30),
                carrier=carriers[carrier_index],
                mass_kg=Decimal(f"{mass:.3f}"),
                power_avg_w=Decimal(f"{power:.1f}"),
                power_peak_w=Decimal(f"{power * 1.5:.1f}"),
                data_mb_per_day=Decimal(f"{min(2000, rng.lognormvariate(5, 1.2)):.1f}"),
                length_mm=rng.randint(80, 400),
                width_mm=rng.randint(80, 300),
                height_mm=rng.randint(50, 250),
                operations_needs=_text(rng, 30),
                funding_statement="Funded by the team's national agency.",
                submitted_at=deadline - timedelta(hours=rng.randint(2, 400)),
            )
        )
    proposals = _bulk(Proposal, rows)
    counter.last_number += len(proposals)
    counter.save(update_fields=["last_number"])
    return proposals


def _team(proposals, rng) -> None:
    from proposals.models import TeamMember  # noqa: PLC0415

    _bulk(
        TeamMember,
        [
            TeamMember(
                proposal=proposal,
                name=f"Co-investigator {proposal.pk}-{m}",
                email=f"member{m}.p{proposal.pk}@institute{proposal.pk % 211}.example.org",  # noqa: E501
                institution=f"Partner Institute {(proposal.pk + m) % 211}",
                country=rng.choice(COUNTRIES),
                role="co_investigator" if m == 0 else "collaborator",
                invited_at=proposal.submitted_at - timedelta(days=10),
                confirmed_at=proposal.submitted_at - timedelta(days=9),
            )
            for proposal in proposals
            for m in range(2)
        ],
    )


def _versions(opportunity, administrator_id: int) -> dict[int, int]:
    """One frozen version per proposal with its real snapshot (built from the
    rows as submission builds it) and the status history; proposal → version."""
    from proposals.models import Proposal, ProposalEvent, ProposalVersion  # noqa: PLC0415
    from proposals.snapshot import build_snapshot  # noqa: PLC0415

    proposals = (
        Proposal.objects.filter(opportunity=opportunity)
        .select_related("opportunity__mission", "principal_investigator", "carrier")
        .prefetch_related(
            "team_members",
            "statement_acceptances",
            "documents__required_document",
            "opportunity__statements",
        )
    )
    review_started = opportunity.proposal_deadline + timedelta(days=2)
    versions, events = [], []
    for proposal in proposals:
        versions.append(
            ProposalVersion(
                proposal=proposal,
                number=1,
                stage=proposal.stage,
                reference=proposal.reference,
                submitted_at=proposal.submitted_at,
                submitted_by_id=proposal.principal_investigator_id,
                snapshot=build_snapshot(
                    proposal,
                    reference=proposal.reference,
                    submitted_at=proposal.submitted_at,
                ),
            )
        )
        events += [
            ProposalEvent(
                proposal=proposal,
                actor_id=proposal.principal_investigator_id,
                at=proposal.submitted_at,
                from_stage="full",
                from_status="draft",
                to_stage="full",
                to_status="submitted",
            ),
            ProposalEvent(
                proposal=proposal,
                actor_id=administrator_id,
                at=review_started,
                from_stage="full",
                from_status="submitted",
                to_stage="full",
                to_status="under_review",
            ),
        ]
    _bulk(ProposalEvent, events)
    return {v.proposal_id: v.pk for v in _bulk(ProposalVersion, versions)}


def _score(quality: float, bias: float, rng: random.Random) -> int:
    return max(1, min(5, round(quality + bias + rng.gauss(0, 0.7))))


def _reviews(
    *,
    proposals,
    versions: dict[int, int],
    criteria,
    reviewer_ids: list[int],
    administrator_id: int,
    per_proposal: int,
    outstanding: float,
    rng: random.Random,
    now,
) -> dict[int, list[tuple[int, str]]]:
    """Assignments, reviews, scores and their histories. Returns, per proposal,
    the (reviewer, review status or "invited") of each assignment."""
    from reviews.models import (  # noqa: PLC0415
        AssignmentEvent,
        Review,
        ReviewAssignment,
        ReviewEvent,
        ReviewScore,
    )

    assigned_at = proposals[0].opportunity.proposal_deadline + timedelta(days=3)
    bias = {pk: rng.gauss(0, 0.5) for pk in reviewer_ids}
    quality = {p.pk: rng.uniform(1.5, 4.5) for p in proposals}
    plan, assignments = {}, []
    for proposal in proposals:
        chosen = rng.sample(reviewer_ids, min(per_proposal, len(reviewer_ids)))
        plan[proposal.pk] = []
        for reviewer_id in chosen:
            roll = rng.random()
            state = (
                "invited"
                if roll < outstanding / 3
                else "draft"
                if roll < outstanding
                else "submitted"
            )
            plan[proposal.pk].append((reviewer_id, state))
            assignments.append(
                ReviewAssignment(
                    proposal=proposal,
                    reviewer_id=reviewer_id,
                    stage="full",
                    version_id=versions[proposal.pk],
                    status="invited" if state == "invited" else "accepted",
                    due_at=now + timedelta(days=rng.randint(-5, 20)),
                    fit=Decimal(f"{rng.uniform(0.1, 1):.3f}"),
                    assigned_by_id=administrator_id,
                    responded_at=None
                    if state == "invited"
                    else assigned_at + timedelta(days=1),
                )
            )
    assignments = _bulk(ReviewAssignment, assignments)
    events = []
    for assignment in assignments:
        events.append(
            AssignmentEvent(
                assignment=assignment,
                actor_id=administrator_id,
                at=assigned_at,
                from_status="",
                to_status="invited",
            )
        )
        if assignment.status == "accepted":
            events.append(
                AssignmentEvent(
                    assignment=assignment,
                    actor_id=assignment.reviewer_id,
                    at=assignment.responded_at,
                    from_status="invited",
                    to_status="accepted",
                )
            )
    _bulk(AssignmentEvent, events)

    states = {
        (proposal_id, reviewer_id): state
        for proposal_id, pairs in plan.items()
        for reviewer_id, state in pairs
    }
    rows, scores_by_index = [], []
    submitted_at = assigned_at + timedelta(days=12)
    for assignment in assignments:
        state = states[(assignment.proposal_id, assignment.reviewer_id)]
        if state == "invited":
            continue
        given = [
            _score(quality[assignment.proposal_id], bias[assignment.reviewer_id], rng)
            for _ in criteria
        ]
        if state == "draft":
            given = given[: rng.randint(0, len(criteria) - 1)]
        mean = sum(given) / len(given) if given else 0
        rows.append(
            Review(
                assignment=assignment,
                status=state,
                comments_for_proposer=_text(rng, 90),
                confidential_comments=_text(rng, 35),
                recommendation=""
                if state == "draft"
                else "select"
                if mean >= 4  # noqa: PLR2004 — the top of the 1–5 scale
                else "select_with_conditions"
                if mean >= 3  # noqa: PLR2004
                else "do_not_select",
                submitted_at=submitted_at if state == "submitted" else None,
            )
        )
        scores_by_index.append(given)
    reviews = _bulk(Review, rows)
    _bulk(
        ReviewScore,
        [
            ReviewScore(review=review, criterion=criterion, score=score)
            for review, given in zip(reviews, scores_by_index, strict=True)
            for criterion, score in zip(criteria, given, strict=False)
        ],
    )
    _bulk(
        ReviewEvent,
        [
            ReviewEvent(
                review=review,
                actor_id=review.assignment.reviewer_id,
                at=submitted_at,
                from_status="draft",
                to_status="submitted",
            )
            for review in reviews
            if review.status == "submitted"
        ],
    )
    return plan


def _bids(*, proposals, plan, reviewer_ids, share: float, rng) -> None:
    """Each reviewer bids on the proposals given to them (eager or willing) and
    on `share` of the others (never a conflict on an assigned pair)."""
    from reviews.models import Bid  # noqa: PLC0415

    assigned: dict[int, set[int]] = {pk: set() for pk in reviewer_ids}
    for proposal_id, pairs in plan.items():
        for reviewer_id, _state in pairs:
            assigned[reviewer_id].add(proposal_id)
    proposal_ids = [p.pk for p in proposals]
    others = max(1, round(len(proposal_ids) * share))
    preferences, weights = zip(*BID_MIX, strict=True)
    bids = []
    for reviewer_id in reviewer_ids:
        mine = assigned[reviewer_id]
        bids += [
            Bid(
                proposal_id=pk,
                reviewer_id=reviewer_id,
                preference=rng.choice(["eager", "willing"]),
            )
            for pk in sorted(mine)
        ]
        pool = rng.sample(proposal_ids, min(others, len(proposal_ids)))
        bids += [
            Bid(
                proposal_id=pk,
                reviewer_id=reviewer_id,
                preference=rng.choices(preferences, weights=weights)[0],
            )
            for pk in pool
            if pk not in mine
        ]
    _bulk(Bid, bids)


def _discussions(*, plan, administrator_id: int, threads: int, rng) -> list[int]:
    """Threads on proposals whose reviewers have submitted: a few messages by
    those reviewers and an administrator, and a consensus report by the first.
    Returns the proposals discussed."""
    from reviews.models import ConsensusReport, DiscussionPost  # noqa: PLC0415

    candidates = [
        pk
        for pk, pairs in plan.items()
        if sum(state == "submitted" for _r, state in pairs) >= 2  # noqa: PLR2004
    ]
    chosen = sorted(rng.sample(candidates, min(threads, len(candidates))))
    posts, reports = [], []
    for proposal_id in chosen:
        authors = [r for r, state in plan[proposal_id] if state == "submitted"]
        posts += [
            DiscussionPost(
                proposal_id=proposal_id, stage="full", author_id=author, body=body
            )
            for author, body in [
                (authors[0], _text(rng, 40)),
                (administrator_id, _text(rng, 25)),
                *[(a, _text(rng, 30)) for a in authors[1:]],
            ]
        ]
        reports.append(
            ConsensusReport(
                proposal_id=proposal_id,
                primary_reviewer_id=authors[0],
                body=_text(rng, 80),
                updated_by_id=authors[0],
            )
        )
    _bulk(DiscussionPost, posts)
    _bulk(ConsensusReport, reports)
    return chosen


def _decisions(*, opportunity, proposals, administrator_id, share: float, rng, now):
    """Decisions recorded (not released) for `share` of the proposals."""
    from reviews.enums import DEFAULT_LETTERS  # noqa: PLC0415
    from reviews.models import Decision  # noqa: PLC0415

    chosen = rng.sample(list(proposals), round(len(proposals) * share))
    rows = []
    with translation.override("en"):
        for proposal in chosen:
            outcome = rng.choice(OUTCOMES)
            conditions = (
                "Deliver the thermal model by the design review."
                if outcome == "conditionally_selected"
                else ""
            )
            letter = str(DEFAULT_LETTERS[outcome]).format(
                pi_name=proposal.principal_investigator.full_name,
                title=proposal.title,
                reference=proposal.reference,
                call=opportunity.title_en,
                conditions=conditions,
            )
            rows.append(
                Decision(
                    proposal=proposal,
                    outcome=outcome,
                    conditions=conditions,
                    letter=letter,
                    decided_by_id=administrator_id,
                    decided_at=now - timedelta(days=1),
                )
            )
    _bulk(Decision, rows)


def _panel(opportunity, administrator_id: int, now) -> None:
    """Bidding and discussion both open, so the bid sheet and the threads show;
    a triage line at 20 %."""
    from reviews.models import Panel, PanelEvent  # noqa: PLC0415

    panel = Panel.objects.create(
        opportunity=opportunity,
        bidding="open",
        discussion="open",
        disagreement_threshold=Decimal("1.50"),
        triage_percent=20,
    )
    _bulk(
        PanelEvent,
        [
            PanelEvent(
                panel=panel,
                phase=phase,
                actor_id=administrator_id,
                at=now - timedelta(days=days),
                from_status="not_opened",
                to_status="open",
            )
            for phase, days in (("bidding", 35), ("discussion", 5))
        ],
    )


@transaction.atomic
def build_call(
    *,
    slug: str,
    proposals: int,
    reviewer_ids: list[int],
    administrator_id: int,
    mission_code: str = "BP",
    reviews_per_proposal: int = 3,
    outstanding: float = 0.05,
    bid_share: float = 0.03,
    threads: int = 40,
    decided: float = 0.15,
    seed: int = 2026,
) -> PanelCall:
    """One closed call in review with `proposals` proposals; see the module
    docstring. `outstanding` is the share of assignments not yet submitted (a
    third invited, the rest a draft review), `bid_share` the share of the
    call's proposals each reviewer bids on beyond their own, `decided` the share
    with a decision recorded."""
    rng = random.Random(f"{seed}-{slug}")
    now = timezone.now()
    mission = _mission(mission_code)
    opportunity, carriers, criteria = _call(
        slug=slug, mission=mission, proposals=proposals, now=now
    )
    pis = _principal_investigators(slug, proposals, rng)
    rows = _proposals(
        opportunity=opportunity, carriers=carriers, pis=pis, rng=rng, now=now
    )
    _team(rows, rng)
    versions = _versions(opportunity, administrator_id)
    plan = _reviews(
        proposals=rows,
        versions=versions,
        criteria=criteria,
        reviewer_ids=reviewer_ids,
        administrator_id=administrator_id,
        per_proposal=reviews_per_proposal,
        outstanding=outstanding,
        rng=rng,
        now=now,
    )
    _bids(
        proposals=rows, plan=plan, reviewer_ids=reviewer_ids, share=bid_share, rng=rng
    )
    discussed = _discussions(
        plan=plan, administrator_id=administrator_id, threads=threads, rng=rng
    )
    _decisions(
        opportunity=opportunity,
        proposals=rows,
        administrator_id=administrator_id,
        share=decided,
        rng=rng,
        now=now,
    )
    _panel(opportunity, administrator_id, now)
    return _panel_call(opportunity.pk, administrator_id, discussed)


def _panel_call(opportunity_id: int, administrator_id: int, discussed) -> PanelCall:
    """The reviewer signed in is the one with the most discussion posts on the
    call (then the most assignments), so their index and threads have content."""
    from reviews.models import DiscussionPost, ReviewAssignment  # noqa: PLC0415

    busiest = (
        DiscussionPost.objects.filter(proposal__opportunity_id=opportunity_id)
        .exclude(author_id=administrator_id)
        .values("author_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "author_id")
        .first()
    )
    if busiest is None:
        busiest = (
            ReviewAssignment.objects.filter(proposal__opportunity_id=opportunity_id)
            .values(author_id="reviewer_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "reviewer_id")
            .first()
        )
    reviewer_id = busiest["author_id"]
    proposal_id = (
        DiscussionPost.objects.filter(
            proposal__opportunity_id=opportunity_id, author_id=reviewer_id
        )
        .order_by("proposal_id")
        .values_list("proposal_id", flat=True)
        .first()
    ) or (list(discussed) or [None])[0]
    assignment_id = (
        ReviewAssignment.objects.filter(
            reviewer_id=reviewer_id, proposal_id=proposal_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    return PanelCall(
        opportunity_id=opportunity_id,
        administrator_id=administrator_id,
        reviewer_id=reviewer_id,
        proposal_id=proposal_id,
        assignment_id=assignment_id,
    )


def call_slug(proposals: int) -> str:
    return f"bench-panel-{proposals}"


def find_panel_call(*, proposals: int) -> PanelCall | None:
    """The call `build_panel_call(proposals=…)` built before, if any."""
    from accounts.models import User  # noqa: PLC0415
    from catalogue.models import Opportunity  # noqa: PLC0415

    opportunity = Opportunity.objects.filter(slug=call_slug(proposals)).first()
    administrator = User.objects.filter(email=ADMINISTRATOR_EMAIL).first()
    if opportunity is None or administrator is None:
        return None
    return _panel_call(opportunity.pk, administrator.pk, [])


def build_panel_call(
    *, proposals: int = 2000, reviewers: int = 150, seed: int = 2026, **options
) -> PanelCall:
    """The administrator, the reviewers and one call of `proposals` proposals."""
    administrator_id = ensure_administrator()
    reviewer_ids = ensure_reviewers(reviewers, seed=seed)
    return build_call(
        slug=call_slug(proposals),
        proposals=proposals,
        reviewer_ids=reviewer_ids,
        administrator_id=administrator_id,
        seed=seed,
        **options,
    )


def counts(opportunity_id: int) -> dict[str, int]:
    """How many rows of each kind the call has, for the report and the test."""
    from catalogue.models import EvaluationCriterion  # noqa: PLC0415
    from proposals.models import Proposal, ProposalVersion, TeamMember  # noqa: PLC0415
    from reviews.models import (  # noqa: PLC0415
        Bid,
        ConsensusReport,
        Decision,
        DiscussionPost,
        Panel,
        Review,
        ReviewAssignment,
        ReviewScore,
    )

    on_call = {"proposal__opportunity_id": opportunity_id}
    reviews = Review.objects.filter(assignment__proposal__opportunity_id=opportunity_id)
    return {
        "proposals": Proposal.objects.filter(opportunity_id=opportunity_id).count(),
        "team_members": TeamMember.objects.filter(**on_call).count(),
        "versions": ProposalVersion.objects.filter(**on_call).count(),
        "criteria": EvaluationCriterion.objects.filter(
            opportunity_id=opportunity_id
        ).count(),
        "reviewers": ReviewAssignment.objects.filter(**on_call)
        .values("reviewer_id")
        .distinct()
        .count(),
        "assignments": ReviewAssignment.objects.filter(**on_call).count(),
        "reviews_submitted": reviews.filter(status="submitted").count(),
        "reviews_draft": reviews.filter(status="draft").count(),
        "scores": ReviewScore.objects.filter(
            review__assignment__proposal__opportunity_id=opportunity_id
        ).count(),
        "bids": Bid.objects.filter(**on_call).count(),
        "discussion_posts": DiscussionPost.objects.filter(**on_call).count(),
        "consensus_reports": ConsensusReport.objects.filter(**on_call).count(),
        "decisions": Decision.objects.filter(**on_call).count(),
        "panels": Panel.objects.filter(opportunity_id=opportunity_id).count(),
    }
