"""Every public page, in English and Chinese: no serious or critical axe violation."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.browser.axe import format_violations, serious_violations

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "zh-hans"]
HTML_LANG = {"en": "en", "zh-hans": "zh-Hans"}


PAGES = {
    "home": lambda: reverse("catalogue:home"),
    "opportunity list": lambda: reverse("catalogue:opportunity-list"),
    "opportunity detail": lambda: reverse(
        "catalogue:opportunity-detail", kwargs={"slug": "demo-chang-e-7-payloads"}
    ),
    "mission list": lambda: reverse("catalogue:mission-list"),
    "mission detail": lambda: reverse(
        "catalogue:mission-detail", kwargs={"slug": "chang-e-7"}
    ),
    "cooperation": lambda: reverse("catalogue:cooperation"),
    "login": lambda: reverse("account_login"),
    "signup": lambda: reverse("account_signup"),
}


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_catalogue", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_serious_accessibility_violation(
    seeded, page, live_server, name, language
):
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
    )

    response = page.goto(PAGES[name]())
    violations = serious_violations(page)

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == HTML_LANG[language]
    assert violations == [], f"{name} ({language}):\n{format_violations(violations)}"
