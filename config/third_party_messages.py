"""Strings of Django, django-allauth and django-simple-history that their own
Simplified Chinese catalogues lack, found by rendering the admin in Chinese.

`makemessages` reads the `gettext_noop` calls, so locale/zh_Hans keeps their
translations, and LOCALE_PATHS comes before every app's catalogue when Django
translates the libraries' templates. allauth's Authenticator model has no
translatable names at all: `name_authenticators()` gives it some.
"""

from django.utils.translation import gettext_lazy, gettext_noop

MESSAGES = [
    # django.contrib.admin's app list (admin/app_list.html), read by screen readers.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django-simple-history's history page.
    gettext_noop("Changes"),
]


def name_authenticators() -> None:
    """Give allauth's Authenticator translatable names in the admin (its app
    list, changelist headers and filters), in place of the English ones Django
    derives from the class and field names. Call once the apps are ready."""
    from allauth.mfa.models import Authenticator  # noqa: PLC0415 — apps ready

    options = Authenticator._meta
    options.verbose_name = gettext_lazy("authenticator")
    options.verbose_name_plural = gettext_lazy("authenticators")
    for name, label in {
        "user": gettext_lazy("user"),
        "type": gettext_lazy("type"),
        "created_at": gettext_lazy("created at"),
        "last_used_at": gettext_lazy("last used at"),
    }.items():
        options.get_field(name).verbose_name = label
