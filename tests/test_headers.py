"""Security headers on every response, and templates the CSP can live with.

The policy itself is proved in a browser (tests/browser/test_csp.py); here, the
headers' exact values, that the public pages (cached) never carry a nonce, that
no template holds an inline script, style or event handler, and that the
language cookie is sent with the flags the settings give it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config.security import REDOC_STYLE_HASHES, REDOCLY_LOGO
from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, OpportunityFactory, UserFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Not served to a browser: emails (read by mail clients) and WeasyPrint's PDFs.
NOT_BROWSER_PAGES = ("emails", "proposals/pdf")
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DENIED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb"}
COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)
INLINE = {
    "script element": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)"),
    "style element": re.compile(r"<style\b"),
    "style attribute": re.compile(r"\sstyle=[\"']"),
    "event handler": re.compile(r"\son[a-z]+=[\"']"),
}


def policy_of(response) -> dict[str, str]:
    directives = (
        directive.strip().partition(" ")
        for directive in response["Content-Security-Policy"].split(";")
    )
    return {name: value for name, _, value in directives}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/opportunities/",
        "/missions/",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/docs/",
        "/api/v1/opportunities/",
    ],
)
def test_public_responses_carry_the_strict_policy_without_a_nonce(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert policy_of(response) == POLICY
    assert "nonce" not in response.content.decode()


@pytest.mark.django_db
def test_a_call_page_carries_the_policy_without_a_nonce(client):
    call = OpportunityFactory()

    response = client.get(call.get_absolute_url())

    assert policy_of(response) == POLICY
    assert "nonce" not in response.content.decode()


@pytest.mark.django_db
def test_the_swagger_start_up_script_is_a_script_of_our_origin(client):
    page = client.get(reverse("api-docs")).content.decode()
    (script_url,) = re.findall(r'<script src="(/api/docs/\?[^"]*)"', page)

    script = client.get(script_url.replace("&amp;", "&"))

    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "<script>" not in page


@pytest.mark.django_db
def test_the_redoc_page_has_its_own_exceptions_and_is_never_cached(client):
    response = client.get(reverse("api-redoc"))
    page = response.content.decode()
    policy = policy_of(response)
    (nonce,) = re.findall(r'nonce="([^"]+)"', page)

    assert re.findall(r'(?:href|src)="(https?:[^"]*)"', page) == []
    assert policy["style-src"].split() == [
        "'self'",
        f"'nonce-{nonce}'",
        *REDOC_STYLE_HASHES,
    ]
    assert policy["img-src"] == f"'self' data: {REDOCLY_LOGO}"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_admin_pages_carry_the_policy(admin_client):
    response = admin_client.get(reverse("admin:index"), follow=True)

    assert policy_of(response) == POLICY


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/opportunities/"])
def test_every_response_carries_the_permissions_policy(client, path):
    response = client.get(path)

    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert {name: features[name] for name in DENIED_FEATURES} == dict.fromkeys(
        DENIED_FEATURES, "()"
    )
    assert set(features.values()) == {"()"}


def browser_templates():
    """Each template a browser is served, without its comments."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if not relative.startswith(NOT_BROWSER_PAGES):
            yield relative, COMMENT.sub("", path.read_text())


def test_templates_hold_no_inline_script_style_or_event_handler():
    found = [
        f"{name}: {what}"
        for name, text in browser_templates()
        for what, pattern in INLINE.items()
        if pattern.search(text)
    ]

    assert found == []


def test_templates_ask_for_no_nonce():
    """Public pages are cached: a nonce in one would be served to everybody."""
    found = [name for name, text in browser_templates() if "csp_nonce" in text]

    assert found == ["drf_spectacular/redoc.html"]


@pytest.mark.django_db
def test_the_language_switch_sets_the_cookie_with_the_settings_flags(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/"}
    )

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["secure"], cookie["samesite"], cookie["httponly"]) == (
        "zh-hans",
        True,
        "Lax",
        True,
    )


@pytest.mark.django_db
def test_signing_in_sets_the_language_cookie_with_the_settings_flags(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    user = UserFactory(chinese=True)

    response = sign_in(client, user.email, PASSWORD)

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["secure"], cookie["samesite"], cookie["httponly"]) == (
        "zh-hans",
        True,
        "Lax",
        True,
    )


@pytest.mark.django_db
def test_an_email_preview_frame_has_a_policy_of_its_own(admin_client):
    response = admin_client.get(
        reverse(
            "admin:notifications_outboundemail_preview_html",
            args=["proposal_submitted", "zh-hans"],
        )
    )

    assert response.content.decode().startswith("<!doctype html>")
    assert policy_of(response) == {
        "default-src": "'none'",
        "style-src": "'unsafe-inline'",
        "img-src": "'self' data:",
        "frame-ancestors": "'self'",
        "sandbox": "",
    }
    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.django_db
def test_an_email_preview_frame_refuses_an_unknown_template(admin_client):
    response = admin_client.get(
        reverse(
            "admin:notifications_outboundemail_preview_html",
            args=["no_such_template", "en"],
        )
    )

    assert response.status_code == 404
    assert "Content-Security-Policy" in response
