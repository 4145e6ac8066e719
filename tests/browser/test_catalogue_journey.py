"""A visitor finds the open Chang'E-7 demonstration call and reads it in Chinese.

The browser runs in Paris time (tests/browser/conftest.py), so the page must show
the proposal deadline both in Beijing time and in the visitor's own zone.
"""

import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from catalogue.models import Opportunity
from catalogue.templatetags.catalogue_tags import beijing, quantity
from tests.browser.conftest import BROWSER_TIMEZONE

pytestmark = pytest.mark.browser

BEIJING = ZoneInfo("Asia/Shanghai")
DEMO_SLUG = "demo-chang-e-7-payloads"  # catalogue/seed/demo.py


@pytest.fixture
def demo_call(transactional_db) -> Opportunity:
    call_command("seed_catalogue", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    return Opportunity.objects.prefetch_related("carriers").get(slug=DEMO_SLUG)


def test_visitor_finds_the_open_demo_call_in_chinese_with_both_deadline_zones(
    demo_call, page
):
    deadline = demo_call.proposal_deadline
    with translation.override("zh-hans"):
        title_zh = demo_call.title
        carriers_zh = [
            (carrier.name, quantity(carrier.total_mass_kg))
            for carrier in demo_call.carriers.all()
        ]
        deadline_beijing_zh = beijing(deadline)
        demonstration_zh = gettext("Demonstration")

    # Home, then the list of opportunities through the main navigation.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Opportunities"
    ).click()
    expect(page).to_have_url(re.compile(r"/opportunities/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Announcements of Opportunity"
    )

    # Search for the mission: fewer calls, the demonstration among them.
    cards = page.locator(".opportunity-card")
    expect(cards.first).to_be_visible()
    all_titles = cards.locator(".card-title").all_inner_texts()
    page.get_by_label("Search").fill("Chang'E-7")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Chang"))
    found_titles = cards.locator(".card-title").all_inner_texts()
    assert demo_call.title in found_titles
    assert "Tianwen-2 payloads (demonstration)" in all_titles
    assert "Tianwen-2 payloads (demonstration)" not in found_titles
    assert 0 < len(found_titles) < len(all_titles)

    # Switch to Simplified Chinese with the language switcher; the search stays.
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(re.compile(r"[?&]q=Chang"))

    # Open the demonstration call from the list.
    page.locator(f'.opportunity-card a[href="{demo_call.get_absolute_url()}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title_zh)

    # The demonstration marking, as a banner and a badge.
    expect(page.locator(".demo-banner")).to_be_visible()
    expect(page.locator(".demo-badge").first).to_have_text(demonstration_zh)

    # Each carrier with its resource envelope.
    rows = page.locator(".carriers-table tbody tr")
    expect(rows).to_have_count(len(carriers_zh))
    for name, total_mass in carriers_zh:
        row = rows.filter(has=page.locator("th", has_text=name))
        expect(row.locator("td").first).to_have_text(total_mass)

    # The proposal deadline in Beijing time and in the browser's zone (Paris).
    deadline_item = page.locator(".key-dates li").filter(
        has=page.locator(".deadline-beijing", has_text=deadline_beijing_zh)
    )
    expect(deadline_item).to_have_count(1)
    assert deadline.astimezone(BEIJING).strftime("%H:%M") in deadline_beijing_zh
    local_time = deadline_item.locator("time[data-local-time]")
    expect(local_time).to_have_attribute("data-local-zone", BROWSER_TIMEZONE)
    paris_clock = deadline.astimezone(ZoneInfo(BROWSER_TIMEZONE)).strftime("%H:%M")
    expect(local_time).to_contain_text(paris_clock)
    expect(local_time).to_contain_text(f"({BROWSER_TIMEZONE})")
