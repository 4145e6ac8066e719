"""The admin's moments in one format: Beijing time with its zone, in English
and Simplified Chinese, whether a page writes them with the `beijing` filter or
Django renders them itself (changelist columns, read-only fields, history)."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.admin.utils import display_for_field
from django.urls import reverse
from django.utils import translation

from catalogue.models import MissionSubscription, Opportunity
from catalogue.templatetags.catalogue_tags import beijing
from notifications.models import OutboundEmail
from notifications.previews import opportunity_sample
from notifications.services import Recipient, queue_email
from tests.factories import MissionSubscriptionFactory, OpportunityFactory
from tests.mfa import login_with_mfa

MOMENT = datetime(2026, 12, 26, 20, 2, tzinfo=UTC)
IN_ENGLISH = "27 Dec 2026, 04:02 Beijing time (UTC+8)"
IN_CHINESE = "北京时间 2026年12月27日 04:02（UTC+8）"
SHOWN = {"en": IN_ENGLISH, "zh-hans": IN_CHINESE}


@pytest.fixture
def admin_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


def _in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_formats_assume_the_beijing_zone_they_name():
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_django_renders_a_moment_as_the_beijing_filter_writes_it(language):
    field = Opportunity._meta.get_field("published_at")

    with translation.override(language):
        rendered = str(display_for_field(MOMENT, field, "—"))
        written = beijing(MOMENT)

    assert rendered == written == SHOWN[language]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_outbox_changelist_shows_times_in_beijing_time_with_the_zone(
    admin_client, language
):
    email = queue_email(
        key="event:1",
        recipient=Recipient(email="pi@university.example.org", language="en"),
        template="opportunity_published",
        context=opportunity_sample(),
    )
    OutboundEmail.objects.update(created_at=MOMENT)

    response = _in(admin_client, language).get(
        reverse("admin:notifications_outboundemail_changelist")
    )

    assert (
        '<th class="field-created_at nowrap"><a href="/admin/notifications/'
        f'outboundemail/{email.pk}/change/">{SHOWN[language]}</a></th>'
    ) in response.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_catalogue_changelist_shows_times_in_beijing_time_with_the_zone(
    admin_client, language
):
    MissionSubscriptionFactory()
    MissionSubscription.objects.update(created_at=MOMENT)

    response = _in(admin_client, language).get(
        reverse("admin:catalogue_missionsubscription_changelist")
    )

    assert f'<td class="field-created_at nowrap">{SHOWN[language]}</td>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_read_only_field_and_history_show_beijing_time_with_the_zone(
    admin_client, language
):
    opportunity = OpportunityFactory(published_at=MOMENT)
    opportunity.history.update(history_date=MOMENT)

    change = _in(admin_client, language).get(
        reverse("admin:catalogue_opportunity_change", args=[opportunity.pk])
    )
    history = admin_client.get(
        reverse("admin:catalogue_opportunity_history", args=[opportunity.pk])
    )

    assert f'<div class="readonly">{SHOWN[language]}</div>' in change.content.decode()
    assert f"<td>{SHOWN[language]}</td>" in history.content.decode()
