"""A panel as it really works, in Chromium against the live server, each person
in their own browser: bidding, scoring, discussion, revision, consensus, release.

An administrator has opened bidding on a closed dual-anonymous call. A reviewer
signs in to the reviewers' site (/review/) with their password and
authenticator code, opens the call's bid sheet from their work list and says
"eager" for one proposal. The administrator (through reviews.services) closes
bidding and assigns that proposal to them and to a second reviewer, whose review
comes in. The reviewer declares no conflict, scores, submits, reads the other
review and the thread where the other reviewer is only "Reviewer N", and posts.
The administrator, in their browser, opens the discussion phase; the reviewer
revises their review, saying why, and finds the earlier version in its history.
The administrator closes the discussion, writes the consensus report on the
proposal's thread, reads the ranking by normalised score, records the decisions
and releases them, typing the number of reviews still outstanding. The
researcher then reads the decision, the panel's consensus report and the
reviewers' comments, never a reviewer's name or a confidential comment.

Saves reviewer-site-index.png, bid-sheet.png, discussion-thread.png and
panel-ranking-normalised.png (into docs/screenshots/ with AO_UPDATE_SCREENSHOTS=1,
see conftest.py).
"""

import os
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
from reviews.enums import AssignmentStatus, BidPreference, PhaseStatus, ReviewStatus
from reviews.models import Bid, ConsensusReport, Panel, Review, ReviewRevision
from tests.browser.axe import BASE_DIR, format_violations, serious_violations
from tests.browser.conftest import BROWSER_TIMEZONE, PHASE_REPORTS, RESULTS_DIR
from tests.browser.test_review_journey import (
    declare_no_conflict,
    score_every_criterion,
)
from tests.factories import PASSWORD, UserFactory
from tests.mfa import current_code, enable_totp
from tests.reviews import reviewer_admin as build
from tests.reviews.test_admin_panel import closed_call, submitted_proposal

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "wang.lei@cnsa.example.org"
REVIEWER_EMAIL = "eva.jansen@estec.example.net"
PI_EMAIL = "camille.laurent@u-paris.example.org"
CALL_TITLE = "Chang'E-8 international payloads"

# What the proposers must never read.
REVIEWER_NAMES = ("Dr Eva Jansen", "Prof Lukas Meier", "Dr Aiko Tanaka")
CONFIDENTIAL = "Confidential: the team's heritage is thinner than claimed."
MY_CONFIDENTIAL = "Confidential: the schedule through the lunar night is tight."

MY_COMMENTS = "A clear case; show the thermal design through the lunar night."
REVISED_COMMENTS = (
    "A clear case. After discussion: the thermal design holds; detail the "
    "radiator's margins."
)
REVISION_REASON = "The discussion showed that I misread the radiator's margins."
CONSENSUS = (
    "The panel found the science case compelling and the thermal design sound; "
    "it asks for the radiator's margins before the critical design review."
)
MY_MESSAGE = "I scored feasibility lower: has anyone checked the radiator's margins?"
THEIR_FIRST = "The radiator's margins are in section 4.2 of the technical annex."
THEIR_REPLY = "Agreed: section 4.2 settles it for me."

# (title, abstract, keywords, investigator, institution, country)
PROPOSALS = [
    (
        "Lunar radon and dust monitor",
        "Measures radon exhalation and charged dust at the landing site through "
        "a lunar day and night.",
        "radon, dust, regolith",
        "Dr Camille Laurent",
        "Université Paris Cité",
        "FR",
    ),
    (
        "Far-side low-frequency radio antenna",
        "Listens below 30 MHz from the far side, shielded from the Earth's radio "
        "noise, to map the cosmic dawn.",
        "radio astronomy, cosmic dawn, far side",
        "Dr Sanne de Vries",
        "ASTRON",
        "NL",
    ),
    (
        "Regolith thermal probe",
        "Drives a heat-flow probe one metre into the regolith to measure the "
        "Moon's internal heat.",
        "heat flow, regolith, geophysics",
        "Dr Javier Rojas",
        "Universidad de Chile",
        "CL",
    ),
]


# --- what happens outside the browsers, through reviews.services -------------------


