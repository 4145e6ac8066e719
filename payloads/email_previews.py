"""Sample contexts of the payload emails, for the admin's preview and the tests
(notifications.previews finds this module at run time)."""

from notifications.previews import register_sample


def payload_sample() -> dict:
    return {
        "opportunity_title_en": "Announcement of Opportunity for payloads on Chang'E-7",
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
        "payload_id": 5,
        "payload_name": "Lunar south-pole radon and dust monitor",
        "reference": "CE7-2026-0042",
        "title": "Lunar south-pole radon and dust monitor",
        "path": "/payloads/5/",
    }


def condition_sample() -> dict:
    return {
        **payload_sample(),
        "condition_id": 9,
        "condition": "Provide a thermal design that survives the lunar night.",
        "due_date": "2027-03-01",
    }


def condition_accepted_sample() -> dict:
    return {**condition_sample(), "note": "The thermal analysis is convincing."}


def condition_returned_sample() -> dict:
    return {
        **condition_sample(),
        "note": "The analysis covers the lunar day only; add the night case.",
    }


def condition_overdue_sample() -> dict:
    return {**condition_sample(), "days": 4}


def deselected_sample() -> dict:
    return {
        **payload_sample(),
        "letter": (
            "Dear Dr Amina Haddad,\n\nThe conditions of the selection were not "
            "met by the agreed date. We regret to inform you that the payload is "
            "de-selected.\n\nDepartment of International Cooperation, CNSA"
        ),
    }


def milestone_sample() -> dict:
    return {
        **payload_sample(),
        "milestone_id": 31,
        "milestone_name": "Flight model delivery",
        "milestone_kind": "fm_delivery",
        "responsible": "team",
        "planned_date": "2027-06-15",
        "days": 10,
    }


def slip_sample() -> dict:
    return {
        **milestone_sample(),
        "from_date": "2027-06-15",
        "to_date": "2027-07-20",
        "days": 35,
        "reason": "The detector's supplier delivers the sensor five weeks late.",
        "path": "/admin/payloads/payload/5/change/",
    }


def overrun_sample() -> dict:
    return {
        **payload_sample(),
        "delivery_id": 3,
        "unit": "flight_model",
        "delivered_on": "2027-06-14",
        "mass_kg": "4.8",
        "power_w": "8.5",
        "size_mm": "210 × 150 × 100",
        "findings": [
            {
                "code": "mass_over_allocation",
                "field": "mass_kg",
                "value": "4.8",
                "limit": "4.5",
                "carrier": "",
            },
            {
                "code": "size_over_allocation",
                "field": "size_mm",
                "value": "210 × 150 × 100",
                "limit": "200 × 150 × 100",
                "carrier": "",
            },
        ],
    }


def handover_sample() -> dict:
    return {
        **payload_sample(),
        "handover_id": 2,
        "dataset": "Level 2B radon counts, lunar days 1–3",
        "delivered_on": "2028-01-20",
        "volume_gb": "12.5",
        "link": "https://doi.org/10.5281/zenodo.1234567",
        "notes": "Calibrated with the ground reference of December.",
    }


register_sample("payload_condition_accepted", condition_accepted_sample)
register_sample("payload_condition_returned", condition_returned_sample)
register_sample("payload_condition_overdue", condition_overdue_sample)
register_sample("payload_fully_selected", payload_sample)
register_sample("payload_deselected", deselected_sample)
register_sample("payload_milestone_due_soon", milestone_sample)
register_sample("payload_milestone_overdue", milestone_sample)
register_sample("payload_milestone_slipped", slip_sample)
register_sample("payload_delivery_overrun", overrun_sample)
register_sample("payload_data_handed_over", handover_sample)
