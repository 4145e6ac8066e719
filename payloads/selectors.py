"""Every read of selected payloads that a page, the admin or an export shows.

Querysets are scoped to who asks (payloads.permissions): the wrong person gets
a 404. The overview's counts are annotated in SQL (correlated subqueries), so
a page costs the same number of queries for 1 payload or 300.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from payloads.enums import (
    ConditionStatus,
    DeliveryStatus,
    MilestoneKind,
    PayloadStatus,
)
from payloads.models import (
    Agreement,
    Condition,
    ConditionDocument,
    DataHandover,
    Delivery,
    Milestone,
    MilestoneSlip,
    Payload,
    PayloadEvent,
    SelectionEntry,
)
from payloads.names import standard_name
from payloads.permissions import can_manage_payloads, can_view_payload
from payloads.timeline import TimelineRow
from proposals.models import TeamMember


def _count(model, *, filters: Q) -> Coalesce:
    """How many `model` rows of the outer payload match `filters` (subquery)."""
    rows = (
        model.objects.filter(filters, payload=OuterRef("pk"))
        .order_by()
        .values("payload")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _next_milestone(field: str) -> Subquery:
    """A field of the outer payload's next milestone not yet done."""
    return Subquery(
        Milestone.objects.filter(payload=OuterRef("pk"), actual_date__isnull=True)
        .order_by("planned_date", "order", "pk")
        .values(field)[:1]
    )


def _first_slip_of_next_milestone() -> Subquery:
    """The date first planned for the next milestone (before its first slip)."""
    first_slip = (
        MilestoneSlip.objects.filter(milestone=OuterRef("pk"))
        .order_by("recorded_at", "pk")
        .values("from_date")[:1]
    )
    return Subquery(
        Milestone.objects.filter(payload=OuterRef("pk"), actual_date__isnull=True)
        .order_by("planned_date", "order", "pk")
        .annotate(first_planned=Subquery(first_slip, output_field=DateField()))
        .values("first_planned")[:1],
        output_field=DateField(),
    )


def _last_done(field: str) -> Subquery:
    return Subquery(
        Milestone.objects.filter(payload=OuterRef("pk"), actual_date__isnull=False)
        .order_by("-actual_date", "-pk")
        .values(field)[:1]
    )


def with_flags(queryset: QuerySet[Payload], *, today: datetime.date) -> QuerySet:
    """Annotate each payload with what the overview and the changelist show:

    conditions_total, conditions_open (not accepted), conditions_overdue (due
    before `today`, not accepted); agreements_total, agreements_signed;
    milestones_total, milestones_late (not done, planned before `today`;
    none, like conditions_overdue, once the payload is de-selected);
    deliveries_overrun (flagged and not rejected); next_milestone_* (the next
    one not done: id, name, kind, date, side, first planned date);
    last_done_* (the last one done); late_items (overdue conditions + late
    milestones; 0 once de-selected). One query, whatever the number of rows.
    """
    not_accepted = ~Q(status=ConditionStatus.ACCEPTED)
    # A de-selected payload has nothing overdue or late any more.
    still_on_board = ~Q(payload__status=PayloadStatus.DESELECTED)
    return queryset.annotate(
        conditions_total=_count(Condition, filters=Q()),
        conditions_open=_count(Condition, filters=not_accepted),
        conditions_overdue=_count(
            Condition, filters=not_accepted & Q(due_date__lt=today) & still_on_board
        ),
        agreements_total=_count(Agreement, filters=Q()),
        agreements_signed=_count(Agreement, filters=Q(status="signed")),
        milestones_total=_count(Milestone, filters=Q()),
        milestones_late=_count(
            Milestone,
            filters=Q(actual_date__isnull=True, planned_date__lt=today)
            & still_on_board,
        ),
        deliveries_overrun=_count(
            Delivery, filters=Q(overrun=True) & ~Q(status=DeliveryStatus.REJECTED)
        ),
        next_milestone_id=_next_milestone("pk"),
        next_milestone_name=_next_milestone("name"),
        next_milestone_kind=_next_milestone("kind"),
        next_milestone_date=_next_milestone("planned_date"),
        next_milestone_side=_next_milestone("responsible"),
        next_milestone_first_planned=_first_slip_of_next_milestone(),
        last_done_name=_last_done("name"),
        last_done_date=_last_done("actual_date"),
        last_done_planned=_last_done("planned_date"),
        last_done_side=_last_done("responsible"),
    ).annotate(late_items=_late_items())


