"""Sample context of the message to proposers, for the admin's preview and the
tests (notifications.previews finds this module at run time)."""

from notifications.previews import register_sample


def proposers_message_sample() -> dict:
    return {
        "message_id": 3,
        "subject": "CE7-2026-0042: the thermal annex is now required",
        "body": (
            "Dear Dr Amina Haddad,\n\nThe amended call asks every full proposal "
            "for a thermal annex. Please add it to “Lunar south-pole radon and "
            "dust monitor” before 31 Dec 2026, 17:59 Beijing time (UTC+8).\n\n"
            "CNSA, Department of International Cooperation"
        ),
        "opportunity_title_en": "Announcement of Opportunity for payloads on Chang'E-7",
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
        "proposals": [
            {
                "reference": "CE7-2026-0042",
                "title": "Lunar south-pole radon and dust monitor",
                "path": "/proposals/42/",
            }
        ],
        "path": "/opportunities/change-7-payloads/",
    }


register_sample("proposers_message", proposers_message_sample)
