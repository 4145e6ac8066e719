"""config.limits: a named limit counted per key in the shared cache, its
refusal saying when to try again, and the translated 429 page."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.utils import translation

from config import limits


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(AO_LIMITS={"question": "3/h"})
def test_a_limit_refuses_the_use_past_its_rate_per_key():
    request = RequestFactory().post("/")
    results = [limits.hit(request, "question", key="user:1") for _ in range(4)]
    assert results[:3] == [None, None, None]
    exceeded = results[3]
    assert exceeded.name == "question"
    assert 0 < exceeded.retry_after <= 3600
    # Another key has its own count; peeking counts nothing.
    assert limits.hit(request, "question", key="user:2") is None
    assert limits.peek(request, "question", key="user:2") is None
    assert limits.peek(request, "question", key="user:1") is not None


@override_settings(AO_LIMITS={"upload": "1/h"})
def test_the_refusal_says_when_to_try_again_in_the_readers_language():
    request = RequestFactory().post("/")
    limits.hit(request, "upload", key="user:1")
    exceeded = limits.hit(request, "upload", key="user:1")
    with translation.override("en"):
        assert "Try again in" in exceeded.message
        assert "Beijing time" in exceeded.message
    with translation.override("zh-hans"):
        assert "Try again in" not in exceeded.message


@override_settings(AO_LIMITS={"upload": "1/h"})
def test_the_429_page_names_the_wait_and_sends_retry_after(rf):
    request = rf.get("/")
    request.user = None
    limits.hit(request, "upload", key="user:1")
    exceeded = limits.hit(request, "upload", key="user:1")
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415

    request.user = AnonymousUser()
    response = limits.too_many_requests(request, exceeded)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == exceeded.retry_after
    assert exceeded.message.split(";")[0].encode() in response.content.replace(
        b"&#x27;", b"'"
    )
