"""The "Your data" page of the account area: download everything, or ask for
the account to be deleted. Both act on the signed-in person only: no URL names
an account, so nobody reaches another's data through them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config import limits
from privacy import export as exports
from privacy import services
from privacy.forms import DeleteAccountForm


def _page(request: HttpRequest, form: DeleteAccountForm, *, status: int = 200):
    return render(
        request,
        "privacy/your_data.html",
        {
            "form": form,
            "problems": services.deletion_problems(request.user),
            "draft_retention_days": settings.PRIVACY_DRAFT_RETENTION_DAYS,
        },
        status=status,
    )


@login_required
@require_GET
def your_data(request: HttpRequest) -> HttpResponse:
    return _page(request, DeleteAccountForm(request=request))


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """The ZIP, streamed; a few per hour per person (AO_LIMITS["export"])."""
    exceeded = limits.hit(request, "export", key=f"user:{request.user.pk}")
    if exceeded:
        return limits.too_many_requests(request, exceeded)
    now = timezone.now()
    services.record_export(user=request.user, actor=request.user, now=now)
    response = StreamingHttpResponse(
        exports.stream_zip(user=request.user, now=now),
        content_type="application/zip",
    )
    name = f"ao-portal-data-{timezone.localdate(now):%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, request=request)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.delete_account(user=request.user, actor=request.user)
    except services.DeletionRefused as refusal:
        for message in refusal.messages:
            form.add_error(None, message)
        return _page(request, form, status=409)
    logout(request)
    messages.success(
        request,
        _(
            "Your account has been deleted. A confirmation is on its way to "
            "your email address."
        ),
    )
    return redirect("catalogue:home")
