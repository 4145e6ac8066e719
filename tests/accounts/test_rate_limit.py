"""Failed sign-ins are rate limited (settings.ACCOUNT_RATE_LIMITS)."""

from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, UserFactory

TOO_MANY = "Too many failed login attempts. Try again later."


def test_five_failed_logins_lock_the_account_for_a_while(client, researcher):
    failures = [sign_in(client, researcher.email, "wrong-password") for _ in range(5)]

    refused = sign_in(client, researcher.email, PASSWORD)

    assert all(TOO_MANY not in r.content.decode() for r in failures)
    assert (
        "The email address and/or password you specified are not correct."
        in failures[-1].content.decode()
    )
    assert TOO_MANY in refused.content.decode()
    assert "alert-danger" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_login_limit_counts_per_account(client, researcher):
    for _ in range(5):
        sign_in(client, researcher.email, "wrong-password")
    other = UserFactory()

    response = sign_in(client, other.email, PASSWORD)

    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(other.pk)


def test_failed_login_limit_ignores_letter_case_of_the_email(client, researcher):
    for _ in range(5):
        sign_in(client, researcher.email.upper(), "wrong-password")

    refused = sign_in(client, researcher.email, PASSWORD)

    assert TOO_MANY in refused.content.decode()


def test_successful_logins_do_not_count_as_failures(client, researcher):
    for _ in range(6):
        sign_in(client, researcher.email, PASSWORD)
        client.logout()

    response = sign_in(client, researcher.email, PASSWORD)

    assert response["Location"] == "/"


def test_a_flood_of_sign_in_attempts_gets_the_429_page(client, db):
    responses = [
        sign_in(client, f"guess{n}@example.org", "whatever-password") for n in range(31)
    ]

    assert {r.status_code for r in responses[:30]} == {200}
    assert responses[30].status_code == 429
    html = responses[30].content.decode()
    assert "Too many attempts" in html
    assert "Please wait a few minutes before trying again." in html
    assert 'href="/accounts/password/reset/"' in html
