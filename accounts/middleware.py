"""Both admin sites ask for two-factor authentication before they open.

A signed-in person without an authenticator app who opens a page of a site they
belong to is sent to the page that activates one, with a message saying why:
staff on the administrators' site (/admin/), reviewers on the reviewers' site
(/review/). Whoever has an authenticator app passed it at sign-in: allauth asks
for the code of every account that has one, and both sites' login pages are
replaced by allauth's (config/urls.py, reviews.admin.reviewer_site).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from reviews.permissions import is_reviewer


def _warning(request) -> str | None:
    """Why the site at request.path needs an authenticator for this user, or
    None when it does not."""
    user = request.user
    if request.path.startswith(reverse("admin:index")):
        if user.is_staff:
            return _(
                "Staff accounts must turn on two-factor authentication before "
                "using the administration. Confirm your password if asked, "
                "then set up an authenticator app."
            )
        return None
    if request.path.startswith(reverse("review:index")) and is_reviewer(user):
        return _(
            "Reviewers must turn on two-factor authentication before using the "
            "reviewers' site. Confirm your password if asked, then set up an "
            "authenticator app."
        )
    return None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # process_view runs once every middleware has seen the request, so the
        # messages framework is ready whatever this middleware's place in the list.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        warning = _warning(request)
        if warning is None or is_mfa_enabled(user, types=[Authenticator.Type.TOTP]):
            return None
        messages.warning(request, warning)
        return redirect("mfa_activate_totp")


# The name settings.MIDDLEWARE has always used.
StaffTwoFactorMiddleware = TwoFactorMiddleware
