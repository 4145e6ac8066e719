"""The team's pages: "My payloads", one payload's page, the answer to a
condition and the downloads of its documents.

Every read goes through payloads.selectors, scoped to who asks: someone who may
not see a payload gets a 404, whatever they guess. A team member who may read
but not answer (a collaborator) gets a 403 on the answer. Writes go through
payloads.services.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalogue.templatetags.catalogue_tags import day
from config import limits
from config.private_files import private_file_response
from config.refusals import Refused
from payloads import selectors, services
from payloads.checks import render_finding
from payloads.enums import ConditionStatus, EventKind, PayloadStatus
from payloads.forms import AnswerForm
from payloads.permissions import can_answer
from payloads.timeline import TimelineRow, layout_timeline
from proposals.documents import DocumentRefused, safe_display_name
from proposals.resources import format_size

PDF = "application/pdf"


def _attachment(response: HttpResponse) -> HttpResponse:
    """Private files: never sniffed, never cached by a shared cache."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _download_name(name: str) -> str:
    try:
        return safe_display_name(name)
    except DocumentRefused:
        return "document.pdf"


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def allocation_rows(payload) -> list[dict]:
    """Each resource as requested in the version reviewed and as allocated."""
    requested = (payload.version.snapshot or {}).get("resources") or {}
    sides = [requested.get(key) for key in ("length_mm", "width_mm", "height_mm")]
    requested_size = format_size(sides) if all(sides) else ""
    rows = [
        (
            _("Mass (kg)"),
            _decimal(requested.get("mass_kg")),
            payload.allocated_mass_kg,
        ),
        (
            _("Power, average (W)"),
            _decimal(requested.get("power_avg_w")),
            payload.allocated_power_w,
        ),
        (
            _("Data volume (MB per day)"),
            _decimal(requested.get("data_mb_per_day")),
            payload.allocated_data_mb_per_day,
        ),
    ]
    result = [
        {
            "label": label,
            "requested": want,
            "allocated": got,
            "changed": want is not None and got is not None and want != got,
            "is_number": True,
        }
        for label, want, got in rows
    ]
    allocated_size = " ".join(payload.allocated_size_mm.split())
    result.append(
        {
            "label": _("Size, length × width × height (mm)"),
            "requested": requested_size,
            "allocated": allocated_size,
            "changed": bool(
                requested_size
                and allocated_size
                and requested_size.replace(" ", "") != allocated_size.replace(" ", "")
            ),
            "is_number": False,
        }
    )
    return result


def milestone_rows(payload, *, today) -> list[TimelineRow]:
    """The timeline's rows (payloads.selectors.timeline), each slip told in the
    reader's language: "Moved from 1 Mar 2027 to 1 May 2027: reason"."""
    rows = selectors.timeline(payload, today=today)
    return [
        row._replace(
            notes=tuple(
                _("Moved from %(from)s to %(to)s: %(reason)s")
                % {
                    "from": day(slip.from_date),
                    "to": day(slip.to_date),
                    "reason": slip.reason,
                }
                for slip in sorted(
                    milestone.slips.all(), key=lambda s: (s.recorded_at, s.pk)
                )
            )
        )
        for row, milestone in zip(rows, payload.milestones.all(), strict=True)
    ]


def delivery_rows(payload) -> list[dict]:
    """Each delivery with its findings as sentences and the fields over."""
    rows = []
    for delivery in payload.deliveries.all():
        findings = list(delivery.findings or [])
        rows.append(
            {
                "delivery": delivery,
                "messages": [render_finding(finding) for finding in findings],
                "over": {finding.get("field", "") for finding in findings},
            }
        )
    return rows


def _condition_rows(payload, *, user, bound: AnswerForm | None) -> list[dict]:
    answerable_statuses = ConditionStatus.awaiting_team()
    may_answer = payload.status == PayloadStatus.CONDITIONAL and can_answer(
        user, payload
    )
    rows = []
    for condition in payload.conditions.all():
        form = None
        if bound is not None and bound.condition.pk == condition.pk:
            # The answer just refused, shown again with the text as typed.
            form = bound
        elif may_answer and condition.status in answerable_statuses:
            form = AnswerForm(condition=condition, user=user)
        rows.append({"condition": condition, "form": form})
    return rows


