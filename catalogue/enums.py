from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    LUNAR = "lunar", _("Lunar exploration (Chang'E)")
    PLANETARY = "planetary", _("Planetary exploration (Tianwen)")
    HUMAN_SPACEFLIGHT = "human", _("Human spaceflight (China Space Station)")
    ILRS = "ilrs", _("International Lunar Research Station")


class OpportunityKind(models.TextChoices):
    FLIGHT_PAYLOAD = "payload", _("Flight payload")
    STATION_EXPERIMENT = "station", _("Space-station experiment")
    OTHER = "other", _("Other cooperation")


class CooperationLevel(models.TextChoices):
    SYSTEM = "system", _("System")
    SUBSYSTEM = "subsystem", _("Subsystem")
    EQUIPMENT = "equipment", _("Equipment")
    APPLICATION = "application", _("Application")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    DECIDED = "decided", _("Decided")
    CANCELLED = "cancelled", _("Cancelled")


class CarrierKind(models.TextChoices):
    LANDER = "lander", _("Lander")
    ORBITER = "orbiter", _("Orbiter")
    ROVER = "rover", _("Rover")
    SERVICE_MODULE = "service_module", _("Service module")
    STATION_RACK = "station_rack", _("Station rack (inside)")
    EXPOSED_PLATFORM = "exposed_platform", _("Exposed platform (outside)")
    OTHER = "other", _("Other carrier")


class ResourcePolicy(models.TextChoices):
    BLOCK = "block", _("Exceeding the envelope blocks submission")
    WARN = "warn", _("Exceeding the envelope only warns")


class AnonymityPolicy(models.TextChoices):
    """What the anonymity check before submission does in a dual-anonymous
    call when it finds something that may reveal the team."""

    WARN = "warn", _("What may reveal the team only warns")
    BLOCK = "block", _("What may reveal the team blocks submission")


class ContactLanguage(models.TextChoices):
    """The language a CNSA contact is written to in (settings.LANGUAGES)."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class DocumentLanguage(models.TextChoices):
    """The language of a call's own document (the AO text, a template)."""

    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")
