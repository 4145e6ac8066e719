"""The audit log: every change to what decides who may do what and on what terms.

One page of the administrators' site, `/admin/audit/` (`admin:audit_log`),
lists the newest changes first, 50 a page, across the audited models
(config.history): a call's carriers, evaluation criteria, required documents and
statements, decisions and decision letters, users' flags, groups and
permissions, and the groups' permissions. Each line says when, who, what (the
row and a link to its page) and, field by field, the value before and after;
`?model=<key>` keeps one kind of row.

Only superusers and the "Administrators" group read it: other staff get 403;
whoever is not staff (a visitor, a researcher, a reviewer) is sent to the
administrators' sign-in page, as on every page of /admin/.

The page costs a fixed number of queries whatever its length: the page of
(kind, id, moment) from one UNION of the history tables, then per kind on the
page its rows and their previous versions (one query each) and each
many-to-many field's rows (one query).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviews.permissions import ADMINISTRATORS_GROUP

PER_PAGE = 50
EMPTY = "—"


def can_read_audit_log(user) -> bool:
    """Superusers and active staff of the Administrators group."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATORS_GROUP).exists()


@dataclass(frozen=True)
class Audited:
    """One audited model: how its rows are named and where they are edited."""

    key: str
    model_path: str  # "app_label.ModelName"
    related: tuple[str, ...] = ()  # select_related on the history rows
    page: str = "history"  # the admin page each row links to

    @property
    def history_model(self):
        from django.apps import apps  # noqa: PLC0415 (models load after config)

        return apps.get_model(self.model_path).history.model

    @property
    def verbose_name(self):
        from django.apps import apps  # noqa: PLC0415 (models load after config)

        return apps.get_model(self.model_path)._meta.verbose_name


AUDITED = [
    Audited("carrier", "catalogue.Carrier", ("opportunity",), "call"),
    Audited("criterion", "catalogue.EvaluationCriterion", ("opportunity",), "call"),
    Audited("document", "catalogue.RequiredDocument", ("opportunity",), "call"),
    Audited("statement", "catalogue.Statement", ("opportunity",), "call"),
    Audited(
        "decision",
        "reviews.Decision",
        ("proposal", "decided_by", "released_by"),
    ),
    Audited("letter", "reviews.DecisionLetterTemplate", ("opportunity", "updated_by")),
    Audited("user", "accounts.User"),
    Audited("group", "auth.Group"),
]
BY_KEY = {audited.key: audited for audited in AUDITED}
ACTIONS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: object
    kind: str
    action: str
    label: str
    url: str
    first_known: bool = False  # no earlier version: the values as recorded
    created: bool = False  # the values only, nothing before them
    changes: list[Change] = field(default_factory=list)


# --- reading -----------------------------------------------------------------


