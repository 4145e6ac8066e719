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
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def teardown(connection, old_name: str | None = None) -> None:
    connection.creation.destroy_test_db(
        old_name or connection.settings_dict["NAME"], verbosity=0
    )