@pytest.fixture
def bidding_call(transactional_db):
    """A closed dual-anonymous call, three proposals in review, its reviewers,
    and bidding opened by the administrator."""
    admin = UserFactory(
        superuser=True, email=ADMIN_EMAIL, full_name="WANG Lei", country="CN"
    )
    enable_totp(admin)
    opportunity = closed_call(title_en=CALL_TITLE, dual_anonymous=True)
    proposals = []
    for number, (title, abstract, keywords, name, institution, country) in enumerate(
        PROPOSALS
    ):
        pi = UserFactory(
            email=PI_EMAIL if number == 0 else f"pi{number}@institute.example.org",
            full_name=name,
            institution=institution,
            country=country,
        )
        proposals.append(
            submitted_proposal(
                opportunity,
                title=title,
                abstract=abstract,
                keywords=keywords,
                mass_kg=Decimal("4.000"),
                principal_investigator=pi,
            )
        )
    me = build.reviewer(
        full_name=REVIEWER_NAMES[0], email=REVIEWER_EMAIL, expertise="radon, dust"
    )
    second = build.reviewer(full_name=REVIEWER_NAMES[1], expertise="radio, regolith")
    third = build.reviewer(full_name=REVIEWER_NAMES[2], expertise="regolith, thermal")
    services.open_bidding(opportunity=opportunity, actor=admin)
    return opportunity, proposals, (me, second, third), admin


def assign(proposal, reviewer, admin):
    return services.assign_reviewer(
        proposal=proposal,
        reviewer=reviewer,
        due=timezone.now() + timedelta(days=20),
        actor=admin,
    )


def review_through_the_services(proposal, reviewer, score, admin) -> None:
    """Assigned, accepted, scored `score` on every criterion and submitted."""
    assignment = assign(proposal, reviewer, admin)
    services.accept_assignment(assignment=assignment, actor=reviewer)
    review = Review.objects.get(assignment=assignment)
    services.save_review_draft(
        review=review,
        actor=reviewer,
        scores={
            criterion.pk: score for criterion in proposal.opportunity.criteria.all()
        },
        comments_for_proposer=f"Comment worth {score}: a sound, well-argued case.",
        confidential_comments=CONFIDENTIAL,
        recommendation="select",
    )
    services.submit_review(review=review, actor=reviewer)


def close_bidding_and_assign(opportunity, proposals, reviewers, admin):
    """The eager reviewer gets the first proposal with the second reviewer (whose
    review is in and who opens the thread), and the second proposal, which they
    leave unanswered; the other reviews make a ranking worth normalising."""
    first, second, third = proposals
    me, other, third_reviewer = reviewers
    services.close_bidding(opportunity=opportunity, actor=admin)
    mine = assign(first, me, admin)
    review_through_the_services(first, other, 5, admin)
    services.post_message(proposal=first, actor=other, body=THEIR_FIRST)
    waiting = assign(second, me, admin)
    review_through_the_services(second, other, 3, admin)
    review_through_the_services(second, third_reviewer, 4, admin)
    review_through_the_services(third, other, 2, admin)
    review_through_the_services(third, third_reviewer, 3, admin)
    return mine, waiting


# --- the browsers ---------------------------------------------------------------------


@pytest.fixture
def own_browser(browser, live_server, request):
    """Open another person's browser (a fresh context set up like `page`'s);
    their pages are saved in test-results/ too when the test fails."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id=BROWSER_TIMEZONE,
            bypass_csp=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    reports = request.node.stash.get(PHASE_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    for number, context in enumerate(contexts, start=1):
        if failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            for other in context.pages:
                other.screenshot(
                    path=RESULTS_DIR / f"{name}.browser{number}.png", full_page=True
                )
        context.close()


def screenshot_of(other_page, name: str) -> None:
    """The `screenshot` fixture's behaviour for a page of another browser."""
    folder = (
        BASE_DIR / "docs" / "screenshots"
        if os.environ.get("AO_UPDATE_SCREENSHOTS") == "1"
        else RESULTS_DIR
    )
    folder.mkdir(parents=True, exist_ok=True)
    other_page.screenshot(path=folder / name, full_page=True)


class Accessibility:
    """axe-core's serious and critical violations, page by page: the journey
    goes on to its end and the test then fails naming every page found wanting."""

    def __init__(self):
        self.problems: list[str] = []

    def check(self, page, where: str) -> None:
        violations = serious_violations(page)
        if violations:
            self.problems.append(
                f"{where} ({page.url}):\n{format_violations(violations)}"
            )

    def assert_clean(self) -> None:
        assert not self.problems, "axe-core found serious violations on\n" + (
            "\n\n".join(self.problems)
        )


