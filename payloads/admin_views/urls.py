"""The addresses of the administrators' payload pages, under /admin/payloads/,
each named `payloads_<name>` in the `admin` namespace."""

from django.urls import path

from payloads.admin_views.actions import (
    agreement_view,
    allocation_view,
    complete_view,
    condition_view,
    decide_delivery_view,
    delivery_view,
    deselect_view,
    handover_view,
    sign_view,
    slip_view,
)
from payloads.admin_views.overview import export_view, overview_view, publish_view

PAYLOAD = "payloads/payload/<int:payload_pk>/"

PAGES = [
    ("payloads/overview/", overview_view, "payloads_overview"),
    ("payloads/overview/export.<str:file_format>", export_view, "payloads_export"),
    ("payloads/overview/publish/", publish_view, "payloads_publish"),
    (f"{PAYLOAD}allocation/", allocation_view, "payloads_payload_allocation"),
    (
        f"{PAYLOAD}condition/<int:condition_pk>/",
        condition_view,
        "payloads_payload_condition",
    ),
    (f"{PAYLOAD}deselect/", deselect_view, "payloads_payload_deselect"),
    (
        f"{PAYLOAD}agreement/<int:agreement_pk>/",
        agreement_view,
        "payloads_payload_agreement",
    ),
    (
        f"{PAYLOAD}agreement/<int:agreement_pk>/sign/",
        sign_view,
        "payloads_payload_sign",
    ),
    (
        f"{PAYLOAD}milestone/<int:milestone_pk>/slip/",
        slip_view,
        "payloads_payload_slip",
    ),
    (
        f"{PAYLOAD}milestone/<int:milestone_pk>/done/",
        complete_view,
        "payloads_payload_complete",
    ),
    (f"{PAYLOAD}delivery/", delivery_view, "payloads_payload_delivery"),
    (
        f"{PAYLOAD}delivery/<int:delivery_pk>/",
        decide_delivery_view,
        "payloads_payload_decide_delivery",
    ),
    (f"{PAYLOAD}handover/", handover_view, "payloads_payload_handover"),
]


def payload_urls(site) -> list:
    """The pages above, each behind `site.admin_view`; placed before the
    site's own patterns (the payload admin's `<object_id>/` redirect would
    take them otherwise)."""
    return [
        path(route, site.admin_view(view), name=name) for route, view, name in PAGES
    ]
