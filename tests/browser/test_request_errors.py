"""A save that the server refuses says so, and keeps what was typed."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from proposals.services import remove_team_member
from tests.factories import ProposalFactory, TeamMemberFactory, UserFactory

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


def test_refused_section_save_shows_the_reason_and_keeps_the_text(
    page, live_server, transactional_db
):
    proposal = ProposalFactory()
    co_investigator = UserFactory()
    member = TeamMemberFactory(
        proposal=proposal,
        user=co_investigator,
        email=co_investigator.email,
        confirmed=True,
    )
    sign_in_as(page, live_server, co_investigator)
    page.goto(f"/proposals/{proposal.pk}/edit/")
    card = page.locator("#section-summary")
    card.get_by_label("Abstract").fill("Radon exhalation through a lunar day.")
    # Meanwhile the principal investigator takes them off the team.
    remove_team_member(member=member, actor=proposal.principal_investigator)

    card.get_by_role("button", name=re.compile(r"^Save ")).click()

    banner = page.locator("#request-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("This change was refused")
    expect(card.get_by_label("Abstract")).to_have_value(
        "Radon exhalation through a lunar day."
    )
