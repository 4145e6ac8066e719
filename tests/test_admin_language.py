"""The language switch of the admin sites (templates/admin/base_site.html)."""

import pytest
from django.contrib.admin import AdminSite
from django.test import RequestFactory
from django.urls import reverse

from tests.mfa import login_with_mfa

INDEX = "/admin/"
SWITCH = '<form class="language-switch" action="/i18n/setlang/" method="post"'


@pytest.fixture
def admin_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


def test_admin_page_offers_each_language_named_in_itself(admin_client):
    text = admin_client.get(INDEX).content.decode()

    assert SWITCH in text
    assert '<input type="hidden" name="next" value="/admin/">' in text
    assert (
        '<button type="submit" name="language" value="en" lang="en" '
        'aria-current="true">English</button>'
    ) in text
    assert (
        '<button type="submit" name="language" value="zh-hans" lang="zh-Hans">'
        "简体中文</button>"
    ) in text


def test_language_switch_keeps_the_page_and_turns_it_chinese(admin_client):
    changelist = reverse("admin:catalogue_opportunity_changelist") + "?status=draft"

    switched = admin_client.post(
        reverse("set_language"), {"language": "zh-hans", "next": changelist}
    )
    page = admin_client.get(switched.url)
    back = admin_client.post(
        reverse("set_language"), {"language": "en", "next": changelist}
    )
    english = admin_client.get(back.url)

    assert switched.url == changelist
    assert '<html lang="zh-hans"' in page.content.decode()
    assert "机遇公告平台管理后台" in page.content.decode()
    assert (
        '<button type="submit" name="language" value="zh-hans" lang="zh-Hans" '
        'aria-current="true">简体中文</button>'
    ) in page.content.decode()
    assert "AO Portal administration" in english.content.decode()


def test_language_switch_shows_on_any_admin_site_using_the_default_templates(
    admin_user,
):
    site = AdminSite(name="another")
    request = RequestFactory().get("/another/")
    request.user = admin_user

    response = site.index(request)
    response.render()

    assert SWITCH in response.content.decode()
    assert '<input type="hidden" name="next" value="/another/">' in (
        response.content.decode()
    )
