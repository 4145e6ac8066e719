from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from notifications.models import EmailStatus, OutboundEmail
from tests.accounts.helpers import link_in, sign_in
from tests.factories import PASSWORD, TeamMemberFactory, UserFactory

User = get_user_model()

SIGNUP = {
    "email": "ada.researcher@uni-example.fr",
    "password1": "Lunar-south-pole-2026",
    "password2": "Lunar-south-pole-2026",
    "full_name": "Ada Researcher",
    "institution": "Institut de Recherche en Astrophysique",
    "country": "FR",
    "preferred_language": "en",
}


def test_signup_page_asks_for_the_profile_with_labels(client, db):
    response = client.get("/accounts/signup/")

    html = response.content.decode()
    for label in (
        "Email",
        "Password (again)",
        "Full name",
        "Institution",
        "Country",
        "Preferred language",
    ):
        assert f'{label}<span class="asteriskField">*</span>' in html, label
    assert '<option value="CN">China</option>' in html


def test_signup_sends_verification_through_the_outbox(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email=SIGNUP["email"])
    assert (user.full_name, user.institution, user.country.code) == (
        "Ada Researcher",
        "Institut de Recherche en Astrophysique",
        "FR",
    )
    assert user.preferred_language == "en"
    assert not EmailAddress.objects.get(user=user).verified
    recorded = OutboundEmail.objects.get()
    assert recorded.template == "account/email/email_confirmation_signup"
    assert recorded.to_email == SIGNUP["email"]
    assert recorded.recipient == user
    assert recorded.sensitive is True
    assert recorded.status == EmailStatus.SENT
    assert [m.to for m in mailoutbox] == [[SIGNUP["email"]]]
    assert mailoutbox[0].subject == "[AO Portal] Please Confirm Your Email Address"
    assert "AO Portal of the China National Space Administration" in mailoutbox[0].body


def test_signup_confirm_link_signs_the_researcher_in(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    confirm_path = link_in(mailoutbox[0].body, "/accounts/confirm-email/")

    page = client.get(confirm_path)
    response = client.post(confirm_path)

    assert "Confirm Email Address" in page.content.decode()
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.session["_auth_user_id"] == str(user.pk)
    profile = client.get("/accounts/profile/").content.decode()
    assert 'value="Ada Researcher"' in profile
    assert 'value="Institut de Recherche en Astrophysique"' in profile
    assert '<option value="FR" selected>France</option>' in profile


def test_signup_without_country_shows_the_error(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "country": ""})

    assert "This field is required." in response.content.decode()
    assert 'id="id_country"' in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_signup_in_chinese_records_the_language(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {**SIGNUP, "preferred_language": "zh-hans", "country": "CN"},
        )

    user = User.objects.get(email=SIGNUP["email"])
    assert user.preferred_language == "zh-hans"
    assert OutboundEmail.objects.get().language == "zh-hans"


def test_signup_form_offers_the_active_language_first(client, db):
    client.cookies["django_language"] = "zh-hans"

    response = client.get("/accounts/signup/")

    assert response.context["form"]["preferred_language"].initial == "zh-hans"


def test_signup_with_a_taken_email_creates_no_second_account(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email=SIGNUP["email"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)

    assert User.objects.filter(email=SIGNUP["email"]).count() == 1
    assert [m.to for m in mailoutbox] == [[SIGNUP["email"]]]
    assert "already exists" in mailoutbox[0].body


def test_login_with_unverified_email_is_blocked_and_resends(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert OutboundEmail.objects.get().template == ("account/email/email_confirmation")


def test_login_with_verified_email_switches_to_preferred_language(client, db):
    user = UserFactory(chinese=True)

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.cookies["django_language"].value == "zh-hans"


def test_signup_confirmation_links_team_places_invited_under_the_address(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    invited = TeamMemberFactory(email=SIGNUP["email"], user=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    confirm_path = link_in(mailoutbox[-1].body, "/accounts/confirm-email/")

    client.post(confirm_path)

    invited.refresh_from_db()
    assert invited.user == User.objects.get(email=SIGNUP["email"])
