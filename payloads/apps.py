from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayloadsConfig(AppConfig):
    name = "payloads"
    verbose_name = _("Payloads")

    def ready(self) -> None:
        # Connects the receiver of reviews.signals.decision_released.
        from payloads import receivers  # noqa: F401, PLC0415
