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
def test_public_pages_have_no_serious_accessibility_violation(
    seeded, page, live_server, language
):
    """Every page of PAGES in one language: the demo data is seeded once for
    them all (seeding takes seconds; the pages are read only)."""
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
    )
    problems = {}
    for name, path in PAGES.items():
        response = page.goto(path())
        violations = serious_violations(page)
        html_lang = page.locator("html").get_attribute("lang")
        if response.status != 200 or html_lang != HTML_LANG[language] or violations:
            problems[name] = (
                f"status {response.status}, lang {html_lang}\n"
                f"{format_violations(violations)}"
            )

    assert problems == {}, "\n".join(
        f"{name} ({language}): {problem}" for name, problem in problems.items()
    )
