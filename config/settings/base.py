"""Settings shared by every mode; each value comes from the environment.

`local`, `test` and `production` only override. With no environment at all the
portal runs on SQLite, Celery runs tasks eagerly in the web process, and emails
are printed to the console, so a laptop needs nothing installed.
"""

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "local-only-insecure-key-ao-portal-do-not-use-in-production"
)
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The site's address, from which every emailed link is made absolute. Production
# requires DJANGO_SITE_URL; in local development (DEBUG) without it,
# accounts.site_url.SiteUrlFromRequestMiddleware takes it from each request's
# host, so links work on whatever host and port the developer uses.
SITE_URL_CONFIGURED = bool(env_str("DJANGO_SITE_URL", ""))
SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    # The administrators' site (config.admin_site) as the default admin site.
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_countries",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "catalogue",
    "anymail",
    "notifications",
    "proposals",
    "reviews",
    "payloads",
    "questions",
    "messaging",
    "privacy",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response
    # (CONTENT_SECURITY_POLICY and PERMISSIONS_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.site_url.SiteUrlFromRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL says otherwise (postgres://… through psycopg 3).
DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (rate limits then hold across workers).
_redis_url = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
    {
        # Django's, with a message its Chinese catalogue translates.
        "NAME": "accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "catalogue:home"

# django-allauth: email is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AO Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Failed logins: at most 5 per account and IP per 5 minutes and 10 per IP per minute.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# accounts.lockout counts "key" per account and address, so a stranger locks out
# only their own address; this looser limit counts the account from every address.
AO_LOCKOUT_ACCOUNT_RATE = "50/h"
# The portal's own limits (config.limits), as django-ratelimit rates; counted in
# the default cache, which production requires to be shared (Redis).
AO_LIMITS = {
    # invitations and resends, per proposal
    "invitation": "10/h",
    # questions on calls, per person
    "question": "5/d",
    # documents uploaded, per person
    "upload": "30/h",
    # exports of one's own data (a ZIP of everything), per person
    "export": "3/h",
}
RATELIMIT_USE_CACHE = "default"
# Sign-up asks for the profile; account emails go through the outbox.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AO Portal (CNSA)"

# Internationalisation: English and Simplified Chinese; Beijing time for entry.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# Moments Django renders itself (the admin's) read as the `beijing` filter writes.
FORMAT_MODULE_PATH = ["config.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The admin's language tabs use jQuery UI: served from our static files, not
# Google's CDN (unreachable from mainland China).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are private: no MEDIA_URL is served; views check who asks.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Behind nginx: the internal location over MEDIA_ROOT (e.g. /_private/) to which
# a download is handed with X-Accel-Redirect once the view has checked who
# asks (config.private_files). Empty: the portal streams the file itself.
PRIVATE_FILES_X_ACCEL_PREFIX = env_str("DJANGO_X_ACCEL_REDIRECT_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
if env_str("DJANGO_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DJANGO_S3_BUCKET"),
            "endpoint_url": env_str("DJANGO_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. The outbox (notifications app) records every message; this backend sends it.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str(
    "DJANGO_DEFAULT_FROM_EMAIL", "AO Portal <no-reply@ao-portal.example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# django-anymail, when DJANGO_EMAIL_BACKEND names one of its backends
# (anymail.backends.postmark.EmailBackend …): ANYMAIL_ESP_SETTING names the
# provider's credential as anymail spells it (POSTMARK_SERVER_TOKEN,
# SENDGRID_API_KEY …) and ANYMAIL_ESP_CREDENTIAL holds it. The provider's bounce
# and complaint webhooks are served under /anymail/ once ANYMAIL_WEBHOOK_SECRET
# ("user:password", sent by the provider as basic auth) is set.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET")}
if env_str("ANYMAIL_ESP_SETTING"):
    ANYMAIL[env_str("ANYMAIL_ESP_SETTING")] = env_str("ANYMAIL_ESP_CREDENTIAL")

# Celery: Redis as broker when CELERY_BROKER_URL is set, otherwise tasks run eagerly.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Email has a queue of its own (prefetch 1 above), so a backlog of mail never
# delays other work and `celery worker -Q email` can be scaled on its own.
NOTIFICATIONS_EMAIL_QUEUE = env_str("CELERY_EMAIL_QUEUE", "email")
CELERY_TASK_ROUTES = {
    "notifications.tasks.send_email": {"queue": NOTIFICATIONS_EMAIL_QUEUE}
}
# A web request whose broker is down gives up publishing after about a second;
# the outbox row stays queued and the sweeper hands it over later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Celery's Django fixup closes the database connection around every task unless
# told to reuse it: a new PostgreSQL connection per email costs more than the
# email. Reused for 100 tasks, then reopened.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100)
# The outbox: attempts before a row is failed, the exponential back-off (with
# jitter) between them, how long a worker may hold a row in "sending" before the
# sweeper takes it back, and how long a queued row may wait for its task.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
NOTIFICATIONS_SENDING_LEASE_SECONDS = env_int(
    "NOTIFICATIONS_SENDING_LEASE_SECONDS", 600
)
NOTIFICATIONS_QUEUED_GRACE_SECONDS = env_int("NOTIFICATIONS_QUEUED_GRACE_SECONDS", 300)
# Longer than the longest retry back-off, so an unacked message is not redelivered
# while its retry is still pending.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)
}
# Personal data kept (docs/operations.md, "Personal data and retention"): drafts
# never submitted are removed this many days after their call's deadline; sent
# and failed outbox rows this many days after they were written.
PRIVACY_DRAFT_RETENTION_DAYS = env_int("PRIVACY_DRAFT_RETENTION_DAYS", 180)
PRIVACY_OUTBOX_RETENTION_DAYS = env_int("PRIVACY_OUTBOX_RETENTION_DAYS", 365)
# Beat: the sweeper every minute, the reminders every quarter of an hour. Each
# run expires before the next, so a beat that ran while workers were down does
# not leave a pile of stale runs behind.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-send-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": 900.0,
        "options": {"expires": 850},
    },
    # Hourly: each discussion participant's digest of new messages (at most
    # one email per person and hour, reviews.services.send_discussion_digests).
    "reviews-send-discussion-digests": {
        "task": "reviews.tasks.send_discussion_digests",
        "schedule": 3600.0,
        "options": {"expires": 3300},
    },
    # Daily: the retention rules of docs/operations.md (privacy.tasks).
    "privacy-apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
}

REST_FRAMEWORK = {
    # drf-spectacular's, documenting each operation's 400, 403, 404 and 429.
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Per client, in the shared cache; a 429 says when to retry (config.api_limits).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api_limits.AnonymousClientThrottle",
        "config.api_limits.SignedInClientThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/min",
        "user": "300/min",
    },
    "EXCEPTION_HANDLER": "config.api_limits.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AO Portal API",
    "DESCRIPTION": (
        "Read the CNSA catalogue of missions and Announcements of Opportunity."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Calls and proposals both have a "status": name each set of choices.
    "ENUM_NAME_OVERRIDES": {
        "OpportunityStatusEnum": "catalogue.enums.OpportunityStatus",
        "ProposalStatusEnum": "proposals.enums.ProposalStatus",
    },
}

# The demo seed (accounts with a shared password) is refused where this is False.
DEMO_SEED_ALLOWED = env_bool("DJANGO_DEMO_SEED_ALLOWED", default=True)

# Content-Security-Policy (django-csp 4): scripts, styles, images, fonts and
# connections from the portal's own origin only; no inline script, style or
# style="…" attribute anywhere (they live in static/). A template that cannot
# avoid one prints nonce="{{ request.csp_nonce }}": django-csp adds the nonce to
# the header only on the responses that used it, so the public pages, which are
# cached, never carry one. docs/decisions.md, "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): none of these browser features
# is used by any page, so none is allowed to the portal or to anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

SESSION_COOKIE_HTTPONLY = True
# The language cookie (set by Django's set_language and accounts.language) is
# read by the server only; production adds Secure.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
