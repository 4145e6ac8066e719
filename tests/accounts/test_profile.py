import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory
from tests.mfa import enable_totp, login_with_mfa

User = get_user_model()


@pytest.fixture
def researcher(db):
    """A researcher whose name needs no HTML escaping, so pages can be searched."""
    return UserFactory(full_name="Marie Curie", institution="Institut du Radium")


VALID = {
    "full_name": "Zhang Wei",
    "institution": "National Astronomical Observatories",
    "country": "CN",
    "orcid": "",
    "preferred_language": "en",
}


def test_profile_page_requires_sign_in(client, db):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_profile_page_shows_profile_and_security_links(client, researcher):
    client.force_login(researcher)

    response = client.get("/accounts/profile/")

    html = response.content.decode()
    assert f'value="{researcher.full_name}"' in html
    assert f'value="{researcher.institution}"' in html
    for url in (
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        assert f'href="{url}"' in html
    assert response.context["security"].totp_enabled is False
    assert 'id="two-factor-status"' in html
    assert '<span class="badge text-bg-secondary">Off</span>' in html
    assert "Staff account." not in html


def test_profile_page_shows_two_factor_on(client, researcher):
    enable_totp(researcher, recovery_codes=True)
    login_with_mfa(client, researcher)

    response = client.get("/accounts/profile/")

    html = response.content.decode()
    assert '<span class="badge text-bg-success">On</span>' in html
    assert "10 recovery codes left." in html


def test_profile_page_tells_staff_that_the_admin_needs_two_factor(client, db):
    staff = UserFactory(staff=True)
    client.force_login(staff)

    response = client.get("/accounts/profile/")

    html = response.content.decode()
    assert "Staff account." in html
    assert "required before you can use the administration" in html
    assert 'href="/accounts/2fa/totp/activate/"' in html


def test_profile_edit_saves_the_fields(client, researcher):
    client.force_login(researcher)

    response = client.post(
        "/accounts/profile/", {**VALID, "orcid": "0000-0002-1825-0097"}
    )

    assert response["Location"] == "/accounts/profile/"
    researcher.refresh_from_db()
    assert (
        researcher.full_name,
        researcher.institution,
        researcher.country.code,
        researcher.orcid,
    ) == (
        "Zhang Wei",
        "National Astronomical Observatories",
        "CN",
        "0000-0002-1825-0097",
    )
    follow = client.get("/accounts/profile/")
    assert "Your profile has been saved." in follow.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://orcid.org/0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000000218250097", "0000-0002-1825-0097"),
        ("  0000-0002-1825-0097 ", "0000-0002-1825-0097"),
        ("", ""),
    ],
)
def test_profile_orcid_is_normalised(client, researcher, typed, stored):
    client.force_login(researcher)

    client.post("/accounts/profile/", {**VALID, "orcid": typed})

    researcher.refresh_from_db()
    assert researcher.orcid == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234-5678", "An ORCID iD has 16 characters in four groups of four"),
        ("0000-0002-1825-009A", "An ORCID iD has 16 characters in four groups of four"),
        ("0000-0002-1825-0098", "last character does not match the others"),
    ],
)
def test_profile_orcid_rejected_with_a_clear_message(
    client, researcher, typed, message
):
    client.force_login(researcher)
    before = researcher.full_name

    response = client.post(
        "/accounts/profile/", {**VALID, "full_name": "Changed", "orcid": typed}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="invalid-feedback"' in html
    researcher.refresh_from_db()
    assert (researcher.full_name, researcher.orcid) == (before, "")
    # The rejected name never reached the navigation bar either.
    assert f">{before}</a>" in html


def test_profile_requires_name_institution_and_country(client, researcher):
    client.force_login(researcher)

    response = client.post(
        "/accounts/profile/",
        {**VALID, "full_name": "", "institution": "", "country": ""},
    )

    assert sorted(response.context["form"].errors) == [
        "country",
        "full_name",
        "institution",
    ]


def test_profile_language_switches_the_interface(client, researcher):
    client.force_login(researcher)

    response = client.post(
        "/accounts/profile/", {**VALID, "preferred_language": "zh-hans"}
    )

    assert response.cookies["django_language"].value == "zh-hans"
    researcher.refresh_from_db()
    assert researcher.preferred_language == "zh-hans"
    page = client.get("/accounts/profile/")
    assert '<html lang="zh-Hans">' in page.content.decode()


def test_profile_edit_cannot_touch_email_or_staff_flag(client, researcher):
    client.force_login(researcher)
    email = researcher.email

    client.post(
        "/accounts/profile/",
        {**VALID, "email": "evil@example.org", "is_staff": "on", "is_superuser": "on"},
    )

    researcher.refresh_from_db()
    assert (researcher.email, researcher.is_staff, researcher.is_superuser) == (
        email,
        False,
        False,
    )
