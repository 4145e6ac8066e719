"""Every allauth page is drawn inside the portal: navigation, card, Bootstrap."""

import re

import pytest

from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD
from tests.mfa import enable_totp, login_with_mfa

PORTAL_NAV = 'class="navbar navbar-expand-lg'


def _assert_portal_page(response, *, heading: str, card: bool = True):
    html = response.content.decode()
    assert response.status_code == 200
    assert PORTAL_NAV in html
    assert "China National Space Administration" in html
    assert heading in html
    if card:
        assert 'class="card shadow-sm"' in html
    assert "<strong>Menu:</strong>" not in html  # allauth's bare layout is gone


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "Sign In"),
        ("/accounts/signup/", "Sign Up"),
        ("/accounts/password/reset/", "Password Reset"),
        ("/accounts/password/reset/done/", "We have sent you an email."),
        ("/accounts/confirm-email/", "Verify Your Email Address"),
        ("/accounts/confirm-email/not-a-key/", "expired or is invalid"),
        ("/accounts/password/reset/key/1-bad-key/", "Bad Token"),
    ],
)
def test_entrance_pages_use_the_portal_layout(client, db, path, heading):
    response = client.get(path)

    _assert_portal_page(response, heading=heading)


def test_login_page_fields_have_labels_and_bootstrap_classes(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert 'for="id_login" class="form-label requiredField">' in html
    assert 'class="textinput form-control"' in html
    assert 'class="btn btn-primary w-100"' in html
    assert 'href="/accounts/password/reset/"' in html


def test_login_error_is_shown_in_an_alert(client, researcher):
    response = sign_in(client, researcher.email, "not-the-password")

    html = response.content.decode()
    assert 'class="alert alert-block alert-danger"' in html
    assert "are not correct" in html


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/email/", "Email Addresses"),
        ("/accounts/password/change/", "Change Password"),
        ("/accounts/2fa/", "Two-Factor Authentication"),
        ("/accounts/2fa/totp/activate/", "Activate Authenticator App"),
        ("/accounts/profile/", "Your profile"),
        ("/accounts/logout/", "Are you sure you want to sign out?"),
    ],
)
def test_manage_pages_use_the_portal_layout_with_account_menu(
    client, researcher, path, heading
):
    login_with_mfa(client, researcher, reauthenticated=True)

    response = client.get(path)

    _assert_portal_page(response, heading=heading)
    html = response.content.decode()
    assert 'aria-label="Account settings"' in html
    assert 'aria-current="page"' in html or path == "/accounts/logout/"


def test_email_page_shows_badges_and_radio_buttons(client, researcher):
    login_with_mfa(client, researcher)

    html = client.get("/accounts/email/").content.decode()

    assert 'class="form-check-input"' in html
    assert re.search(r'<span class="badge text-bg-success">\s*Verified\s*</span>', html)
    assert re.search(r'<span class="badge text-bg-primary">\s*Primary\s*</span>', html)


def test_two_factor_pages_with_totp_on(client, researcher):
    enable_totp(researcher, recovery_codes=True)
    login_with_mfa(client, researcher, reauthenticated=True)

    index = client.get("/accounts/2fa/")
    codes = client.get("/accounts/2fa/recovery-codes/")
    deactivate = client.get("/accounts/2fa/totp/deactivate/")
    generate = client.get("/accounts/2fa/recovery-codes/generate/")

    _assert_portal_page(index, heading="Authentication using an authenticator app")
    assert 'class="btn btn-danger"' in index.content.decode()
    _assert_portal_page(codes, heading="Unused codes")
    assert 'class="form-control font-monospace"' in codes.content.decode()
    _assert_portal_page(deactivate, heading="Deactivate Authenticator App")
    _assert_portal_page(generate, heading="generate a new set of recovery codes")


def test_reauthenticate_page_uses_the_portal_layout(client, researcher):
    client.force_login(researcher)

    response = client.get("/accounts/reauthenticate/")

    _assert_portal_page(response, heading="Confirm Access")


def test_second_factor_page_uses_the_portal_layout(client, researcher):
    enable_totp(researcher)
    sign_in(client, researcher.email, PASSWORD)

    response = client.get("/accounts/2fa/authenticate/")

    _assert_portal_page(response, heading="Please enter an authenticator code")
    assert 'name="code"' in response.content.decode()
