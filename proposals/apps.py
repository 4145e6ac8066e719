from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate  # noqa: PLC0415

        from proposals import receivers  # noqa: PLC0415 (connects them)

        post_migrate.connect(
            receivers.after_migrate, sender=self, dispatch_uid="progress:migrate"
        )
