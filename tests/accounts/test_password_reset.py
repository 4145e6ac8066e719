from allauth.account.models import EmailAddress

from notifications.models import OutboundEmail
from tests.accounts.helpers import link_in, sign_in
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Tianwen-2-asteroid-sample"


def test_password_reset_link_sets_a_new_password(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post("/accounts/password/reset/", {"email": user.email})
    key_path = link_in(mailoutbox[0].body, "/accounts/password/reset/key/")
    form_page = client.get(key_path, follow=True)
    changed = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert requested["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert OutboundEmail.objects.get().sensitive is True
    assert "Change Password" in form_page.content.decode()
    assert changed["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    client.logout()
    assert sign_in(client, user.email, NEW_PASSWORD)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_link_works_once(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    key_path = link_in(mailoutbox[0].body, "/accounts/password/reset/key/")
    form_url = client.get(key_path, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    second = client.get(key_path, follow=True)

    assert "Bad Token" in second.content.decode()


def test_password_reset_for_unknown_email_reveals_nothing(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/reset/", {"email": "nobody@nowhere.example.org"}
        )

    assert response["Location"] == "/accounts/password/reset/done/"
    assert [m.to for m in mailoutbox] == [["nobody@nowhere.example.org"]]
    assert "we do not have any record" in mailoutbox[0].body
    assert OutboundEmail.objects.get().recipient is None


def test_password_reset_email_uses_the_recipients_language(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(chinese=True)
    assert EmailAddress.objects.filter(user=user, verified=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})

    recorded = OutboundEmail.objects.get()
    assert (recorded.language, recorded.recipient) == ("zh-hans", user)
    # allauth's own Simplified Chinese catalogue renders the subject.
    assert mailoutbox[0].subject == "[AO Portal] 密码重置邮件"
