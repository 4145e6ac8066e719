"""A researcher signs up and submits a proposal to the open Chang'E-7 demonstration
call, end to end in Chromium against the live server.

Emails go through the outbox and the locmem backend of this process
(config/settings/test.py), so the verification and invitation links are read
from `mailoutbox`, as the researcher would read them from their mailbox.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfWriter

from catalogue.models import Opportunity
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from tests.browser.axe import format_violations, serious_violations

pytestmark = pytest.mark.browser

DEMO_SLUG = "demo-chang-e-7-payloads"  # catalogue/seed/demo_calls.py
PASSWORD = "a-long-demo-password-2026"
PI_EMAIL = "amina.haddad@uni-example.org"
CO_EMAIL = "luca.bianchi@inaf-example.it"


@pytest.fixture
def demo_call(transactional_db) -> Opportunity:
    call_command("seed_catalogue", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    return Opportunity.objects.get(slug=DEMO_SLUG)


def make_pdf(path: Path, *, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as stream:
        writer.write(stream)
    return path


def link_path(outbox, *, to: str, marker: str) -> str:
    """The path of the first link containing `marker` in the last email to `to`."""
    bodies = [message.body for message in outbox if message.to == [to]]
    assert bodies, f"no email to {to}"
    match = re.search(
        rf"https?://[^\s\"<>]+({re.escape(marker)}[^\s\"<>]+)", bodies[-1]
    )
    assert match, bodies[-1]
    return match.group(1)


def save_section(page, section: str) -> None:
    card = page.locator(f"#section-{section}")
    card.get_by_role("button", name=re.compile(r"^Save ")).click()
    expect(page.locator(f"#section-{section} .saved-at")).to_contain_text("Saved at")


def sign_up_and_verify(page, outbox) -> None:
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill(PI_EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_full_name").fill("Dr Amina Haddad")
    page.locator("#id_institution").fill("Université de Tunis El Manar")
    page.locator("#id_country").select_option("TN")
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    page.goto(link_path(outbox, to=PI_EMAIL, marker="/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("My proposals")


def write_the_sections(page) -> None:
    """Each section saved on its own; htmx swaps the card."""
    summary = page.locator("#section-summary")
    summary.get_by_label("Title").fill("South-pole radon and dust monitor")
    summary.get_by_label("Abstract").fill(
        "Measures radon exhalation and charged dust at the landing site."
    )
    summary.get_by_label("Keywords").fill("radon, dust, regolith")
    save_section(page, "summary")
    objectives = page.locator("#section-objectives")
    objectives.get_by_label("Science and technology objectives").fill(
        "Map radon exhalation through a lunar day."
    )
    objectives.get_by_label("Relevance to the mission").fill(
        "Complements the lander's survey of volatiles."
    )
    save_section(page, "objectives")
    payload = page.locator("#section-payload")
    payload.get_by_label("Payload description").fill("A detector with its electronics.")
    payload.get_by_label("Technology readiness level").fill("6")
    save_section(page, "payload")
    page.locator("#section-funding").get_by_label("Funding statement").fill(
        "Funded by the national research council."
    )
    save_section(page, "funding")


def request_resources(page) -> None:
    """The resource check warns while typing; fixing the mass clears it."""
    resources = page.locator("#section-resources")
    resources.get_by_label("Carrier").select_option(label="Lander")
    resources.get_by_label("Mass (kg)").fill("12.5")
    finding = page.locator("#resource-check .resource-finding")
    expect(finding).to_have_text(
        "The payload requests 12.5 kg; the Chang'E-7 Lander offers at most 5 kg "
        "per payload."
    )
    expect(finding).to_have_class(re.compile(r"alert-danger"))
    expect(page.locator("#resource-check .envelope")).to_contain_text("5 kg")
    resources.get_by_label("Mass (kg)").fill("4.5")
    expect(finding).to_have_count(0)
    for label, value in [
        ("Average power (W)", "8"),
        ("Peak power (W)", "12"),
        ("Data volume (MB per day)", "50"),
        ("Length (mm)", "200"),
        ("Width (mm)", "150"),
        ("Height (mm)", "100"),
    ]:
        resources.get_by_label(label).fill(value)
    save_section(page, "resources")


def add_and_confirm_a_co_investigator(page, outbox) -> None:
    """The co-investigator confirms through the emailed link, in their own browser."""
    team = page.locator("#section-team")
    team.get_by_label("Name").fill("Dr Luca Bianchi")
    team.get_by_label("Email").fill(CO_EMAIL)
    team.get_by_label("Institution").fill("INAF Osservatorio di Roma")
    team.get_by_label("Country").select_option("IT")
    team.get_by_role("button", name="Add and send the invitation").click()
    expect(page.locator("#section-team .team-table")).to_contain_text("Dr Luca Bianchi")
    expect(page.locator("#section-team .team-problem")).to_contain_text(
        "Dr Luca Bianchi"
    )
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    co_investigator = page.context.browser.new_context(base_url=origin, locale="en-GB")
    co_page = co_investigator.new_page()
    co_page.goto(link_path(outbox, to=CO_EMAIL, marker="/proposals/team/confirm/"))
    expect(co_page.get_by_label("Your institution")).to_have_value(
        "INAF Osservatorio di Roma"
    )
    co_page.get_by_role("button", name="Confirm my participation").click()
    expect(co_page.locator(".alert-success").first).to_contain_text("confirmed")
    co_investigator.close()
    page.reload()
    expect(page.locator("#section-team .team-table")).to_contain_text("Confirmed")


def upload_the_documents(page, folder: Path) -> None:
    """A refused file shows why next to its document; then the real PDFs."""
    web_page = folder / "proposal.pdf"
    web_page.write_bytes(b"<!DOCTYPE html><html><body>Proposal</body></html>")
    slots = page.locator(".document-slot")
    expect(slots).to_have_count(3)
    slots.nth(0).locator("input[type=file]").set_input_files(web_page)
    slots.nth(0).get_by_role("button", name="Upload").click()
    expect(slots.nth(0).locator(".document-error")).to_have_text(
        "This file is a web page (HTML), not a PDF. Print it to PDF and upload the PDF."
    )
    for index, pages in enumerate([12, 8, 1]):
        pdf = make_pdf(folder / f"document-{index}.pdf", pages=pages)
        slots.nth(index).locator("input[type=file]").set_input_files(pdf)
        slots.nth(index).get_by_role("button", name="Upload").click()
        expect(slots.nth(index).locator(".current-document")).to_contain_text(
            f"document-{index}.pdf"
        )
        expect(slots.nth(index).locator(".document-error")).to_have_count(0)


def accept_the_statements(page) -> None:
    for box in page.locator("#section-statements").get_by_role("checkbox").all():
        box.check()
    save_section(page, "statements")
    expect(page.locator("#checklist")).to_contain_text("100 % complete")


def test_researcher_signs_up_and_submits_a_proposal_to_the_demo_call(
    demo_call, page, mailoutbox, tmp_path, screenshot
):
    sign_up_and_verify(page, mailoutbox)
    page.goto(demo_call.get_absolute_url())
    page.get_by_role("button", name="Start a proposal").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit/$"))
    expect(page.locator("#checklist")).to_contain_text("% complete")

    write_the_sections(page)
    request_resources(page)
    add_and_confirm_a_co_investigator(page, mailoutbox)
    upload_the_documents(page, tmp_path)
    accept_the_statements(page)
    violations = serious_violations(page)
    assert violations == [], format_violations(violations)

    page.get_by_role("link", name="Review and submit").click()
    expect(page.locator(".submission-problems")).to_have_count(0)
    page.get_by_role("button", name="Submit now").click()

    proposal = Proposal.objects.get(principal_investigator__email=PI_EMAIL)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert re.fullmatch(r"CE7-\d{4}-0001", proposal.reference)
    expect(page.locator(".reference-number")).to_have_text(proposal.reference)
    expect(page.locator(".alert-success").first).to_contain_text(proposal.reference)
    expect(page.locator(".versions-table")).to_contain_text(f"{proposal.reference} v1")
    confirmation = [
        message.subject
        for message in mailoutbox
        if message.to == [PI_EMAIL] and proposal.reference in message.subject
    ]
    assert confirmation == [
        f"[{proposal.reference}] Proposal submitted: South-pole radon and dust monitor"
    ]
    violations = serious_violations(page)
    assert violations == [], format_violations(violations)
    screenshot("researcher-journey.png")