def sign_in(page, start: str, email: str, *, code: bool) -> None:
    """From `start`, through allauth's sign-in page (and the code), and back."""
    page.goto(start)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if code:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(current_code())
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(start)}$"))


def message(page):
    return page.locator(".messagelist")


# --- the journey's steps ------------------------------------------------------------


def bid_eager(page, proposals, axe, screenshot) -> None:
    """From the index, the call's bid sheet: eager for the first proposal."""
    bidding = page.locator("#bidding")
    expect(bidding).to_contain_text(CALL_TITLE)
    axe.check(page, "the reviewers' index, bidding open")
    bidding.get_by_role("link", name=CALL_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CALL_TITLE)
    expect(page.locator("fieldset.bid-row")).to_have_count(len(proposals))
    expect(page.locator(".review-anonymous")).to_contain_text("dual-anonymously")
    row = page.locator(f"#bid-{proposals[0].pk}")
    expect(row.locator("legend")).to_contain_text(proposals[0].reference)
    row.get_by_role("radio", name="Eager").check()
    page.get_by_role("button", name="Save this page").click()
    expect(message(page)).to_contain_text("1 bid changed")
    expect(
        page.locator(f"#bid-{proposals[0].pk}").get_by_label("Eager")
    ).to_be_checked()
    expect(row).to_contain_text(PROPOSALS[0][1])
    for *_about, name, institution, _country in PROPOSALS:
        expect(page.locator("#bid-sheet")).not_to_contain_text(name)
        expect(page.locator("#bid-sheet")).not_to_contain_text(institution)
    axe.check(page, "the bid sheet")
    screenshot("bid-sheet.png")
    bid = Bid.objects.get(proposal=proposals[0])
    assert bid.preference == BidPreference.EAGER


def score_and_submit(page, proposal) -> None:
    """Declare no conflict, score every criterion, comment, submit, confirm."""
    page.goto("/review/")
    to_answer = page.locator("#to-answer")
    expect(to_answer).to_contain_text(proposal.reference)
    to_answer.get_by_role("link", name=proposal.reference).click()
    declare_no_conflict(page)
    score_every_criterion(page, "4")
    page.get_by_label("Overall recommendation").select_option("Select")
    page.get_by_label("Comments for the proposer").fill(MY_COMMENTS)
    page.get_by_label("Confidential comments for the panel").fill(MY_CONFIDENTIAL)
    page.get_by_role("button", name="Submit review…").click()
    expect(page.locator(".review-scores")).to_contain_text("4 — Very good")
    page.get_by_role("button", name="Yes, submit my review").click()
    expect(message(page)).to_contain_text("submitted and locked")
    expect(page.locator(".review-locked")).to_contain_text("Locked.")


def discuss(page, other_label: str, axe, screenshot) -> None:
    """The thread: the other reviewer's message under their number, then ours."""
    page.get_by_role("link", name="Open the discussion").click()
    posts = page.locator(".discussion-post")
    expect(posts).to_have_count(1)
    expect(posts.first).to_contain_text(other_label)
    expect(posts.first).to_contain_text(THEIR_FIRST)
    page.get_by_label("Your message").fill(MY_MESSAGE)
    page.get_by_role("button", name="Post").click()
    expect(message(page)).to_contain_text("Your message is posted.")
    expect(posts).to_have_count(2)
    expect(posts.last.locator(".discussion-meta")).to_contain_text("You")
    expect(posts.last).to_contain_text(MY_MESSAGE)
    thread = page.locator("#content-main")
    for name in REVIEWER_NAMES:
        expect(thread).not_to_contain_text(name)
    axe.check(page, "the discussion thread")
    screenshot("discussion-thread.png")


def open_the_discussion_phase(admin_page, opportunity) -> None:
    """From the call's page to the panel's Discussion tab, and open it."""
    admin_page.goto(
        reverse("admin:catalogue_opportunity_change", args=[opportunity.pk])
    )
    admin_page.get_by_role("link", name="Ranking").click()
    expect(admin_page).to_have_url(
        re.compile(rf"/admin/panel/{opportunity.pk}/ranking/$")
    )
    admin_page.locator(".panel-tabs").get_by_role("link", name="Discussion").click()
    expect(admin_page.locator("#phase-status")).to_have_text("Not opened")
    admin_page.get_by_role("button", name="Open").click()
    expect(message(admin_page)).to_contain_text("The discussion is open")
    expect(admin_page.locator("#phase-status")).to_have_text("Open")


