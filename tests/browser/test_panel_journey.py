"""The administrators' and the researcher's half of the review, in Chromium
against the live server: an administrator signs in with their authenticator
code, opens the ranking (on the panel's pages, /admin/panel/<call>/) from the
call's admin page, then the manifest recommendation, takes its selection as the
decisions, saves them and releases them all, with no review outstanding to
confirm; the researcher then signs in and reads the decision with the
reviewers' comments, without a reviewer's name or confidential comment.

The call, its proposals and their reviews are made through reviews.services
(the reviewer's own journey in the browser is tests/browser/test_review_journey.py).
Saves docs/screenshots/ranking.png and docs/screenshots/manifest.png.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from catalogue.enums import OpportunityStatus
from catalogue.models import Opportunity
from reviews import services
from reviews.models import Review
from tests.browser.axe import format_violations, serious_violations
from tests.factories import (
    PASSWORD,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import current_code, enable_totp
from tests.reviews.test_admin_panel import closed_call, submitted_proposal

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "wang.lei@cnsa.example.org"
PI_EMAIL = "camille.laurent@u-paris.example.org"
CONFIDENTIAL = "Confidential: the budget looks optimistic."

# (title, mass kg, investigator, institution, country, the two reviewers' scores)
PROPOSALS = [
    (
        "Lunar radon and dust monitor",
        "4.000",
        "Dr Camille Laurent",
        "Université Paris Cité",
        "FR",
        (5, 4),
    ),
    (
        "Far-side low-frequency radio antenna",
        "5.000",
        "Dr Sanne de Vries",
        "ASTRON",
        "NL",
        (4, 4),
    ),
    (
        "Regolith thermal probe",
        "3.000",
        "Dr Javier Rojas",
        "Universidad de Chile",
        "CL",
        (4, 3),
    ),
    (
        "Laser retroreflector array",
        "6.000",
        "Dr Giulia Romano",
        "INAF",
        "IT",
        (3, 2),
    ),
]


def review_through_the_services(opportunity, proposal, reviewers, scores, admin):
    criteria = list(opportunity.criteria.all())
    for reviewer, score in zip(reviewers, scores, strict=True):
        assignment = services.assign_reviewer(
            proposal=proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=20),
            actor=admin,
        )
        services.accept_assignment(assignment=assignment, actor=reviewer)
        review = Review.objects.get(assignment=assignment)
        services.save_review_draft(
            review=review,
            actor=reviewer,
            scores={criterion.pk: score for criterion in criteria},
            comments_for_proposer=(
                f"Comment worth {score}: clear objectives; detail the thermal design."
            ),
            confidential_comments=CONFIDENTIAL,
            recommendation="select",
        )
        services.submit_review(review=review, actor=reviewer)


@pytest.fixture
def reviewed_call(transactional_db):
    admin = UserFactory(
        superuser=True, email=ADMIN_EMAIL, full_name="WANG Lei", country="CN"
    )
    enable_totp(admin)
    opportunity = closed_call(title_en="Chang'E-7 international payloads")
    reviewers = [
        ReviewerFactory(full_name="Dr Eva Jansen", expertise="radon, dust"),
        ReviewerFactory(full_name="Prof Lukas Meier", expertise="radio, regolith"),
    ]
    proposals = []
    for number, (title, mass, name, institution, country, scores) in enumerate(
        PROPOSALS
    ):
        pi = UserFactory(
            email=PI_EMAIL if number == 0 else f"pi{number}@institute.example.org",
            full_name=name,
            institution=institution,
            country=country,
        )
        proposal = submitted_proposal(
            opportunity,
            title=title,
            mass_kg=Decimal(mass),
            principal_investigator=pi,
        )
        TeamMemberFactory(proposal=proposal)
        review_through_the_services(opportunity, proposal, reviewers, scores, admin)
        proposals.append(proposal)
    return opportunity, proposals, reviewers


def sign_in(page, email: str, *, code: bool) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if code:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(current_code())
        page.get_by_role("button", name="Sign In").click()


def check_accessibility(page) -> None:
    violations = serious_violations(page)
    assert not violations, format_violations(violations)


def read_the_decision(page, proposal, reviewers) -> None:
    """The researcher: the outcome, the letter and the reviewers' comments; no
    reviewer's name, no confidential comment."""
    sign_in(page, PI_EMAIL, code=False)
    page.goto(proposal.get_absolute_url())
    decision = page.locator(".proposal-decision")
    expect(decision.locator(".decision-outcome")).to_have_text("Selected")
    expect(decision).to_contain_text("Dear Dr Camille Laurent")
    expect(decision).to_contain_text("Comment worth 5: clear objectives")
    expect(decision).to_contain_text("Reviewer 2")
    expect(decision).not_to_contain_text(CONFIDENTIAL)
    for reviewer in reviewers:
        expect(page.locator("body")).not_to_contain_text(reviewer.full_name)


