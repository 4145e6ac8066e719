"""The editor in Chromium: it warns before unsaved text is lost, keeps focus on
the section just saved and says so in its live region, counts the characters
left, names a figure that is not one, shows both texts when someone saved the
section meanwhile, and axe finds nothing serious in English or Chinese."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from proposals.models import Proposal
from proposals.services import update_section
from tests.browser.axe import format_violations, serious_violations
from tests.factories import (
    CarrierFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def sign_in_as(page, live_server, user) -> None:
    """Share a signed-in session of the Django test client with the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def draft(transactional_db, page, live_server):
    """A draft on a call with a Lander; its PI is signed in, on the editor."""
    proposal = ProposalFactory(title="Radon monitor")
    CarrierFactory(opportunity=proposal.opportunity)
    sign_in_as(page, live_server, proposal.principal_investigator)
    page.goto(f"/proposals/{proposal.pk}/edit/")
    return proposal


def test_leaving_with_unsaved_text_asks_first_and_not_after_saving(page, draft):
    dialogs = []

    def dismiss(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#section-objectives").get_by_label(
        "Science and technology objectives"
    ).fill("Map radon exhalation through a lunar day.")

    page.get_by_role("link", name="Review and submit").click()

    assert dialogs == [
        (
            "confirm",
            "You have changes that are not saved in: Science and technology "
            "objectives. Leave this page and lose them?",
        )
    ]
    expect(page).to_have_url(re.compile(rf"/proposals/{draft.pk}/edit/$"))

    page.evaluate("window.location.href = '/'")
    page.wait_for_timeout(500)

    assert [kind for kind, _ in dialogs] == ["confirm", "beforeunload"]
    expect(page).to_have_url(re.compile(rf"/proposals/{draft.pk}/edit/$"))

    page.locator("#section-objectives").get_by_role(
        "button", name=re.compile("^Save")
    ).click()
    expect(page.locator("#section-objectives .saved-at")).to_contain_text("Saved at")
    page.get_by_role("link", name="Review and submit").click()

    expect(page).to_have_url(re.compile(rf"/proposals/{draft.pk}/submit/$"))
    assert len(dialogs) == 2
    assert Proposal.objects.get(pk=draft.pk).objectives == (
        "Map radon exhalation through a lunar day."
    )


def test_saving_keeps_focus_on_the_section_and_announces_it(page, draft):
    card = page.locator("#section-summary")
    card.get_by_label("Abstract").fill("Radon and dust at the landing site.")

    card.get_by_role("button", name="Save summary").click()

    expect(page.locator("#section-summary .saved-at")).to_contain_text(
        re.compile(
            r"Saved at \d\d:\d\d Beijing time \(UTC\+8\) · your time: "
            r"\d\d:\d\d \(Europe/Paris\)"
        )
    )
    expect(page.locator("#section-summary-heading")).to_be_focused()
    expect(page.locator("#editor-announcer")).to_have_text(
        re.compile(r"^Summary saved\. Saved at \d\d:\d\d Beijing time \(UTC\+8\)")
    )


def test_a_refused_save_moves_focus_to_the_field_and_keeps_the_carrier(page, draft):
    card = page.locator("#section-resources")
    card.get_by_label("Carrier").select_option(label="Lander")
    card.get_by_label("Mass (kg)").fill("-3")
    expect(page.locator("#resource-check .resource-invalid")).to_have_text(
        "Mass: -3 kg is below zero: enter a figure from 0 to 99,999.999 kg."
    )

    card.get_by_role("button", name="Save resources requested").click()

    expect(page.locator("#section-resources #id_resources-mass_kg")).to_be_focused()
    expect(page.locator("#editor-announcer")).to_have_text(
        "Resources requested not saved: see the messages in the section."
    )
    expect(page.locator("#section-resources .envelope")).to_contain_text(
        "What the Lander offers one payload"
    )
    expect(page.locator("#section-resources #id_resources-carrier")).to_have_value(
        str(draft.opportunity.carriers.get().pk)
    )


def test_live_region_is_not_replaced_by_the_check(page, draft):
    page.evaluate("document.getElementById('resource-check').dataset.marker = 'kept'")
    card = page.locator("#section-resources")
    card.get_by_label("Carrier").select_option(label="Lander")
    card.get_by_label("Average power (W)").fill("1e9")

    expect(page.locator("#resource-check .resource-invalid")).to_have_text(
        "Average power: 1,000,000,000 W is more than 9,999,999.9 W, the most this "
        "form accepts."
    )
    assert page.locator("#resource-check").get_attribute("data-marker") == "kept"


def test_counter_shows_the_characters_left_and_over(page, draft):
    title = page.locator("#section-summary").get_by_label("Title")

    title.fill("x" * 190)
    expect(page.locator("#id_summary-title-count")).to_have_text("10 characters left")
    title.fill("x" * 600)

    expect(page.locator("#id_summary-title-count")).to_have_text(
        "400 characters too many"
    )
    assert len(title.input_value()) == 600


def test_a_save_made_meanwhile_shows_both_texts_and_merges_by_hand(page, draft):
    co_investigator = UserFactory(full_name="Dr Luca Bianchi")
    TeamMemberFactory(
        proposal=draft,
        user=co_investigator,
        email=co_investigator.email,
        confirmed=True,
    )
    card = page.locator("#section-objectives")
    card.get_by_label("Science and technology objectives").fill("Mine.")
    update_section(
        proposal=draft,
        section="objectives",
        data={"objectives": "Theirs."},
        actor=co_investigator,
        base_version=0,
    )

    card.get_by_role("button", name=re.compile("^Save")).click()

    conflict = page.locator("#section-objectives-conflict")
    expect(conflict).to_be_focused()
    expect(conflict).to_contain_text("Dr Luca Bianchi saved this section at")
    expect(page.locator("#id_objectives-objectives-saved")).to_have_value("Theirs.")
    field = card.get_by_label("Science and technology objectives", exact=True)
    expect(field).to_have_value("Mine.")
    card.get_by_role(
        "button", name="Use the saved Science and technology objectives"
    ).click()
    expect(field).to_have_value("Theirs.")
    field.press("End")
    field.type(" And mine.")
    card.get_by_role("button", name="Save the text in the fields").click()

    expect(page.locator("#section-objectives .saved-at")).to_contain_text("Saved at")
    assert Proposal.objects.get(pk=draft.pk).objectives == "Theirs. And mine."


def test_a_long_word_wraps_instead_of_widening_the_page(page, draft):
    word = "radon" * 40  # 200 characters, no space
    Proposal.objects.filter(pk=draft.pk).update(title=word, abstract=word)

    page.reload()

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_editor_has_no_serious_accessibility_violation(
    page, draft, live_server, language
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
    page.goto(f"/proposals/{draft.pk}/edit/")
    page.locator("#id_resources-carrier").select_option(index=1)
    page.locator("#id_resources-mass_kg").fill("-3")
    expect(page.locator("#resource-check .resource-invalid")).to_have_count(1)
    page.locator("#id_summary-title").fill("x" * 250)

    violations = serious_violations(page)

    assert violations == [], f"editor ({language}):\n{format_violations(violations)}"
