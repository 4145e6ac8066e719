"""Filters over public opportunities, shared by the list page and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.enums import CooperationLevel, OpportunityKind, OpportunityStatus
from catalogue.models import Mission, Opportunity

PUBLIC_STATUSES = [
    (value, label)
    for value, label in OpportunityStatus.choices
    if value != OpportunityStatus.DRAFT
]


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    mission = django_filters.ModelChoiceFilter(
        label=_("Mission"),
        queryset=Mission.objects.all(),
        to_field_name="slug",
        empty_label=_("All missions"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OpportunityKind.choices, empty_label=_("All kinds")
    )
    cooperation_level = django_filters.ChoiceFilter(
        label=_("Cooperation level"),
        choices=CooperationLevel.choices,
        empty_label=_("All levels"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PUBLIC_STATUSES, empty_label=_("Any status")
    )
    open_now = django_filters.ChoiceFilter(
        label=_("Open now"),
        method="filter_open_now",
        choices=[("true", _("Open for proposals")), ("false", _("Not open"))],
        empty_label=_("Open or not"),
    )

    class Meta:
        model = Opportunity
        fields = ["q", "mission", "kind", "cooperation_level", "status", "open_now"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title_en__icontains=value)
            | Q(title_zh_hans__icontains=value)
            | Q(summary_en__icontains=value)
            | Q(summary_zh_hans__icontains=value)
            | Q(mission__name_en__icontains=value)
            | Q(mission__name_zh_hans__icontains=value)
            | Q(science_areas_en__icontains=value)
        )

    def filter_open_now(self, queryset, name, value):
        if value not in {"true", "false"}:
            return queryset
        now = timezone.now()
        open_q = Q(
            status=OpportunityStatus.PUBLISHED,
            opens_at__lte=now,
            proposal_deadline__gt=now,
        )
        return queryset.filter(open_q) if value == "true" else queryset.exclude(open_q)
