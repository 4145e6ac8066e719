"""No page breaks the Content-Security-Policy, in Chromium, in both languages.

A tour of the public pages, sign-in, the API documentation (Swagger UI and
ReDoc, which must still render), a researcher's dashboard and editor, the
administrators' index, a changelist and a change form, the review panel's
ranking and manifest, the email templates' preview (each email's HTML in a
frame under a policy of its own), and the reviewers' site: every CSP violation
the browser reports (a `securitypolicyviolation` event, or its console message) is
collected, and there must be none. Unlike the other browser tests, the context
here does not bypass the policy.

Each signed-in part opens its pages with a session made by Django's test
client (the sign-in pages themselves are on the tour); the staff and the
reviewer have an authenticator app, so the two-factor gate lets them in.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import BROWSER_TIMEZONE
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.mfa import enable_totp
from tests.reviews.test_admin_panel import closed_call, reviewed_proposal

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "zh-hans"]
# Swagger UI and ReDoc are not translated: the same page in every language, so
# they are toured once, in English (5 s saved).
UNTRANSLATED = {"/api/docs/", "/api/redoc/"}

# Recorded before any script of the page runs (Playwright's init script is not
# subject to the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def tour(transactional_db):
    """Who signs in, and the pages each of them opens."""
    researcher = UserFactory()
    call = OpportunityFactory()
    draft = ProposalFactory(
        opportunity=call, principal_investigator=researcher, complete=True
    )
    administrator = UserFactory(superuser=True)
    enable_totp(administrator)
    reviewed = closed_call()
    proposal = reviewed_proposal(reviewed, [4, 3])
    reviewed_proposal(reviewed, [2, 5])
    reviewer = ReviewerFactory()
    enable_totp(reviewer)
    assignment = ReviewAssignmentFactory(reviewer=reviewer, accepted=True)
    return {
        None: [
            reverse("catalogue:home"),
            reverse("catalogue:opportunity-list"),
            call.get_absolute_url(),
            reverse("catalogue:mission-list"),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("api-docs"),
            reverse("api-redoc"),
        ],
        researcher: [
            reverse("proposals:dashboard"),
            reverse("proposals:edit", args=[draft.pk]),
            reverse("accounts:profile"),
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("mfa_index"),
        ],
        administrator: [
            reverse("admin:index"),
            reverse("admin:proposals_proposal_changelist"),
            reverse("admin:proposals_proposal_change", args=[proposal.pk]),
            reverse("admin:catalogue_opportunity_change", args=[reviewed.pk]),
            reverse("admin:reviews_panel_ranking", args=[reviewed.pk]),
            reverse("admin:reviews_panel_manifest", args=[reviewed.pk]),
            reverse("admin:notifications_outboundemail_preview"),
        ],
        reviewer: [
            reverse("review:index"),
            reverse("review:reviews_reviewassignment_changelist"),
            reverse("review:reviews_reviewassignment_review", args=[assignment.pk]),
        ],
    }


def open_context(browser, live_server, language, user):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id=BROWSER_TIMEZONE,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    cookies = [
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "value": language,
            "url": live_server.url,
        }
    ]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        )
    context.add_cookies(cookies)
    return context


def violations_on(context, path: str) -> list[str]:
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Permissions-Policy" in message.text
            else None
        ),
    )
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    if path == reverse("api-docs"):
        # Swagger UI renders the schema's title once its scripts ran.
        page.locator(".swagger-ui .info .title").wait_for()
    elif path == reverse("api-redoc"):
        page.locator("h1", has_text="AO Portal API").wait_for()
    else:
        page.wait_for_load_state("load")
    found = page.evaluate("window.__cspViolations") + console
    page.close()
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_tour_of_the_portal_breaks_no_content_security_policy(
    browser, live_server, tour, language
):
    problems = {}
    for user, paths in tour.items():
        context = open_context(browser, live_server, language, user)
        for path in paths:
            if path in UNTRANSLATED and language != LANGUAGES[0]:
                continue
            found = violations_on(context, path)
            if found:
                problems[path] = found
        context.close()

    assert problems == {}
