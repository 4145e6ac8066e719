from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who of each chosen proposal's team a message goes to."""

    PRINCIPAL_INVESTIGATORS = "pis", _("Principal investigators only")
    TEAMS = "teams", _("Whole teams (principal investigator and confirmed members)")
