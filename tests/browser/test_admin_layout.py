"""The call's admin pages hold from 1024 to 1440 px (static/css/admin.css): no
sideways scrolling of the page, and the object tools never cover the title."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import (
    EvaluationCriterionFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    UserFactory,
)
from tests.mfa import enable_totp, login_with_mfa

pytestmark = pytest.mark.browser

LONG_TEXT = "Importance and novelty of the science, and its fit with the mission. " * 3


@pytest.fixture
def call_with_inlines(transactional_db):
    opportunity = OpportunityFactory(
        closed=True, title_en="Chang'E-8 payloads, in review (demonstration)"
    )
    for weight in (40, 35, 25):
        EvaluationCriterionFactory(
            opportunity=opportunity, weight=Decimal(weight), description_en=LONG_TEXT
        )
    for name in ("Full proposal", "Technical annex", "Endorsement letter"):
        RequiredDocumentFactory(
            opportunity=opportunity, name_en=name, description_en=LONG_TEXT
        )
    return opportunity


@pytest.fixture
def administrator_page(page, live_server, transactional_db):
    """The browser signed in as an administrator who passed both factors."""
    administrator = UserFactory(superuser=True, email="wanglei@cnsa.example.org")
    enable_totp(administrator)
    client = Client()
    login_with_mfa(client, administrator)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def _set_language(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
    )


def _overflow(page) -> tuple[int, int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def _overlaps(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [1024, 1360])
def test_opportunity_change_page_fits_and_tools_leave_the_title_clear(
    administrator_page, live_server, call_with_inlines, width, language
):
    page = administrator_page
    _set_language(page, live_server, language)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(
        reverse("admin:catalogue_opportunity_change", args=[call_with_inlines.pk])
    )

    scroll_width, viewport_width = _overflow(page)
    title = page.locator("#content > h2").bounding_box()
    tools = [
        item.bounding_box()
        for item in page.locator("#content-main > .object-tools li").all()
    ]
    assert scroll_width <= viewport_width
    assert len(tools) >= 8
    assert [box for box in tools if _overlaps(box, title)] == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("width", [1024, 1360])
def test_opportunity_add_page_fits_with_new_inline_rows(
    administrator_page, live_server, width, language
):
    page = administrator_page
    _set_language(page, live_server, language)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(reverse("admin:catalogue_opportunity_add"))
    for group in ("#criteria-group", "#required_documents-group"):
        page.locator(f"{group} .add-row a").click()
        page.locator(f"{group} .add-row a").click()

    scroll_width, viewport_width = _overflow(page)
    rows = page.locator("#required_documents-group tr.dynamic-required_documents")
    assert rows.count() == 2
    assert scroll_width <= viewport_width
