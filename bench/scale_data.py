"""The portal at scale, built with bulk inserts: the data of `make bench`.

At scale 1 (the default): 60 calls, 100,000 proposals with their teams and
frozen versions, 1,000 reviewers, 300,000 review assignments with their
reviews and scores, 20,000 users (principal investigators have several
proposals each), an outbox of 100,000 sent emails, and among them:

- one closed call of exactly 2,000 proposals, built by
  `bench.panel_data.build_call` (bids, discussions, decisions, the panel), so
  that the panel pages show realistic data;
- one reviewer with exactly 300 assignments (not in the panel call);
- a researcher with eight proposals of their own (submitted ones in review,
  two drafts in open calls, one of them the draft whose section is saved) and
  two more as a team member: their dashboard is measured;
- a pool of complete drafts on an open call (no required documents, no
  statements), owned by one submitter, to be submitted under load, one
  different draft a request; `reset_pool` turns the submitted ones back into
  drafts before each run.

The panel call goes through the ORM (about 15 s); everything else is
`INSERT … SELECT` over `generate_series` in PostgreSQL, which writes the
300,000 assignments and their reviews in seconds where `bulk_create` would
take minutes. The rows are data, not a workflow: states are set directly, as
tests/factories.py does. Everything is deterministic, so two builds of one
scale are alike. `--scale 0.1` divides every count by ten (the panel call
too) for quick runs; the number of calls stays 60.
"""

import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench import panel_data

CALLS = 60
OPEN_CALLS = 10  # published, deadline ahead (besides the pool's call)
PROPOSALS = 100_000
REVIEWERS = 1_000
ASSIGNMENTS = 300_000
USERS = 20_000
PANEL_PROPOSALS = 2_000
PANEL_REVIEWERS = 150
REVIEWER_LOAD = 300
OUTBOX = 100_000
POOL = 2_000  # complete drafts to submit under load
RESEARCHER_EMAIL = "bench-researcher@university.example.org"
SUBMITTER_EMAIL = "bench-submitter@university.example.org"
PANEL_SLUG = "bench-scale-panel"
POOL_SLUG = "bench-scale-open-pool"
POOL_MISSION = "BD"
MISSIONS = ["BM0", "BM1", "BM2", "BM3", "BM4", "BM5"]
PROSE = " ".join([panel_data.PROSE.capitalize() + "."] * 2)


@dataclass(frozen=True)
class Scale:
    """The counts of one build."""

    proposals: int
    reviewers: int
    assignments: int
    users: int
    panel_proposals: int
    reviewer_load: int
    outbox: int
    pool: int
    calls: int = CALLS

    @classmethod
    def of(cls, factor: float) -> "Scale":
        def part(n: int, least: int) -> int:
            return max(least, round(n * factor))

        return cls(
            proposals=part(PROPOSALS, 200),
            reviewers=part(REVIEWERS, 8),
            assignments=part(ASSIGNMENTS, 400),
            users=part(USERS, 150),
            panel_proposals=part(PANEL_PROPOSALS, 10),
            reviewer_load=part(REVIEWER_LOAD, 5),
            outbox=part(OUTBOX, 50),
            pool=part(POOL, 40),
        )


