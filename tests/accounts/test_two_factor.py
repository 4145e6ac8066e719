"""Two-factor authentication: for everyone, and required of staff for the admin."""

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.mfa import DEMO_TOTP_SECRET, current_code, enable_totp, login_with_mfa


def test_totp_activation_by_a_researcher(client, researcher):
    sign_in(client, researcher.email, PASSWORD)

    asked = client.get("/accounts/2fa/totp/activate/")
    confirmed = client.post(
        asked["Location"],
        {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"},
    )
    page = client.get(confirmed["Location"])
    secret = page.context["form"].secret
    response = client.post(
        "/accounts/2fa/totp/activate/", {"code": current_code(secret)}
    )

    assert asked["Location"] == (
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    assert 'id="authenticator_secret"' in page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert response.status_code == 302
    assert set(
        Authenticator.objects.filter(user=researcher).values_list("type", flat=True)
    ) == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    profile = client.get("/accounts/profile/").content.decode()
    assert '<span class="badge text-bg-success">On</span>' in profile


def test_totp_activation_rejects_a_wrong_code(client, researcher):
    login_with_mfa(client, researcher, reauthenticated=True)
    client.get("/accounts/2fa/totp/activate/")

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert "Incorrect code." in response.content.decode()
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Authenticator.objects.filter(user=researcher).exists()


def test_totp_deactivation_turns_two_factor_off(client, researcher):
    enable_totp(researcher, recovery_codes=True)
    login_with_mfa(client, researcher, reauthenticated=True)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=researcher).exists()


def test_researcher_with_totp_must_give_the_code_at_sign_in(client, researcher):
    enable_totp(researcher)

    response = sign_in(client, researcher.email, PASSWORD)

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_staff_without_totp_is_sent_from_admin_to_activation(client, db):
    staff = UserFactory(staff=True)
    sign_in(client, staff.email, PASSWORD)

    response = client.get("/admin/", follow=True)
    client.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"},
    )
    activation = client.get("/accounts/2fa/totp/activate/")

    assert response.redirect_chain == [
        ("/accounts/2fa/totp/activate/", 302),
        ("/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F", 302),
    ]
    html = response.content.decode()
    assert "Staff accounts must turn on two-factor authentication" in html
    assert 'name="password"' in html
    assert 'name="code"' in activation.content.decode()


def test_staff_activating_totp_then_reaches_the_admin(client, db):
    staff = UserFactory(superuser=True)
    login_with_mfa(client, staff, reauthenticated=True)
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret

    client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    response = client.get("/admin/")

    assert response.status_code == 200
    assert "AO Portal administration" in response.content.decode()


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_staff_without_totp_cannot_reach_any_admin_page(client, db, path):
    staff = UserFactory(superuser=True)
    client.force_login(staff)

    response = client.get(path)

    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_signs_in_with_password_then_code(client, db):
    staff = UserFactory(superuser=True)
    enable_totp(staff)

    first = client.post(
        "/accounts/login/?next=/admin/",
        {"login": staff.email, "password": PASSWORD, "next": "/admin/"},
    )
    second_page = client.get(first["Location"])
    second = client.post(
        "/accounts/2fa/authenticate/", {"code": current_code(DEMO_TOTP_SECRET)}
    )
    admin = client.get(second["Location"])

    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert "Two-Factor Authentication" in second_page.content.decode()
    assert second["Location"] == "/admin/"
    assert admin.status_code == 200
    assert "AO Portal administration" in admin.content.decode()


def test_staff_second_factor_refuses_a_wrong_code(client, db):
    staff = UserFactory(superuser=True)
    enable_totp(staff)
    sign_in(client, staff.email, PASSWORD)

    response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})

    assert "Incorrect code." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_admin_login_page_redirects_to_allauth_login(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_login_post_cannot_bypass_the_second_factor(client, db):
    staff = UserFactory(superuser=True)
    enable_totp(staff)

    response = client.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_anonymous_visitor_of_admin_ends_on_the_portal_login(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert 'name="login"' in response.content.decode()


def test_researcher_cannot_open_the_admin(client, researcher):
    login_with_mfa(client, researcher)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]


def test_researcher_cannot_open_an_admin_changelist(client, researcher):
    client.force_login(researcher)

    response = client.get("/admin/accounts/user/", follow=True)

    assert response.status_code == 403
    assert "AO Portal administration" not in response.content.decode()


def test_login_with_mfa_helper_reaches_the_admin(client, admin_user):
    login_with_mfa(client, admin_user)

    response = client.get("/admin/")

    assert "AO Portal administration" in response.content.decode()