def _allocation_change(payload):
    """The last change of allocation, with its reason, if any."""
    return selectors.events(payload).filter(kind=EventKind.ALLOCATION_CHANGED).last()


def detail_context(payload, *, user, bound: AnswerForm | None = None) -> dict:
    today = timezone.localdate()
    return {
        "payload": payload,
        "proposal": payload.proposal,
        "opportunity": payload.opportunity,
        "is_conditional": payload.status == PayloadStatus.CONDITIONAL,
        "allocation": allocation_rows(payload),
        "allocation_change": _allocation_change(payload),
        "conditions": _condition_rows(payload, user=user, bound=bound),
        "agreements": list(payload.agreements.all()),
        "timeline": layout_timeline(milestone_rows(payload, today=today), today=today),
        "deliveries": delivery_rows(payload),
        "handovers": selectors.handovers(payload),
        "today": today,
    }


@login_required
@require_safe
def payload_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payloads/list.html",
        {"payloads": list(selectors.payloads_for_user(user=request.user))},
    )


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    payload = selectors.payload_for_user(user=request.user, pk=pk)
    return render(
        request, "payloads/detail.html", detail_context(payload, user=request.user)
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, condition_pk: int) -> HttpResponse:
    """The team's answer to one condition, with its documents. A refusal comes
    back next to the field with the text as typed and the files that passed."""
    payload = selectors.payload_for_user(user=request.user, pk=pk)
    condition = next(
        (c for c in payload.conditions.all() if c.pk == condition_pk), None
    )
    if condition is None:
        raise Http404
    if not can_answer(request.user, payload):
        raise PermissionDenied
    exceeded = request.FILES and limits.hit(
        request, "upload", key=f"user:{request.user.pk}"
    )
    if exceeded:
        # Past the upload limit: the new files are neither checked nor kept;
        # the answer as typed and the files kept before come back (429).
        form = AnswerForm(request.POST, condition=condition, user=request.user)
        form.add_error(None, exceeded.message)
        response = render(
            request,
            "payloads/detail.html",
            detail_context(payload, user=request.user, bound=form),
            status=429,
        )
        response["Retry-After"] = str(exceeded.retry_after)
        return response
    form = AnswerForm(
        request.POST, request.FILES, condition=condition, user=request.user
    )
    if form.is_valid():
        try:
            services.answer_condition(
                condition=condition,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                files=form.files_for_service(),
            )
        except DocumentRefused as refusal:
            form.add_error("documents", refusal.message)
        except Refused as refusal:
            field = getattr(refusal, "field", None)
            for message in refusal.messages:
                form.add_error(field if field in form.fields else None, message)
        else:
            form.discard_kept()
            messages.success(
                request,
                _(
                    "Your answer is sent. The administrators will accept it or "
                    "return it."
                ),
            )
            return redirect(f"{payload.get_absolute_url()}#condition-{condition.pk}")
    return render(
        request,
        "payloads/detail.html",
        detail_context(payload, user=request.user, bound=form),
        status=400,
    )


@login_required
@require_safe
def condition_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A PDF given with an answer, streamed to the team and the administrators."""
    document = selectors.condition_document_for_user(user=request.user, pk=pk)
    response = private_file_response(
        document.file,
        filename=_download_name(document.original_name),
        content_type=PDF,
    )
    return _attachment(response)


@login_required
@require_safe
def agreement_document(request: HttpRequest, pk: int) -> HttpResponse:
    """An agreement's signed PDF, streamed to the team and the administrators."""
    agreement = selectors.agreement_for_user(user=request.user, pk=pk)
    if not agreement.signed_file:
        raise Http404
    response = private_file_response(
        agreement.signed_file,
        filename=_download_name(agreement.signed_file_name or agreement.name),
        content_type=PDF,
    )
    return _attachment(response)
