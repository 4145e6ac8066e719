"""Sample contexts of the review and decision emails, for the admin's preview and
the tests (notifications.previews finds this module at run time)."""

from notifications.previews import register_sample


def _call() -> dict:
    return {
        "opportunity_title_en": "Announcement of Opportunity for payloads on Chang'E-7",
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
    }


def reviewer_sample() -> dict:
    return {
        **_call(),
        "assignment_id": 12,
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor",
        "stage": "full",
        "due": "2027-01-15T09:59:00+00:00",
        "path": "/review/reviews/reviewassignment/12/change/",
    }


def reopened_sample() -> dict:
    return {
        **reviewer_sample(),
        "reason": "Please score the technical feasibility against the new annex.",
    }


def reminder_sample() -> dict:
    return {**reviewer_sample(), "days": 3}


def conflict_sample() -> dict:
    return {
        **_call(),
        "assignment_id": 12,
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor",
        "reviewer_name": "Prof. Lukas Meier",
        "reviewer_email": "reviewer2@example.org",
        "reason": "I co-authored two papers with the principal investigator in 2025.",
        "path": "/admin/reviews/reviewassignment/12/change/",
    }


def complete_sample() -> dict:
    return {
        **_call(),
        "proposal_id": 42,
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor",
        "stage": "full",
        "submitted": 3,
        "path": "/admin/proposals/proposal/42/change/",
    }


def decision_sample() -> dict:
    return {
        **_call(),
        "proposal_id": 42,
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor",
        "outcome": "conditionally_selected",
        "letter": (
            "Dear Dr Amina Haddad,\n\nWe are pleased to inform you that your "
            "proposal has been conditionally selected.\n\nConditions:\nReduce the "
            "mass to 4 kg."
        ),
        "consensus": (
            "The panel values the science case and asks for a thermal design "
            "that holds through the lunar night."
        ),
        "comments": [
            "A strong science case; the thermal design needs more detail.",
            "Well suited to the lander; the team has flown similar hardware.",
        ],
        "path": "/proposals/42/",
    }


register_sample("review_assigned", reviewer_sample)
register_sample("review_reopened", reopened_sample)
register_sample("review_due_soon", reminder_sample)
register_sample("review_overdue", reminder_sample)
register_sample("review_conflict_declared", conflict_sample)
register_sample("review_all_submitted", complete_sample)
register_sample("decision_released", decision_sample)


def cancelled_sample() -> dict:
    return {
        **reviewer_sample(),
        "reason": "The proposal's team changed; another reviewer takes it over.",
        "path": "/review/",
    }


def assignments_ended_sample() -> dict:
    return {
        **_call(),
        "opportunity_id": 7,
        "assignments": [
            {
                "assignment_id": 12,
                "reference": "CE7-2026-0042",
                "title": "Lunar south-pole radon and dust monitor",
                "stage": "full",
            },
            {
                "assignment_id": 15,
                "reference": "CE7-2026-0057",
                "title": "Regolith thermal conductivity probe",
                "stage": "full",
            },
        ],
        "path": "/review/",
    }


def discussion_digest_sample() -> dict:
    call = _call()
    return {
        "threads": [
            {
                "proposal_id": 42,
                "stage": "full",
                "reference": "CE7-2026-0042",
                "title": "Lunar south-pole radon and dust monitor",
                **call,
                "count": 3,
                "authors": [
                    {"kind": "reviewer", "value": 2},
                    {"kind": "administrators", "value": ""},
                ],
                "path": "/review/thread/12/",
            },
            {
                "proposal_id": 57,
                "stage": "full",
                "reference": "CE7-2026-0057",
                "title": "Regolith thermal conductivity probe",
                **call,
                "count": 1,
                "authors": [{"kind": "reviewer", "value": 1}],
                "path": "/review/thread/15/",
            },
        ],
        "path": "/review/thread/12/",
    }


register_sample("review_assignment_cancelled", cancelled_sample)
register_sample("review_assignments_ended", assignments_ended_sample)
register_sample("review_discussion_digest", discussion_digest_sample)


def decision_summary_sample() -> dict:
    return {
        **_call(),
        "opportunity_id": 7,
        "total": 12,
        "selected": 3,
        "conditionally_selected": 2,
        "not_selected": 7,
        "ranking_path": "/admin/panel/7/ranking/",
        "path": "/admin/panel/7/decisions/",
    }


register_sample("decision_summary", decision_summary_sample)