def revise(page, proposal, axe, screenshot) -> None:
    """Back to their work: a new message waits; revise the review, with why."""
    page.goto("/review/")
    discussions = page.locator("#discussions")
    expect(discussions).to_contain_text(proposal.reference)
    axe.check(page, "the reviewers' index, a discussion waiting")
    screenshot("reviewer-site-index.png")
    discussions.get_by_role("link", name=proposal.reference).click()
    expect(page.locator(".discussion-post").last).to_contain_text(THEIR_REPLY)
    page.locator(".breadcrumbs").get_by_role("link", name=proposal.reference).click()
    page.get_by_role("link", name="Revise your review").click()
    expect(page.get_by_label("Comments for the proposer")).to_have_value(MY_COMMENTS)
    score_every_criterion(page, "5")
    page.get_by_label("Comments for the proposer").fill(REVISED_COMMENTS)
    page.get_by_label("Why you revise your review").fill(REVISION_REASON)
    page.get_by_role("button", name="Save the revision").click()
    expect(message(page)).to_contain_text("Your review is revised")
    revisions = page.locator("#revisions")
    expect(revisions).to_contain_text(REVISION_REASON)
    expect(revisions.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#review .review-scores")).to_contain_text("5 — ")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#content-main")).to_contain_text(
        "Revised during the discussion (revision 1)."
    )
    expect(page.locator("#content-main")).to_contain_text(REVISION_REASON)


def close_discussion_and_write_consensus(admin_page, opportunity, proposal) -> None:
    admin_page.reload()
    admin_page.get_by_role("button", name="Close").click()
    expect(message(admin_page)).to_contain_text("The discussion is closed")
    expect(admin_page.locator("#phase-status")).to_have_text("Closed")
    admin_page.locator("#threads").get_by_role("link", name=proposal.reference).click()
    # Administrators see who wrote what, and the revision with its reason.
    expect(admin_page.locator("#thread-posts")).to_contain_text(MY_MESSAGE)
    expect(admin_page.locator("#thread-posts")).to_contain_text(REVIEWER_NAMES[0])
    expect(admin_page.locator(".revision").first).to_contain_text(REVISION_REASON)
    admin_page.get_by_role("textbox", name="Consensus report").fill(CONSENSUS)
    admin_page.get_by_role("button", name="Save the consensus report").click()
    expect(message(admin_page)).to_contain_text("The consensus report is saved.")
    expect(admin_page.get_by_role("textbox", name="Consensus report")).to_have_value(
        CONSENSUS
    )


def rank_by_normalised_score(admin_page, proposals, axe) -> None:
    admin_page.locator(".panel-tabs").get_by_role("link", name="Ranking").click()
    admin_page.get_by_role("link", name="Normalised score").click()
    expect(admin_page).to_have_url(re.compile(r"sort=normalised"))
    rows = admin_page.locator("#ranking tbody tr")
    expect(rows).to_have_count(len(proposals))
    expect(admin_page.locator(f"#rank-{proposals[0].pk} .mean")).to_have_text("5.00")
    expect(admin_page.locator(f"#rank-{proposals[1].pk} .reviews")).to_contain_text(
        "2 / 3"
    )
    expect(admin_page.locator(f"#rank-{proposals[1].pk} .reviews")).to_contain_text(
        "incomplete"
    )
    axe.check(admin_page, "the ranking by normalised score")
    screenshot_of(admin_page, "panel-ranking-normalised.png")


