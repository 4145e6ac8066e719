"""API throttles for anonymous and signed-in clients: past the rate a 429 with
Retry-After and a body saying, in the reader's language, when to try again.
The API only reads, so nothing can be stored past the limit; what is checked
is that the refused request reads nothing (its body holds no data)."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from config.api_limits import retry_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATES = {"anon": "2/min", "user": "3/min"}


@pytest.fixture(autouse=True)
def _low_rates():
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    ):
        yield


def test_anonymous_clients_are_throttled_with_a_translated_retry(client):
    url = "/api/v1/opportunities/"
    statuses = [client.get(url).status_code for _ in range(2)]

    response = client.get(url)

    assert statuses == [200, 200]
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"detail", "retry_after"}
    assert 0 < body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert body["detail"].startswith("Too many requests. Try again in ")
    assert "Beijing time" in body["detail"]


def test_signed_in_clients_have_their_own_rate_per_account(client):
    user = UserFactory()
    client.force_login(user)
    url = "/api/v1/proposals/"
    statuses = [client.get(url).status_code for _ in range(4)]
    other = UserFactory()
    client.force_login(other)

    other_status = client.get(url).status_code

    assert statuses == [200, 200, 200, 429]
    assert other_status == 200


def test_the_api_answers_unthrottled_when_the_cache_does_not_answer(caplog):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    with override_settings(CACHES=unreachable):
        statuses = [
            Client().get("/api/v1/opportunities/").status_code for _ in range(3)
        ]

    assert statuses == [200, 200, 200]
    assert "the request is not counted" in caplog.text


def test_the_retry_message_counts_seconds():
    with translation.override("en"):
        assert retry_message(1).startswith("Too many requests. Try again in 1 second ")
        assert retry_message(42).startswith(
            "Too many requests. Try again in 42 seconds "
        )


def test_the_settings_name_a_rate_for_both_kinds_of_client():
    from config.settings import base  # noqa: PLC0415

    rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert sorted(rates) == ["anon", "user"]
