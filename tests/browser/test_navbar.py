"""The signed-in navigation bar holds on one line from 1024 to 1440 px in both
languages, within the window whatever the length of the name,
and the signed-in dashboard has no serious accessibility violation."""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.axe import format_violations, serious_violations
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "zh-hans"]
# The items of the bar, each of which must stay on the bar's one line.
ITEMS = (
    ".portal-navbar .navbar-brand, .portal-navbar .nav-link, "
    ".portal-navbar .language-switch .btn"
)
# A Bootstrap navbar of one line: 8 px padding, a 40 px brand, 8 px padding.
ONE_LINE_PX = 64


def _sign_in(page, live_server, user, language: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            },
        ]
    )


@pytest.fixture
def researcher(transactional_db):
    """A staff researcher with a long name and a proposal: the fullest bar."""
    user = UserFactory(
        full_name="Maximiliana Alexandrovna Konstantinopoulou-Vanderberghe",
        is_staff=True,
    )
    ProposalFactory(principal_investigator=user)
    return user


def _overflow(page) -> float:
    """How far the bar's rightmost item reaches past its container's content
    box, in pixels (0 or less: within it)."""
    return page.evaluate(
        """() => {
            const container = document.querySelector(".portal-navbar > .container");
            const style = getComputedStyle(container);
            const inner = container.getBoundingClientRect().right
                - parseFloat(style.paddingRight);
            const items = document.querySelectorAll(
                ".portal-navbar .navbar-brand, .portal-navbar .nav-link, "
                + ".portal-navbar .language-switch");
            const right = Math.max(
                ...Array.from(items, item => item.getBoundingClientRect().right));
            return right - inner;
        }"""
    )


def _boxes(page) -> list[dict]:
    return page.eval_on_selector_all(
        ITEMS,
        """elements => elements.map(element => {
            const box = element.getBoundingClientRect();
            const style = getComputedStyle(element);
            return {
                text: element.textContent.trim(),
                top: box.top,
                height: box.height,
                lineHeight: parseFloat(style.lineHeight) || 24,
            };
        })""",
    )


@pytest.mark.parametrize("language", LANGUAGES)
# Each side of Bootstrap's container steps (1200 and 1400 px) and between them.
@pytest.mark.parametrize("width", [1024, 1199, 1200, 1280, 1366, 1399, 1400, 1440])
def test_signed_in_navigation_bar_is_one_line(
    page, live_server, researcher, language, width
):
    page.set_viewport_size({"width": width, "height": 800})
    _sign_in(page, live_server, researcher, language)

    page.goto("/proposals/")
    height = page.locator("nav.portal-navbar").bounding_box()["height"]
    boxes = _boxes(page)

    assert height <= ONE_LINE_PX, f"{width} px, {language}: {height} px high"
    tops = {round(box["top"] + box["height"] / 2) for box in boxes}
    assert max(tops) - min(tops) <= 4, f"items on several rows: {boxes}"
    wrapped = [box for box in boxes if box["height"] > 1.6 * box["lineHeight"] + 16]
    assert wrapped == []
    assert page.locator(".language-switch").get_by_role("button").count() == 2
    # Nothing reaches past the bar's container: the name is cut, the page is not
    # widened.
    assert _overflow(page) <= 0, f"{width} px, {language}: past the container"
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_user_menu_holds_the_whole_name_and_signing_out(
    page, live_server, researcher, language
):
    _sign_in(page, live_server, researcher, language)
    page.goto("/proposals/")

    toggle = page.locator("#user-menu-button")
    toggle.click()

    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".user-menu-full-name").inner_text() == researcher.full_name
    sign_out = page.locator(".user-menu .dropdown-menu button[type=submit]")
    assert sign_out.is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_signed_in_dashboard_has_no_serious_accessibility_violation(
    page, live_server, researcher, language
):
    _sign_in(page, live_server, researcher, language)

    response = page.goto("/proposals/")
    violations = serious_violations(page)

    assert response.status == 200
    assert violations == [], f"{language}:\n{format_violations(violations)}"