def _late_items() -> Case:
    """Overdue conditions and late milestones; a de-selected payload has none."""
    return Case(
        When(status=PayloadStatus.DESELECTED, then=Value(0)),
        default=F("conditions_overdue") + F("milestones_late"),
        output_field=IntegerField(),
    )


def overview(
    *,
    opportunity=None,
    mission=None,
    today: datetime.date,
) -> QuerySet[Payload]:
    """The payloads of a call (or of every call of a mission, or all), with
    their flags (with_flags), late items first, then by the next milestone's
    date and name. Paginate it: each page is one query."""
    payloads = Payload.objects.all()
    if opportunity is not None:
        payloads = payloads.filter(opportunity=opportunity)
    if mission is not None:
        payloads = payloads.filter(opportunity__mission=mission)
    return (
        with_flags(payloads, today=today)
        .select_related(
            "opportunity__mission",
            "carrier__opportunity__mission",
            "proposal__principal_investigator",
        )
        .order_by(
            F("late_items").desc(),
            F("next_milestone_date").asc(nulls_last=True),
            "name",
            "pk",
        )
    )


def overview_timeline(rows) -> list[TimelineRow]:
    """One timeline row per payload of the overview (annotated by with_flags):
    its next milestone, or the last one done when none is left. No query."""
    timeline = []
    for payload in rows:
        if payload.next_milestone_date is not None:
            first = payload.next_milestone_first_planned or payload.next_milestone_date
            timeline.append(
                TimelineRow(
                    label=(
                        f"{payload.name} — {standard_name(payload.next_milestone_name)}"
                    ),
                    planned=payload.next_milestone_date,
                    actual=None,
                    slip=max(0, (payload.next_milestone_date - first).days),
                    done=False,
                    late=payload.milestones_late > 0,
                    side=payload.next_milestone_side,
                )
            )
        elif payload.last_done_date is not None:
            timeline.append(
                TimelineRow(
                    label=f"{payload.name} — {payload.last_done_name}",
                    planned=payload.last_done_planned,
                    actual=payload.last_done_date,
                    slip=0,
                    done=True,
                    late=payload.last_done_date > payload.last_done_planned,
                    side=payload.last_done_side,
                )
            )
    return timeline


# --- one payload --------------------------------------------------------------


def _team_filter(user) -> Q:
    confirmed = TeamMember.objects.filter(
        proposal=OuterRef("proposal"), user=user, confirmed_at__isnull=False
    )
    return Q(proposal__principal_investigator=user) | Q(Exists(confirmed))


def visible_payloads(user) -> QuerySet[Payload]:
    """Every payload `user` may read: all for an administrator, the team's own
    otherwise, none for anyone else."""
    if not (user and user.is_authenticated and user.is_active):
        return Payload.objects.none()
    if can_manage_payloads(user):
        return Payload.objects.all()
    return Payload.objects.filter(_team_filter(user))


def payloads_for_user(user, *, today: datetime.date | None = None) -> QuerySet:
    """ "My payloads": those of the proposals the user leads or is a confirmed
    member of (an administrator's own included), with their flags."""
    if not (user and user.is_authenticated and user.is_active):
        return Payload.objects.none()
    return (
        with_flags(
            Payload.objects.filter(_team_filter(user)),
            today=today or timezone.localdate(),
        )
        .select_related("opportunity__mission", "proposal", "carrier")
        .order_by("-created_at", "pk")
    )


def _with_everything(payloads: QuerySet[Payload]) -> QuerySet[Payload]:
    return payloads.select_related(
        "opportunity__mission",
        "carrier__opportunity__mission",
        "proposal__principal_investigator",
        "proposal__opportunity",
        "version",
        "decision",
    ).prefetch_related(
        Prefetch(
            "proposal__team_members",
            queryset=TeamMember.objects.select_related("user"),
        ),
        Prefetch(
            "conditions",
            queryset=Condition.objects.select_related(
                "answered_by", "reviewed_by"
            ).prefetch_related(
                Prefetch(
                    "documents",
                    queryset=ConditionDocument.objects.select_related("uploaded_by"),
                )
            ),
        ),
        Prefetch(
            "agreements",
            queryset=Agreement.objects.select_related("requirement", "updated_by"),
        ),
        Prefetch(
            "milestones",
            queryset=Milestone.objects.order_by(
                "planned_date", "order", "pk"
            ).prefetch_related(
                Prefetch(
                    "slips",
                    queryset=MilestoneSlip.objects.select_related("recorded_by"),
                )
            ),
        ),
        Prefetch(
            "deliveries",
            queryset=Delivery.objects.select_related(
                "milestone", "recorded_by", "decided_by"
            ),
        ),
        Prefetch(
            "handovers", queryset=DataHandover.objects.select_related("recorded_by")
        ),
    )


