from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Connects the receivers that mark the kept public pages stale.
        from catalogue import receivers  # noqa: F401, PLC0415
