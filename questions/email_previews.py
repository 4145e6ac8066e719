"""Sample contexts of the question emails, for the admin's preview and the tests."""

from notifications.previews import register_sample


def call_sample() -> dict:
    return {
        "opportunity_id": 7,
        "opportunity_title_en": "Announcement of Opportunity for payloads on Chang'E-7",
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
        "opportunity_path": "/opportunities/change-7-payloads/",
        "questions_close_at": "2026-12-17T09:59:00+00:00",
    }


def asked_sample() -> dict:
    return {
        **call_sample(),
        "question_id": 12,
        "asked_text": "May a payload draw peak power above 30 W for ten seconds?",
        "asked_at": "2026-11-02T03:15:00+00:00",
        "path": "/questions/12/",
        "asker_name": "Dr Amina Haddad",
        "asker_institution": "Université Paris Cité",
        "asker_email": "amina.haddad@u-paris.example.org",
    }


def answered_sample() -> dict:
    return {
        **asked_sample(),
        "answer_en": "Yes, for at most ten seconds an orbit, within 45 W.",
        "answer_zh": "可以，每轨道最多十秒，峰值不超过45瓦。",
    }


def declined_sample() -> dict:
    return {**asked_sample(), "reason": "The call's text answers this in section 4.2."}


def published_sample() -> dict:
    return {
        **call_sample(),
        "question_id": 12,
        "number": 3,
        "wording_en": "May a payload draw peak power above 30 W for a few seconds?",
        "wording_zh": "载荷能否在数秒内峰值功率超过30瓦？",
        "answer_en": "Yes, for at most ten seconds an orbit, within 45 W.",
        "answer_zh": "可以，每轨道最多十秒，峰值不超过45瓦。",
        "anchor": "#question-3",
        "asked_by_you": False,
    }


register_sample("question_asked", asked_sample)
register_sample("question_answered", answered_sample)
register_sample("question_declined", declined_sample)
register_sample("question_published", published_sample)