def payload_for_user(user, pk: int) -> Payload:
    """One payload with everything its page shows, for someone who may read it;
    Http404 otherwise (a reviewer, another researcher, anonymous)."""
    payload = _with_everything(visible_payloads(user)).filter(pk=pk).first()
    if payload is None or not can_view_payload(user, payload):
        raise Http404
    return payload


def events(payload: Payload) -> QuerySet[PayloadEvent]:
    """The payload's history, oldest first."""
    return payload.events.select_related("actor").order_by("at", "pk")


def condition_document_for_user(user, pk: int) -> ConditionDocument:
    """A condition's PDF, for the payload's team and the administrators."""
    document = (
        ConditionDocument.objects.filter(
            pk=pk, condition__payload__in=visible_payloads(user)
        )
        .select_related("condition__payload")
        .first()
    )
    if document is None:
        raise Http404
    return document


def agreement_for_user(user, pk: int) -> Agreement:
    """An agreement (and its signed PDF), for the team and the administrators."""
    agreement = (
        Agreement.objects.filter(pk=pk, payload__in=visible_payloads(user))
        .select_related("payload")
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


# --- timeline and data ----------------------------------------------------------


def timeline(payload: Payload, *, today: datetime.date) -> list[TimelineRow]:
    """The payload's milestones as timeline rows, each slip a note (uses the
    prefetched milestones and slips of payload_for_user)."""
    rows = []
    for milestone in payload.milestones.all():
        slips = sorted(milestone.slips.all(), key=lambda s: (s.recorded_at, s.pk))
        first = slips[0].from_date if slips else milestone.planned_date
        done = milestone.is_done
        rows.append(
            TimelineRow(
                label=standard_name(milestone.name),
                planned=milestone.planned_date,
                actual=milestone.actual_date,
                slip=max(0, (milestone.planned_date - first).days),
                done=done,
                late=(
                    milestone.actual_date > milestone.planned_date
                    if done
                    else milestone.planned_date < today
                ),
                side=milestone.responsible,
                notes=tuple(
                    f"{slip.from_date.isoformat()} → {slip.to_date.isoformat()}: "
                    f"{slip.reason}"
                    for slip in slips
                ),
            )
        )
    return rows


def landing_date(payload: Payload) -> tuple[datetime.date | None, str]:
    """The actual date of landing (or separation), else of launch, with the
    kind it is; (None, "") before either. Uses prefetched milestones."""
    done = {
        milestone.kind: milestone.actual_date
        for milestone in payload.milestones.all()
        if milestone.actual_date is not None
    }
    for kind in (MilestoneKind.LANDING, MilestoneKind.LAUNCH):
        if kind in done:
            return done[kind], kind
    return None, ""


@dataclass(frozen=True)
class HandoverRow:
    handover: DataHandover
    days: int | None  # from landing (or launch) to the handover
    counted_from: str  # MilestoneKind.LANDING or LAUNCH, or ""


def handovers(payload: Payload) -> list[HandoverRow]:
    """The data handed over, each with the days since landing or separation
    (launch when no landing is recorded). Uses prefetched rows."""
    start, kind = landing_date(payload)
    return [
        HandoverRow(
            handover=handover,
            days=(handover.delivered_on - start).days if start else None,
            counted_from=kind,
        )
        for handover in payload.handovers.all()
    ]


# --- public -------------------------------------------------------------------


def public_selection(opportunity) -> QuerySet[SelectionEntry]:
    """The call's selected payloads for its public page: only once an
    administrator has published the list, never before."""
    return SelectionEntry.objects.filter(
        selection_list__opportunity=opportunity,
        selection_list__published_at__isnull=False,
    ).order_by("order", "pk")


def with_entry_counts(queryset):
    """Selection lists with `entry_count` (one query)."""
    return queryset.annotate(entry_count=Count("entries"))