@dataclass(frozen=True)
class ScaleData:
    """What the bench needs to find again (written beside the database)."""

    scale: float
    administrator_id: int
    administrator_email: str
    researcher_id: int
    researcher_email: str
    researcher_draft_id: int  # the draft whose editor is shown and section saved
    submitter_id: int
    submitter_email: str
    pool_ids: list
    pool_call_id: int
    panel_call_id: int
    panel_reviewer_id: int
    panel_proposal_id: int
    panel_assignment_id: int
    busy_reviewer_id: int  # exactly `reviewer_load` assignments
    busy_reviewer_email: str
    public_call_slug: str  # an open call with proposals, for its public page
    seconds: float

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _log(message: str, started: float) -> None:
    print(f"[data {time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr)


def _escaped(statement: str) -> str:
    """SQL's modulo operator (written `a % b`, with spaces) doubled for the
    driver's placeholders."""
    return statement.replace("% ", "%% ")


def _sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        if params is None:
            cursor.execute(statement)
        else:
            cursor.execute(_escaped(statement), params)
        return cursor.rowcount


def _calls(now, *, open_calls: int, total: int):
    """`total` calls besides the panel's: the pool's call, `open_calls` open
    ones, the rest closed. Returns (pool call, [(call, is_open), …])."""
    from catalogue.models import Opportunity, RequiredDocument  # noqa: PLC0415

    made = []
    for n in range(total - 1):
        mission = panel_data._mission(MISSIONS[n % len(MISSIONS)])
        call, _carriers, _criteria = panel_data._call(
            slug=f"bench-scale-call-{n:02d}", mission=mission, proposals=0, now=now
        )
        is_open = n < open_calls
        title = (
            f"{panel_data.KEYWORDS[n % len(panel_data.KEYWORDS)].capitalize()} "
            f"payloads, call {n + 1}"
        )
        changes = {"title": title, "title_en": title, "dual_anonymous": n % 3 == 0}
        if is_open:
            changes.update(
                status="published",
                opens_at=now - timedelta(days=20 + n),
                published_at=now - timedelta(days=20 + n),
                proposal_deadline=now + timedelta(days=10 + 7 * n),
            )
        else:
            days = 60 + 12 * n
            changes.update(
                status="closed",
                opens_at=now - timedelta(days=days + 120),
                published_at=now - timedelta(days=days + 120),
                proposal_deadline=now - timedelta(days=days),
            )
        Opportunity.objects.filter(pk=call.pk).update(**changes)
        made.append((call, is_open))
    pool_mission = panel_data._mission(POOL_MISSION)
    pool, _carriers, _criteria = panel_data._call(
        slug=POOL_SLUG, mission=pool_mission, proposals=0, now=now
    )
    RequiredDocument.objects.filter(opportunity=pool).delete()
    Opportunity.objects.filter(pk=pool.pk).update(
        title="Payloads for the bench's submissions",
        title_en="Payloads for the bench's submissions",
        status="published",
        dual_anonymous=False,
        opens_at=now - timedelta(days=30),
        published_at=now - timedelta(days=30),
        proposal_deadline=now + timedelta(days=365),
    )
    return Opportunity.objects.get(pk=pool.pk), made


def _users(count: int, *, prefix: str, now) -> list[int]:
    """`count` researchers in SQL, each with a verified primary address."""
    password = make_password(None)
    countries = panel_data.COUNTRIES
    with connection.cursor() as cursor:
        cursor.execute(
            _escaped(
                """
            INSERT INTO accounts_user (password, last_login, is_superuser, is_staff,
                is_active, date_joined, email, full_name, institution, country,
                orcid, preferred_language)
            SELECT %(password)s, %(now)s - (g % 90) * interval '1 day', false, false,
                true, %(now)s - (400 + g % 900) * interval '1 day',
                %(prefix)s || lpad(g::text, 5, '0') || '@university' || (g % 97)
                    || '.example.org',
                'Researcher ' || lpad(g::text, 5, '0'),
                'University ' || (g % 97),
                (%(countries)s::text[])[1 + (g * g) % %(ncountries)s],
                '',
                CASE WHEN g % 10 = 0 THEN 'zh-hans' ELSE 'en' END
            FROM generate_series(1, %(count)s) g
            ORDER BY g
            RETURNING id
            """
            ),
            {
                "password": password,
                "now": now,
                "prefix": prefix,
                "countries": countries,
                "ncountries": len(countries),
                "count": count,
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    _sql(
        """
        INSERT INTO account_emailaddress (email, verified, "primary", user_id)
        SELECT email, true, true, id FROM accounts_user WHERE id = ANY(%s)
        """,
        [ids],
    )
    return sorted(ids)


def _person(email: str, name: str) -> int:
    from accounts.models import User  # noqa: PLC0415

    user = User.objects.create_user(
        email,
        password=None,
        full_name=name,
        institution="University of Leicester",
        country="GB",
    )
    panel_data._verified_emails([user])
    return user.pk


def _proposals(*, plan: list[tuple[int, bool, str, int]], pis: list[int], now) -> None:
    """The mass of proposals: plan rows are (call id, open, reference prefix,
    count). In an open call three in ten are drafts, the rest submitted; in a
    closed call all are under review."""
    _sql("CREATE TEMP TABLE bench_call (id bigint, is_open boolean, prefix text, "
         "first_n int, last_n int, carriers bigint[], deadline timestamptz) "
         "ON COMMIT DROP")  # fmt: skip
    first = 1
    for call_id, is_open, prefix, count in plan:
        _sql(
            """
            INSERT INTO bench_call
            SELECT o.id, %s, %s, %s, %s,
                ARRAY(SELECT c.id FROM catalogue_carrier c
                      WHERE c.opportunity_id = o.id ORDER BY c."order"),
                o.proposal_deadline
            FROM catalogue_opportunity o WHERE o.id = %s
            """,
            [is_open, prefix, first, first + count - 1, call_id],
        )
        first += count
    _sql(
        """
        INSERT INTO proposals_proposal (stage, status, reference, title, abstract,
            keywords, objectives, relevance, payload_description, trl, heritage,
            mass_kg, power_avg_w, power_peak_w, data_mb_per_day, length_mm,
            width_mm, height_mm, operations_needs, funding_statement, created_at,
            updated_at, submitted_at, carrier_id, opportunity_id,
            principal_investigator_id)
        SELECT 'full', x.status,
            CASE WHEN x.status = 'draft' THEN ''
                 ELSE c.prefix || lpad((g - c.first_n + 1)::text, 5, '0') END,
            initcap((%(keywords)s::text[])[1 + g % %(nkeywords)s])
                || ' experiment ' || g,
            left(%(prose)s, 700 + g % 300),
            (%(keywords)s::text[])[1 + g % %(nkeywords)s] || ', '
                || (%(keywords)s::text[])[1 + (g / 7) % %(nkeywords)s],
            left(%(prose)s, 400 + g % 200), left(%(prose)s, 200 + g % 100),
            left(%(prose)s, 450 + g % 150), 4 + g % 5, left(%(prose)s, 150),
            x.mass, x.power, round(x.power * 1.5, 1), 1 + (g * 31) % 2000,
            80 + g % 300, 80 + g % 200, 50 + g % 150, left(%(prose)s, 150),
            'Funded by the team''s national agency.',
            LEAST(c.deadline, %(now)s) - interval '60 days'
                - (g % 30) * interval '1 day',
            LEAST(c.deadline, %(now)s) - (g % 72) * interval '1 hour',
            CASE WHEN x.status = 'draft' THEN NULL
                 ELSE LEAST(c.deadline, %(now)s) - (2 + g % 400) * interval '1 hour'
            END,
            c.carriers[x.carrier], c.id,
            (%(pis)s::bigint[])[1 + (g * 7) % %(npis)s]
        FROM generate_series(1, %(total)s) g
        JOIN bench_call c ON g BETWEEN c.first_n AND c.last_n
        CROSS JOIN LATERAL (
            SELECT CASE WHEN c.is_open AND g % 10 < 3 THEN 'draft'
                        WHEN c.is_open THEN 'submitted'
                        ELSE 'under_review' END AS status,
                   k.carrier,
                   round((0.05 + ((g * 7919) % 1000) / 1000.0 * k.most * 0.8)::numeric,
                         3) AS mass,
                   round((1 + ((g * 7919) % 1000) / 1000.0 * k.most * 1.6)::numeric,
                         1) AS power
            FROM (SELECT CASE WHEN g % 10 < 6 THEN 1 WHEN g % 10 < 9 THEN 2
                              ELSE 3 END AS carrier,
                         CASE WHEN g % 10 < 6 THEN 20 WHEN g % 10 < 9 THEN 5
                              ELSE 10 END AS most) k
        ) x
        """,
        {
            "keywords": panel_data.KEYWORDS,
            "nkeywords": len(panel_data.KEYWORDS),
            "prose": PROSE,
            "now": now,
            "pis": pis,
            "npis": len(pis),
            "total": first - 1,
        },
    )


def _team_and_history(calls: list[int], researchers: list[int], now) -> None:
    """Two team members a proposal (one in three linked to an account), one
    frozen version a submitted proposal with a snapshot like submission's, and
    their status history."""
    _sql(
        """
        INSERT INTO proposals_teammember (name, email, institution, country, role,
            invited_at, confirmed_at, token_hash, proposal_id, user_id)
        SELECT 'Co-investigator ' || p.id || '-' || m,
            'member' || m || '.p' || p.id || '@institute' || (p.id % 211)
                || '.example.org',
            'Partner Institute ' || ((p.id + m) % 211),
            (%(countries)s::text[])[1 + (p.id + m) % %(ncountries)s],
            CASE WHEN m = 0 THEN 'co_investigator' ELSE 'collaborator' END,
            p.created_at + interval '1 day',
            CASE WHEN p.status = 'draft' AND m = 1 THEN NULL
                 ELSE p.created_at + interval '2 days' END,
            '', p.id,
            CASE WHEN m = 0 AND p.id % 3 = 0
                 THEN (%(researchers)s::bigint[])[1 + (p.id * 13) % %(nres)s]
            END
        FROM proposals_proposal p CROSS JOIN generate_series(0, 1) m
        WHERE p.opportunity_id = ANY(%(calls)s)
        """,
        {
            "countries": panel_data.COUNTRIES,
            "ncountries": len(panel_data.COUNTRIES),
            "researchers": researchers,
            "nres": len(researchers),
            "calls": calls,
        },
    )
    template = _snapshot_template()
    _sql(
        """
        INSERT INTO proposals_proposalversion (number, stage, reference,
            submitted_at, snapshot, proposal_id, submitted_by_id)
        SELECT 1, 'full', p.reference, p.submitted_at,
            %(template)s::jsonb || jsonb_build_object(
                'reference', p.reference, 'title', p.title,
                'submitted_at', p.submitted_at, 'mass_kg', p.mass_kg::text,
                'keywords', p.keywords),
            p.id, p.principal_investigator_id
        FROM proposals_proposal p
        WHERE p.opportunity_id = ANY(%(calls)s) AND p.status <> 'draft'
        """,
        {"template": json.dumps(template), "calls": calls},
    )
    _sql(
        """
        INSERT INTO proposals_proposalevent (at, from_stage, from_status, to_stage,
            to_status, note, actor_id, proposal_id, message, params)
        SELECT p.submitted_at, 'full', 'draft', 'full', 'submitted',
            'Version 1 submitted.', p.principal_investigator_id, p.id,
            'version_submitted', '{"number": 1}'::jsonb
        FROM proposals_proposal p
        WHERE p.opportunity_id = ANY(%(calls)s) AND p.status <> 'draft'
        UNION ALL
        SELECT o.proposal_deadline + interval '2 days', 'full', 'submitted', 'full',
            'under_review', 'Review started.', NULL, p.id, 'review_started',
            '{}'::jsonb
        FROM proposals_proposal p JOIN catalogue_opportunity o
            ON o.id = p.opportunity_id
        WHERE p.opportunity_id = ANY(%(calls)s) AND p.status = 'under_review'
        """,
        {"calls": calls},
    )


def _snapshot_template() -> dict:
    """A real snapshot (of the panel call's first version) to copy."""
    from proposals.models import ProposalVersion  # noqa: PLC0415

    version = (
        ProposalVersion.objects.filter(proposal__opportunity__slug=PANEL_SLUG)
        .order_by("pk")
        .first()
    )
    return version.snapshot if version is not None else {}


def _assignments(
    *,
    calls: list[int],
    pool: list[int],
    busy: int,
    needed: int,
    load: int,
    administrator_id: int,
    now,
) -> None:
    """`needed` assignments over the closed calls' proposals (reviewers drawn
    from `pool`, each proposal's distinct), `load` more for the busy reviewer;
    reviews (one in twenty a draft) with a score per criterion, and each
    assignment's first history line."""
    _sql(
        """
        CREATE TEMP TABLE bench_review_target ON COMMIT DROP AS
        SELECT p.id, v.id AS version_id, p.opportunity_id,
            row_number() OVER (ORDER BY p.id) AS rn
        FROM proposals_proposal p
        JOIN proposals_proposalversion v ON v.proposal_id = p.id
        WHERE p.opportunity_id = ANY(%s) AND p.status = 'under_review'
        """,
        [calls],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_review_target")
        targets = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM reviews_reviewassignment")
        first_new = cursor.fetchone()[0]
    per = min(needed // targets, len(pool) - 1)
    extra = needed - per * targets if per < len(pool) - 1 else 0
    step = max(1, len(pool) // (per + 1))
    insert = """
        INSERT INTO reviews_reviewassignment (stage, status, due_at, fit,
            assigned_at, responded_at, conflict_reason, decline_reason,
            assigned_by_id, proposal_id, reviewer_id, version_id)
        SELECT 'full', CASE WHEN (t.rn * 3 + j) % 40 = 0 THEN 'invited'
                            ELSE 'accepted' END,
            %(now)s + ((t.rn + j) % 40 - 10) * interval '1 day',
            round(((t.rn * 13 + j * 7) % 1000) / 1000.0, 3),
            %(now)s - interval '30 days',
            CASE WHEN (t.rn * 3 + j) % 40 = 0 THEN NULL
                 ELSE %(now)s - interval '29 days' END,
            '', '', %(admin)s, t.id, {reviewer}, t.version_id
        FROM bench_review_target t {join}
    """
    _sql(
        insert.format(
            reviewer="(%(pool)s::bigint[])[1 + (t.rn * 37 + j * %(step)s) % %(npool)s]",
            join="CROSS JOIN generate_series(0, %(per)s) j "
            "WHERE j < %(per)s OR t.rn <= %(extra)s",
        ),
        {
            "now": now,
            "admin": administrator_id,
            "pool": pool,
            "npool": len(pool),
            "step": step,
            "per": per,
            "extra": extra,
        },
    )
    gap = max(1, targets // load)
    _sql(
        insert.format(
            reviewer="%(busy)s",
            join="CROSS JOIN (SELECT 0 AS j) j WHERE t.rn % %(gap)s = 0 "
            "AND t.rn <= %(gap)s * %(load)s",
        ),
        {"now": now, "admin": administrator_id, "busy": busy, "gap": gap, "load": load},
    )
    _sql(
        """
        INSERT INTO reviews_assignmentevent (at, from_status, to_status, note,
            actor_id, assignment_id)
        SELECT a.assigned_at, '', 'invited', '', a.assigned_by_id, a.id
        FROM reviews_reviewassignment a WHERE a.id > %s
        """,
        [first_new],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM reviews_review")
        first_review = cursor.fetchone()[0]
    _sql(
        """
        INSERT INTO reviews_review (status, comments_for_proposer,
            confidential_comments, recommendation, created_at, updated_at,
            submitted_at, assignment_id)
        SELECT CASE WHEN a.id % 20 = 0 THEN 'draft' ELSE 'submitted' END,
            left(%(prose)s, (500 + a.id % 300)::int),
            left(%(prose)s, (150 + a.id % 100)::int),
            CASE WHEN a.id % 20 = 0 THEN ''
                 WHEN a.proposal_id % 3 = 0 THEN 'select'
                 WHEN a.proposal_id % 3 = 1 THEN 'select_with_conditions'
                 ELSE 'do_not_select' END,
            %(now)s - interval '25 days', %(now)s - interval '18 days',
            CASE WHEN a.id % 20 = 0 THEN NULL ELSE %(now)s - interval '18 days' END,
            a.id
        FROM reviews_reviewassignment a
        WHERE a.id > %(first)s AND a.status = 'accepted'
        """,
        {"prose": PROSE, "now": now, "first": first_new},
    )
    _sql(
        """
        INSERT INTO reviews_reviewscore (score, criterion_id, review_id)
        SELECT GREATEST(1, LEAST(5,
                1 + (a.proposal_id * 7) % 4 + (r.id + cr."order") % 3 - 1)),
            cr.id, r.id
        FROM reviews_review r
        JOIN reviews_reviewassignment a ON a.id = r.assignment_id
        JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN catalogue_evaluationcriterion cr ON cr.opportunity_id = p.opportunity_id
        WHERE r.id > %s AND r.status = 'submitted'
        """,
        [first_review],
    )


def _outbox(count: int, users: list[int], now) -> None:
    """`count` sent emails to researchers, as months of a busy portal leave."""
    _sql(
        """
        INSERT INTO notifications_outboundemail (idempotency_key, template, context,
            language, to_email, reply_to, subject, body_text, body_html, message_id,
            sensitive, status, attempts, last_error, created_at, updated_at,
            claimed_at, sent_at, recipient_id, delivery_detail, delivery_report,
            delivery_report_at, next_attempt_at, provider_message_id)
        SELECT 'bench:' || g, 'proposal_submitted', '{}'::jsonb, u.preferred_language,
            u.email, 'contact@cnsa.example.org',
            'Proposal received: experiment ' || g, left(%(prose)s, 600),
            '<p>' || left(%(prose)s, 600) || '</p>',
            '<bench-' || g || '@ao-portal.example.org>', false, 'sent', 1, '',
            %(now)s - (g % 300) * interval '1 day',
            %(now)s - (g % 300) * interval '1 day', NULL,
            %(now)s - (g % 300) * interval '1 day' + interval '2 seconds',
            u.id, '', '', NULL, NULL, ''
        FROM generate_series(1, %(count)s) g
        JOIN accounts_user u
            ON u.id = (%(users)s::bigint[])[1 + (g * 7) % %(nusers)s]
        """,
        {
            "prose": PROSE,
            "now": now,
            "count": count,
            "users": users,
            "nusers": len(users),
        },
    )


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — our own names
        return cursor.fetchone()[0]


def _pool(*, call, submitter_id: int, count: int, now) -> list[int]:
    """`count` complete drafts of the submitter on the pool's call: every
    section filled, resources within the lander's envelope, no team."""
    with connection.cursor() as cursor:
        cursor.execute(
            _escaped(
                """
            INSERT INTO proposals_proposal (stage, status, reference, title,
                abstract, keywords, objectives, relevance, payload_description, trl,
                heritage, mass_kg, power_avg_w, power_peak_w, data_mb_per_day,
                length_mm, width_mm, height_mm, operations_needs, funding_statement,
                created_at, updated_at, submitted_at, carrier_id, opportunity_id,
                principal_investigator_id)
            SELECT 'full', 'draft', '', 'Submission under load ' || g,
                left(%(prose)s, 800), 'regolith, dosimetry', left(%(prose)s, 400),
                left(%(prose)s, 200), left(%(prose)s, 400), 6, left(%(prose)s, 100),
                2.5, 10.0, 15.0, 100.0, 200, 150, 100, left(%(prose)s, 100),
                'Funded by the team''s national agency.', %(now)s, %(now)s, NULL,
                (SELECT id FROM catalogue_carrier WHERE opportunity_id = %(call)s
                 ORDER BY "order" LIMIT 1),
                %(call)s, %(submitter)s
            FROM generate_series(1, %(count)s) g ORDER BY g
            RETURNING id
            """
            ),
            {
                "prose": PROSE,
                "now": now,
                "call": call.pk,
                "submitter": submitter_id,
                "count": count,
            },
        )
        return sorted(row[0] for row in cursor.fetchall())


def reset_pool(data: ScaleData) -> int:
    """Turn the pool's submitted proposals back into drafts (their versions,
    history and outbox rows removed, the mission's counter reset), so each run
    submits the same drafts. Returns how many were reset."""
    from proposals.models import (  # noqa: PLC0415
        Proposal,
        ProposalEvent,
        ProposalVersion,
        ReferenceCounter,
    )

    with transaction.atomic():
        submitted = list(
            Proposal.objects.filter(pk__in=data.pool_ids)
            .exclude(status="draft")
            .values_list("pk", flat=True)
        )
        ProposalVersion.documents.through.objects.filter(
            proposalversion__proposal_id__in=submitted
        ).delete()
        ProposalVersion.objects.filter(proposal_id__in=submitted).delete()
        ProposalEvent.objects.filter(proposal_id__in=submitted).delete()
        _sql(
            "DELETE FROM notifications_outboundemail WHERE recipient_id = %s "
            "AND left(idempotency_key, 6) <> 'bench:'",
            [data.submitter_id],
        )
        Proposal.objects.filter(pk__in=submitted).update(
            status="draft", reference="", submitted_at=None
        )
        ReferenceCounter.objects.filter(mission__code=POOL_MISSION).update(
            last_number=0
        )
    return len(submitted)


def _researcher(*, researcher_id: int, pool_call, now) -> int:
    """Eight proposals of the researcher's own (taken over from the mass: five
    in review or submitted, two drafts, in different calls) plus the draft
    whose section is saved, on the pool's call; two more as a team member.
    Returns that draft."""
    from proposals.models import Proposal, TeamMember  # noqa: PLC0415

    mass = Proposal.objects.exclude(opportunity_id=pool_call.pk).exclude(
        opportunity__slug=PANEL_SLUG
    )
    taken = []
    for status, wanted in (("under_review", 4), ("submitted", 1), ("draft", 2)):
        calls_used = set()
        for pk, call_id in (
            mass.filter(status=status).order_by("pk").values_list("pk", "opportunity")
        ):
            if call_id not in calls_used:
                calls_used.add(call_id)
                taken.append(pk)
            if len(calls_used) == wanted:
                break
    Proposal.objects.filter(pk__in=taken).update(principal_investigator=researcher_id)
    others = (
        TeamMember.objects.filter(proposal__status="under_review", role="collaborator")
        .exclude(proposal_id__in=taken)
        .order_by("-proposal_id")
        .values_list("pk", flat=True)[:2]
    )
    TeamMember.objects.filter(pk__in=list(others)).update(user=researcher_id)
    (draft,) = _pool(call=pool_call, submitter_id=researcher_id, count=1, now=now)
    Proposal.objects.filter(pk=draft).update(title="My draft under edit")
    return draft


def find(*, scale: float) -> ScaleData | None:
    """The data a build of this scale left, if the database still has it."""
    from accounts.models import User  # noqa: PLC0415

    record = _record_path()
    if not record.exists():
        return None
    data = ScaleData(**json.loads(record.read_text()))
    if (
        data.scale != scale
        or not User.objects.filter(
            pk=data.researcher_id, email=RESEARCHER_EMAIL
        ).exists()
    ):
        return None
    return data


def _record_path():
    from bench.panel import WORK  # noqa: PLC0415

    name = connection.settings_dict["NAME"]
    return WORK / f"scale-{name}.json"


def build(*, scale: float = 1.0, record: bool = True) -> ScaleData:
    """Build everything on an empty (migrated) database; see the module
    docstring. Writes the record `find` reads (unless `record` is false)."""
    from catalogue.models import Opportunity  # noqa: PLC0415

    counts = Scale.of(scale)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        administrator_id = panel_data.ensure_administrator()
        reviewer_ids = panel_data.ensure_reviewers(counts.reviewers)
        _log(f"{counts.reviewers} reviewers", started)
        panel = panel_data.build_call(
            slug=PANEL_SLUG,
            proposals=counts.panel_proposals,
            reviewer_ids=reviewer_ids[: min(PANEL_REVIEWERS, len(reviewer_ids) - 1)],
            administrator_id=administrator_id,
        )
        _log(f"panel call of {counts.panel_proposals} proposals", started)
        pool_call, calls = _calls(now, open_calls=OPEN_CALLS, total=counts.calls - 1)
        researcher_id = _person(RESEARCHER_EMAIL, "Dr Jane Researcher")
        submitter_id = _person(SUBMITTER_EMAIL, "Dr Sam Submitter")
        made = _count("accounts_user")
        researchers = _users(max(10, counts.users - made), prefix="researcher", now=now)
        _log(f"{len(researchers)} researchers", started)
        # The pool and the researcher's draft under edit count in the total.
        mass = counts.proposals - counts.panel_proposals - counts.pool - 1
        weights = [1 + (n * 7) % 5 for n in range(len(calls))]
        plan, given = [], 0
        for n, ((call, is_open), weight) in enumerate(zip(calls, weights, strict=True)):
            share = (
                mass - given
                if n == len(calls) - 1
                else round(mass * weight / sum(weights))
            )
            given += share
            plan.append((call.pk, is_open, f"BS{n:02d}-2026-", share))
        _proposals(plan=plan, pis=researchers, now=now)
        _log(f"{mass} proposals", started)
        mass_calls = [call.pk for call, _open in calls]
        _team_and_history(mass_calls, researchers, now)
        _log("teams, versions, history", started)
        busy = reviewer_ids[-1]
        _assignments(
            calls=[call.pk for call, is_open in calls if not is_open],
            pool=reviewer_ids[:-1],
            busy=busy,
            needed=counts.assignments
            - 3 * counts.panel_proposals
            - counts.reviewer_load,
            load=counts.reviewer_load,
            administrator_id=administrator_id,
            now=now,
        )
        _log("assignments, reviews, scores", started)
        _outbox(counts.outbox, researchers, now)
        _log(f"{counts.outbox} outbox emails", started)
        pool_ids = _pool(
            call=pool_call, submitter_id=submitter_id, count=counts.pool, now=now
        )
        draft_id = _researcher(
            researcher_id=researcher_id, pool_call=pool_call, now=now
        )
        public = Opportunity.objects.filter(
            pk__in=[call.pk for call, is_open in calls if is_open]
        ).order_by("pk")[0]
    from accounts.models import User  # noqa: PLC0415

    data = ScaleData(
        scale=scale,
        administrator_id=administrator_id,
        administrator_email=panel_data.ADMINISTRATOR_EMAIL,
        researcher_id=researcher_id,
        researcher_email=RESEARCHER_EMAIL,
        researcher_draft_id=draft_id,
        submitter_id=submitter_id,
        submitter_email=SUBMITTER_EMAIL,
        pool_ids=pool_ids,
        pool_call_id=pool_call.pk,
        panel_call_id=panel.opportunity_id,
        panel_reviewer_id=panel.reviewer_id,
        panel_proposal_id=panel.proposal_id,
        panel_assignment_id=panel.assignment_id,
        busy_reviewer_id=busy,
        busy_reviewer_email=User.objects.get(pk=busy).email,
        public_call_slug=public.slug,
        seconds=round(time.perf_counter() - started, 1),
    )
    if record:
        path = _record_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data.as_json())
    return data


def counts() -> dict[str, int]:
    """Rows of each kind in the database, for the report and the test."""
    tables = {
        "calls": "catalogue_opportunity",
        "users": "accounts_user",
        "proposals": "proposals_proposal",
        "team_members": "proposals_teammember",
        "versions": "proposals_proposalversion",
        "assignments": "reviews_reviewassignment",
        "reviews": "reviews_review",
        "scores": "reviews_reviewscore",
        "outbox_emails": "notifications_outboundemail",
    }
    return {name: _count(table) for name, table in tables.items()}


def check(data: ScaleData) -> list[str]:
    """What is wrong with a build, in sentences; empty when it is as described."""
    from accounts.models import User  # noqa: PLC0415
    from proposals.models import Proposal  # noqa: PLC0415
    from proposals.selectors import proposal_for_user  # noqa: PLC0415
    from proposals.services import submission_problems  # noqa: PLC0415
    from reviews.models import ReviewAssignment  # noqa: PLC0415

    problems = []
    submitter = User.objects.get(pk=data.submitter_id)
    draft = proposal_for_user(user=submitter, pk=data.pool_ids[0])
    problems += [
        f"pool draft {draft.pk}: {p}"
        for p in submission_problems(draft, now=timezone.now())
    ]
    load = ReviewAssignment.objects.filter(reviewer_id=data.busy_reviewer_id).count()
    expected = Scale.of(data.scale).reviewer_load
    if load != expected:
        problems.append(f"busy reviewer has {load} assignments, not {expected}")
    mine = Proposal.objects.filter(principal_investigator_id=data.researcher_id).count()
    if not 5 <= mine <= 10:  # noqa: PLR2004 — "a realistic number"
        problems.append(f"the researcher leads {mine} proposals")
    return problems
