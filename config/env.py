"""Read configuration from the environment, with typed helpers.

Everything the portal can be told comes through here, so `base.py` reads as the
list of settings a deployment may set. Nothing in app code reads `os.environ`.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty one counts as unset (`FOO=` in a .env)."""
    return os.environ.get(name) or default


def env_required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        msg = f"The environment variable {name} must be set."
        raise ImproperlyConfigured(msg)
    return value


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    msg = f"{name}={raw!r} is not a boolean (use true or false)."
    raise ImproperlyConfigured(msg)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"{name}={raw!r} is not a whole number."
        raise ImproperlyConfigured(msg) from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    url = os.environ.get(name) or default
    return dj_database_url.parse(url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60))
