from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from anymail.signals import tracking  # noqa: PLC0415 — apps are loaded now

        from notifications import receivers  # noqa: F401, PLC0415 (connects them)
        from notifications.webhooks import on_tracking_event  # noqa: PLC0415

        tracking.connect(on_tracking_event, dispatch_uid="notifications.tracking")
