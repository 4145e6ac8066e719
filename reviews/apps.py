from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from reviews.signals import connect_ranking_receivers  # noqa: PLC0415

        connect_ranking_receivers()
