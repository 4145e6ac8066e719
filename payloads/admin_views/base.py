"""What every administrators' page of payloads shares: the permission, the
row named in the address, the page and the form page, refusals on the form."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from config.admin_site import REFUSALS, refusal_messages
from payloads import selectors
from payloads.models import Payload
from payloads.permissions import can_manage_payloads

TEMPLATES = "admin/payloads/"
PER_PAGE = 50
FILE_FORMATS = ("csv", "xlsx")


# --- what every page shares ------------------------------------------------------


def allowed(request: HttpRequest) -> None:
    if not can_manage_payloads(request.user):
        raise PermissionDenied


def payload_for(request: HttpRequest, payload_pk: int):
    allowed(request)
    return selectors.payload_for_user(request.user, payload_pk)


def part(payload, related: str, pk: int):
    """The condition, agreement, milestone or delivery `pk` of `payload`."""
    return get_object_or_404(getattr(payload, related).all(), pk=pk)


def change_url(payload) -> str:
    return reverse("admin:payloads_payload_change", args=[payload.pk])


def render(request: HttpRequest, template: str, *, title, **context):
    return TemplateResponse(
        request,
        TEMPLATES + template,
        {
            **admin.site.each_context(request),
            "title": title,
            "opts": Payload._meta,
            "overview_url": reverse("admin:payloads_overview"),
            **context,
        },
    )


def form_page(
    request: HttpRequest,
    *,
    payload,
    title,
    form,
    button,
    intro="",
    about=None,
    details: str = "",
    **context,
):
    """The one page of a payload's action: what it is about, the form (its
    refusals on top), the button and the way back to the payload."""
    return render(
        request,
        "form.html",
        title=title,
        payload=payload,
        payload_url=change_url(payload),
        form=form,
        button=button,
        intro=intro,
        about=about,
        details=TEMPLATES + details if details else "",
        **context,
    )


def refused(form, refusal: Exception) -> None:
    """Each sentence of a refusal on the form, which keeps what was typed: on
    the field it names (PayloadRefused.field), else on top."""
    field = getattr(refusal, "field", None)
    if field not in form.fields:
        field = None
    for message in refusal_messages(refusal):
        form.add_error(field, message)


def done(request: HttpRequest, payload, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(change_url(payload))


def act(
    request: HttpRequest,
    form,
    payload,
    action: Callable[[], object],
    success: Callable[[], str],
    *,
    allowed_now: bool = True,
) -> HttpResponse | None:
    """The POST of an action page: for a valid `form` (and `allowed_now`), run
    `action` (one payloads.services call) and go back to the payload with
    `success()`; a refusal goes on the form, which keeps what was typed. None
    when the page is to be shown (a GET, an invalid form, a refusal)."""
    if request.method != "POST" or not allowed_now or not form.is_valid():
        return None
    try:
        action()
    except REFUSALS as refusal:
        refused(form, refusal)
        return None
    return done(request, payload, success())