def audit_page_rows(*, kind: str | None):
    """(kind, history_id, history_date) of every recorded change, newest first:
    one kind's history table, or a UNION of them all."""
    chosen = [BY_KEY[kind]] if kind in BY_KEY else AUDITED
    parts = [
        audited.history_model.objects.annotate(
            audit_kind=Value(audited.key, output_field=CharField())
        )
        .order_by()
        .values_list("audit_kind", "history_id", "history_date")
        for audited in chosen
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows.order_by("-history_date", "-history_id")


def audit_entries(page_rows) -> list[Entry]:
    """The lines of one page, in the page's order."""
    ids_by_kind: dict[str, list[int]] = {}
    for kind, history_id, _moment in page_rows:
        ids_by_kind.setdefault(kind, []).append(history_id)
    entries = {}
    for kind, ids in ids_by_kind.items():
        for history_id, entry in _entries_of(BY_KEY[kind], ids).items():
            entries[kind, history_id] = entry
    return [entries[kind, history_id] for kind, history_id, _moment in page_rows]


def _entries_of(audited: Audited, ids: list[int]) -> dict[int, Entry]:
    history = audited.history_model
    earlier = history.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    records = history.objects.filter(history_id__in=ids).select_related(
        "history_user", *audited.related
    )
    records = records.annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
    if audited.key == "user":
        records = records.annotate(account=_account_label())
    records = list(records)
    previous = history.objects.select_related(*audited.related).in_bulk(
        [record.previous_id for record in records if record.previous_id]
    )
    m2m = _m2m_values(history, [*ids, *previous])
    entries = {}
    for record in records:
        before = previous.get(record.previous_id)
        entries[record.history_id] = Entry(
            when=record.history_date,
            who=record.history_user,
            kind=capfirst(audited.verbose_name),
            action=ACTIONS[record.history_type],
            label=_label(audited, record),
            url=_url(audited, record),
            first_known=before is None and record.history_type == "~",
            created=before is None,
            changes=_changes(history, record, before, m2m),
        )
    return entries


def _account_label():
    from accounts.models import User  # noqa: PLC0415 (models load after config)

    account = User.objects.filter(pk=OuterRef("id"))
    return Coalesce(
        NullIf(Subquery(account.values("full_name")[:1]), Value("")),
        Subquery(account.values("email")[:1]),
        output_field=CharField(),
    )


def _m2m_values(history, history_ids) -> dict[tuple[str, int], list[str]]:
    """Each many-to-many field's related rows, named, per history line."""
    values: dict[tuple[str, int], list[str]] = {}
    for m2m_field in history._history_m2m_fields:
        rows = getattr(history, m2m_field.name).model.objects
        target = m2m_field.m2m_reverse_field_name()
        related = [target]
        if m2m_field.related_model._meta.model_name == "permission":
            related.append(f"{target}__content_type")
        for row in rows.filter(history_id__in=history_ids).select_related(*related):
            values.setdefault((m2m_field.name, row.history_id), []).append(
                str(getattr(row, target))
            )
    return values


def _fields(history):
    """The tracked fields worth showing: a translated field shows as its
    language columns only (modeltranslation keeps the original in step)."""
    names = {tracked.name for tracked in history.tracked_fields}
    return [
        history._meta.get_field(tracked.name)
        for tracked in history.tracked_fields
        if tracked.editable
        and tracked.name != "id"
        and f"{tracked.name}_en" not in names
    ]


def _changes(history, record, before, m2m) -> list[Change]:
    if record.history_type == "-":
        return []
    changes = []
    for model_field in _fields(history):
        new = _shown(record, model_field)
        old = _shown(before, model_field) if before is not None else EMPTY
        if new != old:
            changes.append(Change(capfirst(model_field.verbose_name), old, new))
    for m2m_field in history._history_m2m_fields:
        new = sorted(m2m.get((m2m_field.name, record.history_id), []))
        old = (
            sorted(m2m.get((m2m_field.name, before.history_id), []))
            if before is not None
            else []
        )
        if new != old:
            changes.append(
                Change(
                    capfirst(m2m_field.verbose_name),
                    "; ".join(old) or EMPTY,
                    "; ".join(new) or EMPTY,
                )
            )
    return changes


def _shown(record, model_field) -> str:
    if model_field.is_relation:
        return _related(record, model_field)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        shown = EMPTY
    elif model_field.choices:
        shown = dict(model_field.flatchoices).get(value, value)
    elif isinstance(value, bool):
        shown = _("yes") if value else _("no")
    elif isinstance(value, datetime):
        shown = formats.localize(template_localtime(value))
    elif isinstance(value, date):
        shown = formats.localize(value)
    else:
        shown = value
    return str(shown)


def _related(record, model_field) -> str:
    raw = getattr(record, model_field.attname)
    if raw is None:
        return EMPTY
    related = getattr(record, model_field.name, None)
    return str(related) if related is not None else f"#{raw}"


def _label(audited: Audited, record) -> str:
    """What the line is about: the account, the group, the proposal's
    reference, or the call and its part."""
    if audited.key == "user":
        return record.account or f"#{record.id}"
    if audited.key == "group":
        return record.name
    if audited.key == "decision":
        return _related(record, record._meta.get_field("proposal"))
    if audited.key == "letter":
        name = record.get_outcome_display()
    elif audited.key == "statement":
        name = record.text[:80]
    else:
        name = record.name
    call = record.opportunity
    return f"{call.title}: {name}" if call is not None else name


def _url(audited: Audited, record) -> str:
    """The row's history page, or its call's page for a call's parts; empty
    when the row is gone."""
    try:
        if audited.page == "call":
            if record.opportunity is None:
                return ""
            return reverse(
                "admin:catalogue_opportunity_change", args=[record.opportunity_id]
            )
        app_label, model_name = audited.model_path.lower().split(".")
        return reverse(f"admin:{app_label}_{model_name}_history", args=[record.id])
    except NoReverseMatch:
        return ""


# --- the page ----------------------------------------------------------------


def audit_log_view(request):
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    kind = request.GET.get("model", "")
    if kind not in BY_KEY:
        kind = ""
    page = Paginator(audit_page_rows(kind=kind or None), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "admin/audit_log.html",
        {
            **admin.site.each_context(request),
            "title": _("Audit log"),
            "page": page,
            "entries": audit_entries(list(page.object_list)),
            "kinds": [
                (audited.key, capfirst(audited.verbose_name)) for audited in AUDITED
            ],
            "kind": kind,
        },
    )


def audit_urls(site) -> list:
    """The page behind `site.admin_view`: like every page of the site, it sends
    whoever is not active staff to sign in (reviewers and researchers are not
    staff); staff outside the Administrators group get 403."""
    return [path("audit/", site.admin_view(audit_log_view), name="audit_log")]
