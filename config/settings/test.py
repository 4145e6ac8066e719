"""Tests: fast hashing, in-memory email, tasks eager unless a test starts a worker."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A Celery worker started in a subprocess by the integration tests sends through
# SMTP to the test's server and publishes its retries to the broker.
EMAIL_BACKEND = env_str(
    "DJANGO_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TEST_ALWAYS_EAGER", default=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
