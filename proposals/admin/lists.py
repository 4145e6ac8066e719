"""The list filters the proposals' and reviews' changelists share: calls and
missions, read from their own small tables (a few dozen rows), so that a
filter costs the same over 100,000 proposals as over ten (config.admin_lists)."""

from django.utils.translation import gettext_lazy

from catalogue.models import Mission, Opportunity
from config.admin_lists import choices_filter


def opportunity_choices() -> list[tuple[int, str]]:
    """Every call, latest deadline first, as its admin lists them."""
    return [
        (opportunity.pk, str(opportunity))
        for opportunity in Opportunity.objects.only("title").order_by(
            "-proposal_deadline", "pk"
        )
    ]


def mission_choices() -> list[tuple[int, str]]:
    return [(mission.pk, str(mission)) for mission in Mission.objects.only("name")]


def opportunity_filter(path: str = "opportunity"):
    """Filter by call; `path` leads from the listed model to the call."""
    return choices_filter(
        title=gettext_lazy("opportunity"),
        parameter_name=f"{path}__id__exact",
        choices=opportunity_choices,
    )


def mission_filter(path: str = "opportunity__mission"):
    return choices_filter(
        title=gettext_lazy("mission"),
        parameter_name=f"{path}__id__exact",
        choices=mission_choices,
    )
