"""Prepare the bare baseline: its database, 10,000 rows, a superuser's session.

    python -m bench.bare.prepare

Run with DJANGO_SETTINGS_MODULE=bench.bare.settings (bench.run does). Creates
the database (`BARE_DATABASE_URL`, by default ao_bench_bare) when missing,
migrates, fills the table once, and prints one JSON object: the session cookie
of a superuser for the stock admin changelist, and each page's query count.
"""

import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROWS = 10_000
ROOT = Path(__file__).resolve().parent.parent.parent


def _ensure_database() -> None:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    from bench.bare import settings  # noqa: PLC0415

    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or None,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone():
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"]))
            )


def _fill() -> None:
    from bench.bare.rows.models import Row  # noqa: PLC0415

    if Row.objects.count() == ROWS:
        return
    Row.objects.all().delete()
    rng = random.Random(2026)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Row.objects.bulk_create(
        [
            Row(
                name=f"Row {n:05d}",
                email=f"row{n}@example.org",
                country=rng.choice(["CN", "FR", "DE", "GB", "JP", "US", "BR", "IN"]),
                score=rng.randint(1, 5),
                active=n % 7 != 0,
                created_at=start + timedelta(minutes=n),
            )
            for n in range(ROWS)
        ],
        batch_size=2000,
    )


def _queries(client, path: str) -> int:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def main() -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare.settings")
    _ensure_database()
    import django  # noqa: PLC0415

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    _fill()
    user = User.objects.filter(username="bench").first() or (
        User.objects.create_superuser("bench", "bench@example.org", None)
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return {
        "cookie": cookie,
        "rows": ROWS,
        "queries": {
            "/": _queries(Client(), "/"),
            "/admin/rows/row/": _queries(client, "/admin/rows/row/"),
        },
    }


if __name__ == "__main__":
    print(json.dumps(main()))
