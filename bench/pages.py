"""Public pages and API over a large catalogue: requests per second and queries.

Creates 10,000 published opportunities (and their carriers) on a throw-away
test database, then times each page with Django's test client in-process, so
the figure is the application's own cost (no HTTP server, no network).
Prints one JSON object.
"""

import json
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

from bench import django_env

ROWS = 10_000
REQUESTS = 60


def _populate() -> str:
    from django.utils import timezone  # noqa: PLC0415

    from catalogue.enums import (  # noqa: PLC0415
        CarrierKind,
        CooperationLevel,
        OpportunityKind,
        OpportunityStatus,
        Programme,
    )
    from catalogue.models import Carrier, Mission, Opportunity  # noqa: PLC0415

    now = timezone.now()
    missions = [
        Mission.objects.create(
            slug=f"bench-{i}",
            code=f"B{i}",
            name_en=f"Bench mission {i}",
            programme=Programme.LUNAR,
            target_en="Moon",
            summary_en="Bench",
            launch_window="2028",
            launch_year=2024 + i,
        )
        for i in range(6)
    ]
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(
            mission=missions[i % len(missions)],
            slug=f"bench-call-{i}",
            title_en=f"Bench call {i}",
            summary_en="Payload opportunity for the bench.",
            kind=OpportunityKind.FLIGHT_PAYLOAD,
            cooperation_level=CooperationLevel.EQUIPMENT,
            status=OpportunityStatus.PUBLISHED,
            opens_at=now - timedelta(days=10),
            proposal_deadline=now + timedelta(days=1 + i % 300),
            published_at=now - timedelta(days=10, minutes=i),
        )
        for i in range(ROWS)
    )
    Carrier.objects.bulk_create(
        Carrier(
            opportunity=opportunity,
            kind=CarrierKind.LANDER,
            name_en="Lander",
            total_mass_kg=Decimal(10),
            max_payload_mass_kg=Decimal(5),
        )
        for opportunity in opportunities
    )
    return opportunities[ROWS // 2].slug


def _measure(client, path: str) -> dict:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Counted now: the log this context slices is cleared by the next request.
    queries = len(captured)
    if response.status_code != HTTPStatus.OK:
        msg = f"{path} answered {response.status_code}"
        raise RuntimeError(msg)
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(path)
        timings.append(time.perf_counter() - start)
    return {
        "path": path,
        "queries": queries,
        "requests_per_s": round(REQUESTS / sum(timings), 1),
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(sorted(timings)[int(REQUESTS * 0.95) - 1] * 1000, 2),
    }


def main() -> dict:
    connection = django_env.setup()
    try:
        from django.test import Client  # noqa: PLC0415

        slug = _populate()
        client = Client()
        pages = [
            "/",
            "/opportunities/",
            "/opportunities/?open_now=true&page=3",
            f"/opportunities/{slug}/",
            "/missions/",
            "/api/v1/opportunities/",
            "/opportunities/feed/",
        ]
        return {
            "bench": "pages",
            "rows": ROWS,
            "database": connection.vendor,
            "results": [_measure(client, path) for path in pages],
        }
    finally:
        django_env.teardown(connection)


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
