"""After selection, in Chromium against the live server, each person in their
own browser.

An administrator signs in with their authenticator code and releases, on the
panel's release page, a call's one decision: a conditional selection. The
release creates the payload (payloads.receivers). The principal investigator
signs in, opens "My payload" from their proposal and answers the condition
with a PDF. The administrator opens the payload's admin page, accepts the
answer (the payload is fully selected), records the qualification model's
delivery at 4.6 kg against 4 kg allocated and sees the overrun flagged before
accepting it. The team sees the flag and the milestone timeline (SVG and its
table). "My payload" and the administrators' payload page hold at 1024 and
1440 px; "My payload" is read once in Simplified Chinese.

The call, its proposal and the decision are made through the factories and
reviews.services (the panel's own journey is tests/browser/test_panel_journey.py).
Saves payload-my-payload.png and payload-delivery-overrun.png (into
docs/screenshots/ with AO_UPDATE_SCREENSHOTS=1, see conftest.py).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from payloads.enums import (
    ConditionStatus,
    DeliveryStatus,
    MilestoneKind,
    PayloadStatus,
    Side,
)
from payloads.models import CallAgreement, CallMilestone, Payload
from reviews import services
from reviews.enums import DecisionOutcome
from tests.browser import test_discussion_journey as discussion
from tests.browser.test_discussion_journey import (
    Accessibility,
    message,
    screenshot_of,
    sign_in,
)
from tests.factories import UserFactory, make_pdf
from tests.mfa import enable_totp
from tests.reviews.test_admin_panel import closed_call, submitted_proposal

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "wang.lei@cnsa.example.org"
PI_EMAIL = "camille.laurent@u-paris.example.org"
TITLE = "Lunar radon and dust monitor"
CONDITION = "Deliver the thermal vacuum test report of the qualification model."
ANSWER = (
    "The qualification model passed eight thermal vacuum cycles from -40 °C to "
    "+70 °C; the report is attached."
)
WIDTHS = (1024, 1440)

# Another person's browser, as in the discussion's journey.
own_browser = discussion.own_browser


@pytest.fixture
def decided_call(transactional_db):
    """A closed call (lander: 10 kg, 10 kg per payload) with its agreements and
    milestones, and one proposal of 4 kg decided "conditionally selected", not
    yet released."""
    admin = UserFactory(
        superuser=True, email=ADMIN_EMAIL, full_name="WANG Lei", country="CN"
    )
    enable_totp(admin)
    opportunity = closed_call(title_en="Chang'E-7 international payloads")
    for order, name in enumerate(
        ["Implementing agreement", "Interface control document"], start=1
    ):
        CallAgreement.objects.create(opportunity=opportunity, name=name, order=order)
    today = timezone.localdate()
    for order, (kind, name, offset, side) in enumerate(
        [
            (MilestoneKind.PDR, "Preliminary design review", 30, Side.JOINT),
            (MilestoneKind.QM_DELIVERY, "Qualification model delivery", 90, Side.TEAM),
            (MilestoneKind.FM_DELIVERY, "Flight model delivery", 200, Side.TEAM),
            (MilestoneKind.LAUNCH, "Launch", 400, Side.CNSA),
        ],
        start=1,
    ):
        CallMilestone.objects.create(
            opportunity=opportunity,
            kind=kind,
            name=name,
            planned_date=today + timedelta(days=offset),
            responsible=side,
            order=order,
        )
    pi = UserFactory(
        email=PI_EMAIL,
        full_name="Dr Camille Laurent",
        institution="Université Paris Cité",
        country="FR",
    )
    proposal = submitted_proposal(
        opportunity,
        title=TITLE,
        mass_kg=Decimal("4.000"),
        principal_investigator=pi,
    )
    services.record_decision(
        proposal=proposal,
        outcome=DecisionOutcome.CONDITIONALLY_SELECTED,
        conditions=f"1. {CONDITION}",
        actor=admin,
    )
    return opportunity, proposal


# --- the journey's steps ------------------------------------------------------------


def release(admin_page, opportunity) -> None:
    admin_page.goto(reverse("admin:reviews_panel_release", args=[opportunity.pk]))
    expect(admin_page.locator("#release-summary")).to_contain_text(
        "Conditionally selected"
    )
    admin_page.get_by_role("button", name="Release all decisions").click()
    expect(message(admin_page)).to_contain_text("1 decision released")


def answer_the_condition(pi_page, proposal, folder, axe) -> None:
    """From the proposal to "My payload": the condition answered with a PDF."""
    sign_in(pi_page, proposal.get_absolute_url(), PI_EMAIL, code=False)
    pi_page.get_by_role("link", name="Open My payload").click()
    expect(pi_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(pi_page.locator(".alert-warning[role=status]")).to_contain_text(
        "Conditionally selected"
    )
    condition = pi_page.locator(".payload-condition")
    expect(condition).to_have_count(1)
    expect(condition.locator(".condition-text")).to_have_text(CONDITION)
    condition.get_by_label("Your answer").fill(ANSWER)
    report = folder / "thermal-vacuum-report.pdf"
    report.write_bytes(make_pdf(pages=3))
    condition.locator("input[type=file]").set_input_files(report)
    condition.get_by_role("button", name="Send the answer").click()
    condition = pi_page.locator(".payload-condition")
    expect(condition.locator(".condition-answer")).to_have_text(ANSWER)
    expect(condition.locator(".condition-documents")).to_contain_text(
        "thermal-vacuum-report.pdf"
    )
    axe.check(pi_page, '"My payload" with the answer sent')


def accept_the_answer(admin_page, payload) -> None:
    admin_page.goto(reverse("admin:payloads_payload_change", args=[payload.pk]))
    admin_page.get_by_role("link", name="Accept or return").click()
    expect(admin_page.locator("#content")).to_contain_text(ANSWER)
    admin_page.get_by_label("Accept the answer").check()
    admin_page.get_by_role("button", name="Save the decision").click()
    expect(message(admin_page)).to_contain_text("The condition is accepted.")


def record_an_overrun(admin_page, axe) -> None:
    """The qualification model at 4.6 kg against 4 kg allocated: flagged."""
    admin_page.get_by_role("link", name="Record a delivery").click()
    admin_page.get_by_label("Unit delivered").select_option("qualification_model")
    admin_page.get_by_label("Milestone").select_option(
        label="Qualification model delivery"
    )
    admin_page.get_by_label("Measured mass (kg)").fill("4.600")
    admin_page.get_by_label("Measured size (mm)").fill("250 × 200 × 150")
    admin_page.get_by_role("button", name="Record the delivery").click()
    expect(message(admin_page)).to_contain_text("This unit exceeds its allocation")
    flag = admin_page.locator("#delivery-overrun")
    expect(flag).to_contain_text("Overrun")
    expect(flag).to_contain_text("4.6")
    expect(admin_page.locator("#delivery-figures")).to_contain_text("4.6")
    axe.check(admin_page, "the delivery's findings")
    screenshot_of(admin_page, "payload-delivery-overrun.png")


def see_the_timeline(pi_page, payload, axe) -> None:
    pi_page.goto(payload.get_absolute_url())
    expect(pi_page.locator(".alert-warning[role=status]")).to_have_count(0)
    expect(pi_page.locator(".delivery-overrun")).to_have_count(1)
    milestones = pi_page.locator("#milestones")
    expect(milestones.locator("#milestone-timeline svg[role=img]")).to_have_count(1)
    table = milestones.locator(".timeline-table")
    expect(table).to_contain_text("Qualification model delivery")
    expect(table).to_contain_text("Launch")
    axe.check(pi_page, '"My payload" with the timeline')


# The elements of `container` that stick out past the right edge of the window
# (at most 3); one inside a scrolling or clipping box (a wide table in its own
# scroll area) does not widen the page.
PAST_THE_EDGE = """(container) => {
    const limit = document.documentElement.clientWidth;
    const root = document.querySelector(container);
    const clipped = (el) => {
        for (let up = el.parentElement; up && up !== root.parentElement;
             up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    return [root, ...root.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > limit + 1)
        .filter((el) => !clipped(el))
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
            + ` (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


def check_widths(page, url: str, *, container: str) -> list[str]:
    """Where the page's `container` (its own content, not the site's header)
    goes past the window's edge, at each width."""
    page.goto(url)
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        past = page.evaluate(PAST_THE_EDGE, container)
        if past:
            too_wide.append(f"{url} at {width} px: {past}")
    return too_wide


def read_in_chinese(pi_page, payload) -> None:
    """Through the header's language switch, and back."""
    pi_page.goto(payload.get_absolute_url())
    pi_page.get_by_role("button", name="简体中文").click()
    expect(pi_page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(pi_page).to_have_url(re.compile(rf"{payload.get_absolute_url()}$"))
    expect(pi_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(pi_page.locator(".breadcrumb-item.active")).not_to_have_text("My payload")
    expect(pi_page.locator("#milestones-heading")).not_to_have_text("Milestones")
    expect(pi_page.locator(".delivery-overrun")).not_to_contain_text(
        "Over the allocation"
    )
    pi_page.get_by_role("button", name="English").click()
    expect(pi_page.locator("html")).to_have_attribute("lang", "en")


def test_administrator_releases_team_answers_administrator_flags_an_overrun(
    page, own_browser, decided_call, tmp_path
):
    opportunity, proposal = decided_call
    axe = Accessibility()

    # The administrator releases the conditional selection on the panel.
    sign_in(page, "/admin/", ADMIN_EMAIL, code=True)
    release(page, opportunity)
    payload = Payload.objects.get(proposal=proposal)
    assert payload.status == PayloadStatus.CONDITIONAL
    assert payload.allocated_mass_kg == Decimal("4.000")
    assert payload.milestones.count() == 4

    # The team answers the condition with a PDF on "My payload".
    pi_page = own_browser()
    answer_the_condition(pi_page, proposal, tmp_path, axe)
    assert payload.conditions.get().status == ConditionStatus.ANSWERED

    # The administrator accepts it, records the delivery and sees the flag.
    accept_the_answer(page, payload)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.SELECTED
    page.goto(reverse("admin:payloads_payload_change", args=[payload.pk]))
    record_an_overrun(page, axe)
    delivery = payload.deliveries.get()
    assert (delivery.status, delivery.overrun) == (DeliveryStatus.RECORDED, True)

    # The team sees the flag and the timeline.
    see_the_timeline(pi_page, payload, axe)
    screenshot_of(pi_page, "payload-my-payload.png")

    # Both pages hold from 1024 to 1440 px; "My payload" in Chinese once.
    too_wide = check_widths(
        pi_page, payload.get_absolute_url(), container="main"
    ) + check_widths(
        page,
        reverse("admin:payloads_payload_change", args=[payload.pk]),
        container="#content",
    )
    assert too_wide == []
    read_in_chinese(pi_page, payload)

    axe.assert_clean()
