"""The administrators' admin site as Django's default site (config.admin_site)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "config.admin_site.AdministratorsSite"

    def ready(self):
        super().ready()
        from config.third_party_messages import name_authenticators  # noqa: PLC0415

        name_authenticators()
