"""Sample contexts of the proposal emails, for the admin's preview and the tests."""

from notifications.previews import register_sample


def proposal_sample() -> dict:
    return {
        "proposal_id": 42,
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor 月球南极氡与尘埃监测仪",
        "stage": "full",
        "pi_name": "Dr Amina Haddad",
        "opportunity_title_en": "Announcement of Opportunity for payloads on Chang'E-7",
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
        "deadline": "2026-12-31T09:59:00+00:00",
        "path": "/proposals/42/",
    }


def submitted_sample() -> dict:
    return {
        **proposal_sample(),
        "version": 2,
        "submitted_at": "2026-12-20T03:15:00+00:00",
        "resubmission": True,
    }


def withdrawn_sample() -> dict:
    return {**proposal_sample(), "reason": "The payload cannot be ready in time."}


def invitation_sample() -> dict:
    return {
        **proposal_sample(),
        "member_name": "Prof. Luca Bianchi",
        "member_institution": "INAF",
        "member_role": "co_investigator",
        "co_investigator": True,
        "confirm_path": "/proposals/team/confirm/sample-token/",
    }


def declined_sample() -> dict:
    return {
        **proposal_sample(),
        "stage": "loi",
        "note": "The payload's mass exceeds what the lander can offer this time.",
    }


def reminder_sample() -> dict:
    return {**proposal_sample(), "reference": "", "days": 7}


register_sample("proposal_submitted", submitted_sample)
register_sample("proposal_withdrawn", withdrawn_sample)
register_sample("proposal_team_invitation", invitation_sample)
register_sample("proposal_letter_shortlisted", proposal_sample)
register_sample("proposal_letter_declined", declined_sample)
register_sample("proposal_deadline_reminder", reminder_sample)
