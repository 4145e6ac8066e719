import pytest
from django.contrib.auth import get_user_model

from tests.accounts.helpers import sign_in
from tests.factories import UserFactory
from tests.mfa import enable_totp, login_with_mfa

User = get_user_model()


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_user_changelist_query_count(
    client, admin_user, django_assert_num_queries, item_count
):
    UserFactory.create_batch(item_count)
    login_with_mfa(client, admin_user)

    with django_assert_num_queries(6):
        response = client.get("/admin/accounts/user/")

    assert response.context["cl"].result_count == item_count + 1


def test_user_changelist_shows_profile_and_two_factor(client, admin_user):
    researcher = UserFactory(
        full_name="Wang Fang", institution="Shandong University", country="CN"
    )
    login_with_mfa(client, admin_user)

    response = client.get("/admin/accounts/user/")

    rows = {u.email: u for u in response.context["cl"].result_list}
    assert rows[researcher.email].has_totp is False
    assert rows[admin_user.email].has_totp is True
    html = response.content.decode()
    assert "Wang Fang" in html
    assert "Shandong University" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Wang Fang", ["wang@sdu.example.cn"]),
        ("sdu.example", ["wang@sdu.example.cn"]),
        ("Purple Mountain", ["li@pmo.example.cn"]),
    ],
)
def test_user_changelist_search(client, admin_user, query, expected):
    UserFactory(email="wang@sdu.example.cn", full_name="Wang Fang")
    UserFactory(email="li@pmo.example.cn", institution="Purple Mountain Observatory")
    login_with_mfa(client, admin_user)

    response = client.get("/admin/accounts/user/", {"q": query})

    assert [u.email for u in response.context["cl"].result_list] == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("on", ["admin@cnsa.example.org"]), ("off", ["r@x.org"])]
)
def test_user_changelist_filters_by_two_factor(client, admin_user, value, expected):
    UserFactory(email="r@x.org")
    login_with_mfa(client, admin_user)

    response = client.get("/admin/accounts/user/", {"two_factor": value})

    assert [u.email for u in response.context["cl"].result_list] == expected


def test_user_changelist_filters_by_country(client, admin_user):
    chinese = UserFactory(country="CN")
    login_with_mfa(client, admin_user)

    response = client.get("/admin/accounts/user/", {"country__exact": "CN"})

    assert [u.email for u in response.context["cl"].result_list] == [chinese.email]


def test_user_admin_adds_a_user_by_email(client, admin_user):
    login_with_mfa(client, admin_user)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.reviewer@esa.example.int",
            "usable_password": "true",
            "password1": "Reviewer-password-2026",
            "password2": "Reviewer-password-2026",
            "emailaddress_set-TOTAL_FORMS": "1",
            "emailaddress_set-INITIAL_FORMS": "0",
            "emailaddress_set-0-email": "new.reviewer@esa.example.int",
            "emailaddress_set-0-verified": "on",
            "emailaddress_set-0-primary": "on",
        },
    )

    created = User.objects.get(email="new.reviewer@esa.example.int")
    assert response["Location"] == f"/admin/accounts/user/{created.pk}/change/"
    assert created.check_password("Reviewer-password-2026")
    client.logout()
    signed_in = sign_in(client, created.email, "Reviewer-password-2026")
    assert signed_in["Location"] == "/"


def test_user_admin_change_page_shows_profile_fieldset(client, admin_user):
    researcher = UserFactory(orcid="0000-0002-1825-0097")
    login_with_mfa(client, admin_user)

    response = client.get(f"/admin/accounts/user/{researcher.pk}/change/")

    html = response.content.decode()
    assert 'name="orcid"' in html
    assert 'value="0000-0002-1825-0097"' in html
    assert 'name="username"' not in html
    assert researcher.email in html


def test_staff_without_user_permissions_cannot_see_users(client, db):
    staff = UserFactory(staff=True)
    enable_totp(staff)
    login_with_mfa(client, staff)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 403
