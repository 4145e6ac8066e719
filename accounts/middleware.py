"""Staff must turn on two-factor authentication before they can use the admin.

A signed-in staff member without an authenticator app who opens any page under
the admin is sent to the page that activates one, with a message saying why.
Staff with an authenticator app have already passed it at sign-in: allauth asks
for the code of every account that has one, and the admin's own login page is
replaced by allauth's (config/urls.py).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # process_view runs once every middleware has seen the request, so the
        # messages framework is ready whatever this middleware's place in the list.
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not is_mfa_enabled(user, types=[Authenticator.Type.TOTP])
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts must turn on two-factor authentication before "
                    "using the administration. Confirm your password if asked, "
                    "then set up an authenticator app."
                ),
            )
            return redirect("mfa_activate_totp")
        return None
