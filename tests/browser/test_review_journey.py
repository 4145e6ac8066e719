"""A reviewer's journey, in Chromium against the live server: they sign in to the
reviewers' site (/review/) with their password and authenticator code, find the
assignment waiting for them in a dual-anonymous call on their work list, open
it from "All my assignments", declare no conflict of interest, score the
proposal, save a draft, submit it after confirming, and find it locked.

(The administrators' and the researcher's half of the story — assigning,
ranking, deciding, reading the decision — is tests/browser/test_panel_journey.py.)
"""

import re

import pytest
from playwright.sync_api import expect

from reviews.enums import ReviewStatus
from reviews.models import Review
from tests.browser.axe import format_violations, serious_violations
from tests.factories import PASSWORD
from tests.mfa import current_code
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.browser

REVIEWER_EMAIL = "eva.jansen@estec.example.net"


@pytest.fixture
def assignment(transactional_db):
    opportunity = build.call(dual_anonymous=True)
    version = build.frozen_proposal(opportunity=opportunity, identity=build.Identity())
    reviewer = build.reviewer(full_name="Dr Eva Jansen", email=REVIEWER_EMAIL)
    return build.assignment_for(reviewer, version=version)


def sign_in_with_two_factors(page) -> None:
    """/review/ sends them to allauth's sign-in, then the code, then back."""
    page.goto("/review/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(REVIEWER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/review/$"))


def declare_no_conflict(page) -> None:
    expect(page.locator("#declaration")).to_contain_text("Conflict of interest")
    expect(page.locator("#proposal")).to_have_count(0)
    page.get_by_label(re.compile(r"^I declare that I have no conflict")).check()
    page.get_by_role("button", name="Accept and declare no conflict").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "You declared no conflict of interest"
    )


def score_every_criterion(page, score: str) -> None:
    for fieldset in page.locator("fieldset.review-criterion").all():
        fieldset.get_by_role("radio", name=re.compile(rf"^{score} — ")).check()


def test_reviewer_declares_no_conflict_scores_and_submits(page, assignment, screenshot):
    identity = build.Identity()
    sign_in_with_two_factors(page)

    # The index is their work: the assignment waits for an answer, due soon.
    to_answer = page.locator("#to-answer")
    expect(to_answer).to_contain_text(assignment.proposal.reference)
    expect(to_answer).to_contain_text("Beijing time (UTC+8)")
    page.get_by_role("link", name="All my assignments").click()
    expect(page.locator("#result_list")).to_contain_text(assignment.proposal.reference)
    expect(page.locator("#result_list")).to_contain_text("Beijing time (UTC+8)")
    page.get_by_role("link", name=assignment.proposal.reference).click()

    declare_no_conflict(page)
    proposal = page.locator("#proposal")
    expect(proposal).to_contain_text("A 4.5 kg detector with its own electronics.")
    expect(proposal).to_contain_text("reviewed dual-anonymously")
    expect(proposal).not_to_contain_text(identity.pi_name)
    expect(
        proposal.get_by_role("link", name=re.compile(r"^Document 1"))
    ).to_be_visible()

    score_every_criterion(page, "3")
    page.get_by_label("Overall recommendation").select_option("Select with conditions")
    page.get_by_label("Comments for the proposer").fill(
        "A well-argued case; show the thermal design through the lunar night."
    )
    page.get_by_label("Confidential comments for the panel").fill(
        "The heritage is real; the schedule is tight."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Your draft is saved.")
    score_every_criterion(page, "4")
    page.get_by_role("button", name="Submit review…").click()

    expect(page.locator("#submit-review")).to_be_visible()
    expect(page.locator(".review-scores")).to_contain_text("4 — Very good")
    page.get_by_role("button", name="Yes, submit my review").click()

    expect(page.locator(".messagelist")).to_contain_text("submitted and locked")
    expect(page.locator(".review-locked")).to_contain_text("Locked.")
    expect(page.locator("#review-form")).to_have_count(0)
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert sorted(review.scores.values_list("score", flat=True)) == [4, 4, 4]
    screenshot("reviewer-journey.png")
    violations = serious_violations(page)
    assert violations == [], format_violations(violations)
