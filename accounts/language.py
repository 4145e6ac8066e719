"""Switch the interface to a person's preferred language for the rest of the visit."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation


def apply_language(
    request: HttpRequest, response: HttpResponseBase, language: str
) -> HttpResponseBase:
    """Activate `language` now and remember it in Django's language cookie.

    LocaleMiddleware reads that cookie on every later request, exactly as when
    the visitor presses a language button in the navigation bar.
    """
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
