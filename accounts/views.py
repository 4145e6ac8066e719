"""The profile page; everything else about an account is allauth's."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import ProfileForm
from accounts.language import apply_language


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    # The form edits a copy, so a rejected entry never shows in the navigation bar.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(
            user=request.user, actor=request.user, **form.cleaned_data
        )
        response = redirect("accounts:profile")
        apply_language(request, response, user.preferred_language)
        messages.success(request, _("Your profile has been saved."))
        return response
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "security": selectors.account_security(user=request.user)},
    )