def decide_and_release(admin_page, proposals) -> None:
    """Decisions for every proposal, then the release, confirming the one
    review still outstanding by typing its number."""
    admin_page.locator(".panel-tabs").get_by_role("link", name="Decisions").click()
    outcomes = ["Selected", "Not selected", "Not selected"]
    for proposal, outcome in zip(proposals, outcomes, strict=True):
        admin_page.get_by_label(f"Outcome for {proposal.reference}").select_option(
            outcome
        )
    admin_page.get_by_role("button", name="Save the decisions").click()
    expect(message(admin_page)).to_contain_text("3 decisions recorded")
    admin_page.get_by_role("link", name="Release all decisions").click()
    expect(admin_page.locator("#release-outstanding")).to_have_text("1 / 7")
    expect(admin_page.locator("#release-outstanding-note")).to_contain_text(
        "Type the number 1"
    )
    admin_page.get_by_label("Reviews outstanding").fill("1")
    admin_page.get_by_role("button", name="Release all decisions").click()
    expect(message(admin_page)).to_contain_text("3 decisions released")


def read_the_decision(pi_page, proposal) -> None:
    """The researcher: outcome, consensus report, reviewers' comments; no name,
    no confidential comment."""
    sign_in(pi_page, proposal.get_absolute_url(), PI_EMAIL, code=False)
    decision = pi_page.locator(".proposal-decision")
    expect(decision.locator(".decision-outcome")).to_have_text("Selected")
    expect(decision).to_contain_text("Panel's consensus report")
    expect(decision.locator(".consensus-report")).to_have_text(CONSENSUS)
    comments = decision.locator(".reviewer-comment")
    expect(comments).to_have_count(2)
    expect(decision).to_contain_text(REVISED_COMMENTS)
    expect(decision).to_contain_text("Comment worth 5: a sound, well-argued case.")
    body = pi_page.locator("body")
    for text in (*REVIEWER_NAMES, CONFIDENTIAL, MY_CONFIDENTIAL, MY_COMMENTS):
        expect(body).not_to_contain_text(text)
    for text in (MY_MESSAGE, THEIR_FIRST, THEIR_REPLY, REVISION_REASON):
        expect(body).not_to_contain_text(text)


def test_reviewer_bids_scores_discusses_and_revises_then_panel_releases_consensus(
    page, own_browser, bidding_call, screenshot
):
    opportunity, proposals, reviewers, admin = bidding_call
    first = proposals[0]
    other = reviewers[1]
    axe = Accessibility()

    # The reviewer signs in to the reviewers' site with both factors and bids.
    sign_in(page, "/review/", REVIEWER_EMAIL, code=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your review work")
    bid_eager(page, proposals, axe, screenshot)

    # The administrator closes bidding and assigns; the other review comes in.
    assignment, unanswered = close_bidding_and_assign(
        opportunity, proposals, reviewers, admin
    )

    # The reviewer accepts, scores and submits, then reads the other review.
    score_and_submit(page, first)
    other_review = page.locator("#other-reviews .other-review")
    expect(other_review).to_have_count(1)
    other_label = other_review.locator("h3").inner_text().strip()
    assert re.fullmatch(r"Reviewer \d", other_label), other_label
    expect(other_review).to_contain_text("Comment worth 5")
    expect(page.locator("#content-main")).not_to_contain_text(other.full_name)
    discuss(page, other_label, axe, screenshot)

    # The administrator, in their own browser, opens the discussion phase.
    admin_page = own_browser()
    sign_in(admin_page, "/admin/", ADMIN_EMAIL, code=True)
    open_the_discussion_phase(admin_page, opportunity)
    assert Panel.objects.get(opportunity=opportunity).discussion == PhaseStatus.OPEN

    # The other reviewer answers; the reviewer finds it waiting and revises.
    services.post_message(proposal=first, actor=other, body=THEIR_REPLY)
    revise(page, first, axe, screenshot)
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.comments_for_proposer == REVISED_COMMENTS
    revision = ReviewRevision.objects.get(review=review)
    assert (revision.number, revision.reason) == (1, REVISION_REASON)

    # The administrator closes the discussion, writes the consensus, ranks,
    # decides and releases.
    close_discussion_and_write_consensus(admin_page, opportunity, first)
    assert ConsensusReport.objects.get(proposal=first).body == CONSENSUS
    rank_by_normalised_score(admin_page, proposals, axe)
    decide_and_release(admin_page, proposals)
    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    assert opportunity.status == OpportunityStatus.DECIDED
    unanswered.refresh_from_db()
    assert unanswered.status == AssignmentStatus.CANCELLED

    # The researcher, in their own browser, reads the decision.
    read_the_decision(own_browser(), first)

    # axe-core on the reviewers' index, the bid sheet, the thread and the ranking.
    axe.assert_clean()