def test_administrator_ranks_recommends_and_releases_then_researcher_reads(
    page, reviewed_call, screenshot
):
    opportunity, proposals, reviewers = reviewed_call
    first, second = proposals[0], proposals[1]

    # The administrator signs in with both factors and opens the call's page.
    sign_in(page, ADMIN_EMAIL, code=True)
    page.goto(reverse("admin:catalogue_opportunity_change", args=[opportunity.pk]))
    page.get_by_role("link", name="Ranking").click()

    # The ranking, on the panel's own pages: best first, with the figures, the
    # reviews in / assigned, the flag and the charts.
    expect(page).to_have_url(re.compile(rf"/admin/panel/{opportunity.pk}/ranking/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ranking")
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(4)
    expect(ranking.first).to_contain_text(first.reference)
    expect(ranking.first.locator(".mean")).to_have_text("4.50")
    expect(ranking.first.locator(".reviews")).to_have_text("2 / 2")
    expect(page.locator("svg[role=img]")).to_have_count(3)
    expect(page.locator("#by-country")).to_contain_text("France")
    check_accessibility(page)
    screenshot("ranking.png")

    # The manifest: the best selection within the lander's 10 kg.
    page.get_by_role("link", name="Manifest").click()
    expect(page.locator("#manifest-status")).to_have_text("Optimal")
    selected = page.locator("#manifest-selected tbody tr")
    expect(selected).to_have_count(2)
    expect(page.locator("#manifest-selected")).to_contain_text(first.reference)
    expect(page.locator("#manifest-selected")).to_contain_text(second.reference)
    expect(page.locator("#manifest-total")).to_have_text("8.50")
    expect(page.locator(".carrier-usage").first).to_contain_text("9 kg")
    check_accessibility(page)
    screenshot("manifest.png")

    # Its selection becomes the decisions, saved, then released at once.
    page.get_by_role("link", name="Prefill the decisions with this selection").click()
    expect(page.locator("#prefilled")).to_be_visible()
    expect(page.get_by_label(f"Outcome for {first.reference}")).to_have_value(
        "selected"
    )
    expect(page.get_by_label(f"Outcome for {proposals[3].reference}")).to_have_value(
        "not_selected"
    )
    page.get_by_role("button", name="Save the decisions").click()
    expect(page.locator(".messagelist")).to_contain_text("4 decisions recorded")
    page.get_by_role("link", name="Release all decisions").click()
    expect(page.locator("#release-summary")).to_contain_text("Selected")
    expect(page.locator("#release-recipients")).to_have_text("8")
    # Every review is in: nothing outstanding to confirm by typing its number.
    expect(page.locator("#release-outstanding")).to_have_text("0 / 8")
    expect(page.locator("#release-outstanding-note")).to_have_count(0)
    expect(page.get_by_label("Reviews outstanding")).to_have_count(0)
    page.get_by_role("button", name="Release all decisions").click()
    expect(page.locator(".messagelist")).to_contain_text("4 decisions released")
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    assert opportunity.status == OpportunityStatus.DECIDED

    # The researcher signs in and reads the decision on their proposal.
    page.context.clear_cookies()
    read_the_decision(page, first, reviewers)
