"""The administrators' admin site, `/admin/`.

Django's default site, made ours through `config.apps.AdminConfig.default_site`
so every `admin.register` of the apps lands here. Its one addition is the review
panel (reviews.panel): the chair's pages per call, at `/admin/panel/…`, named
`admin:reviews_panel_<name>`. Reviewers have a site of their own (`/review/`,
reviews.admin.reviewer_site) and never reach this one: they are not staff.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.refusals import Refused

# What a service refuses with, caught as one: every app's refusals derive from
# Refused; PermissionDenied and ValidationError come from Django.
REFUSALS = (Refused, PermissionDenied, ValidationError)


class AdministratorsSite(admin.AdminSite):
    site_header = gettext_lazy("AO Portal administration")
    site_title = gettext_lazy("AO Portal")
    index_title = gettext_lazy("CNSA Announcements of Opportunity")

    def get_urls(self):
        # The panel's views import the apps' selectors and services: imported
        # here, once the apps are ready.
        from config.audit import audit_urls  # noqa: PLC0415
        from payloads.admin_views import payload_urls  # noqa: PLC0415
        from reviews.panel.urls import panel_urls  # noqa: PLC0415

        return [
            *panel_urls(self),
            *payload_urls(self),
            *audit_urls(self),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        from config.audit import can_read_audit_log  # noqa: PLC0415

        audit = can_read_audit_log(request.user)
        return super().index(request, {"audit_log": audit, **(extra_context or {})})


def refusal_messages(refusal: Exception) -> list[str]:
    """Every sentence of a refusal: a service's Refused, PermissionDenied or a
    ValidationError (field messages included)."""
    if isinstance(refusal, ValidationError | Refused):
        found = [str(message) for message in refusal.messages]
    else:
        found = [str(part) for part in refusal.args]
    return [message for message in found if message] or [_("This is not allowed.")]


def show_refusal(request: HttpRequest, refusal: Exception, *, about="") -> None:
    """The one way the administrators' site shows a refusal: each sentence an
    error message, led by what it is about (a proposal, say) when given."""
    for message in refusal_messages(refusal):
        messages.error(
            request,
            _("%(about)s: %(why)s") % {"about": about, "why": message}
            if about
            else message,
        )
