"""Production: secrets required from the environment, HTTPS everywhere.

`python manage.py check --deploy` passes with no warning under these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = [env_required("DJANGO_ALLOWED_HOSTS")]

DEMO_SEED_ALLOWED = False

# Rate limits (failed sign-ins, sign-in lockouts, uploads, the API's throttles)
# are counted in the default cache: with a cache per worker, each worker would
# count its own share and an attacker would get workers × the limit.
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.redis.RedisCache":  # noqa: F405
    msg = (
        "Production needs a cache shared by every worker for its rate limits and "
        "sign-in lockouts: set REDIS_URL (e.g. redis://redis:6379/0)."
    )
    raise ImproperlyConfigured(msg)

# The API answers JSON only: DRF's browsable pages carry inline styles that the
# Content-Security-Policy refuses. Swagger UI (/api/docs/) documents it instead.
#
# The visitor's address, behind nginx (deploy/nginx/nginx.conf): REMOTE_ADDR is
# nginx's for everyone, so per-address limits would be limits on the whole site.
# nginx sets X-Real-IP (replacing any the client sent) and appends the visitor
# to X-Forwarded-For; NUM_PROXIES counts the proxies appending to it (nginx:
# 1) so a client cannot pick its own entry. allauth's limits and the sign-in
# lockout (accounts.adapter: allauth's get_client_ip) read X-Real-IP;
# django-ratelimit reads the same header should a limit ever key on "ip".
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 1),
}
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"

# Every emailed link is made absolute from the site's address: never guessed.
SITE_URL = env_required("DJANGO_SITE_URL").rstrip("/")
SITE_URL_CONFIGURED = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
