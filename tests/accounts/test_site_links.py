"""Emailed links: absolute from settings.SITE_URL, the sign-up confirmation
included; in local development without DJANGO_SITE_URL, from the request's host.
And the password rules in the researcher's language."""

import re

import pytest
from django.test import override_settings

from notifications.models import OutboundEmail
from tests.accounts.test_signup import SIGNUP

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/accounts/confirm-email/[^\s\"<]+")


def _confirmation_links() -> list[str]:
    email = OutboundEmail.objects.get(
        template="account/email/email_confirmation_signup"
    )
    return sorted(set(LINK.findall(email.body_text) + LINK.findall(email.body_html)))


@override_settings(
    SITE_URL="https://ao.cnsa.example",
    SITE_URL_CONFIGURED=True,
    ALLOWED_HOSTS=["internal-host"],
)
def test_signup_confirmation_link_is_on_the_configured_site(client):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="internal-host:8123")

    links = _confirmation_links()

    assert len(links) == 1
    assert links[0].startswith("https://ao.cnsa.example/accounts/confirm-email/")


@override_settings(
    DEBUG=True,
    SITE_URL="http://127.0.0.1:8000",
    SITE_URL_CONFIGURED=False,
    ALLOWED_HOSTS=["localhost"],
)
def test_in_development_links_follow_the_requests_host(client):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="localhost:8123")

    links = _confirmation_links()

    assert len(links) == 1
    assert links[0].startswith("http://localhost:8123/accounts/confirm-email/")


@override_settings(
    DEBUG=True,
    SITE_URL="https://ao.cnsa.example",
    SITE_URL_CONFIGURED=True,
    ALLOWED_HOSTS=["localhost"],
)
def test_in_development_a_configured_site_url_wins(client):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="localhost:8123")

    assert _confirmation_links()[0].startswith("https://ao.cnsa.example/")


@override_settings(
    DEBUG=False,
    SITE_URL="http://127.0.0.1:8000",
    SITE_URL_CONFIGURED=False,
    ALLOWED_HOSTS=["localhost"],
)
def test_without_debug_the_request_never_sets_the_site_url(client):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="localhost:8123")

    assert _confirmation_links()[0].startswith("http://127.0.0.1:8000/")


def test_short_password_is_refused_in_chinese_on_the_signup_page(client):
    page = client.post(
        "/accounts/signup/",
        {**SIGNUP, "password1": "Moon-7", "password2": "Moon-7"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    assert "密码长度太短。密码必须包含至少 10 个字符。" in page
    assert "too short" not in page


def test_short_password_is_refused_in_english(client):
    page = client.post(
        "/accounts/signup/", {**SIGNUP, "password1": "Moon-7", "password2": "Moon-7"}
    ).content.decode()

    assert "This password is too short. It must contain at least 10 characters." in page
