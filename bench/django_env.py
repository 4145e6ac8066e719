"""Set Django up for a bench script on a throw-away test database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> object:
    """Configure Django with test settings and create a fresh test database.

    Returns the connection; the caller destroys the database with teardown().
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django  # noqa: PLC0415

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    # Not django.test's setup_test_environment(): it makes every template render
    # send a signal for the test client, a cost production never pays. Only the
    # test client's host is allowed here.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def teardown(connection, old_name: str | None = None) -> None:
    connection.creation.destroy_test_db(
        old_name or connection.settings_dict["NAME"], verbosity=0
    )
