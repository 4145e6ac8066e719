"""One date format on pages and in emails (Beijing time, named), and emailed
links on the site's address."""

from datetime import UTC, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.models import OutboundEmail
from proposals.services import submit_proposal

pytestmark = pytest.mark.django_db

MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def _moment():
    """Yesterday 15:59 UTC, 23:59 in Beijing: inside the call's window."""
    day = timezone.now().astimezone(UTC) - timedelta(days=1)
    return day.replace(hour=15, minute=59, second=0, microsecond=0)


SUBMITTED = _moment()
# Beijing's date is the UTC date: 23:59 is still the same day.
WRITTEN = {
    "en": f"{SUBMITTED.day} {MONTHS[SUBMITTED.month - 1]} {SUBMITTED.year}, "
    "23:59 Beijing time (UTC+8)",
    "zh-hans": f"北京时间 {SUBMITTED.year}年{SUBMITTED.month}月{SUBMITTED.day}日 "
    "23:59（UTC+8）",
}


def _submit(proposal):
    submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator, now=SUBMITTED
    )
    return OutboundEmail.objects.get(
        template="proposal_submitted", recipient=proposal.principal_investigator
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_page_and_email_write_a_moment_alike(client, ready_proposal, language):
    proposal = ready_proposal()
    proposal.principal_investigator.preferred_language = language
    proposal.principal_investigator.save()

    email = _submit(proposal)
    client.force_login(proposal.principal_investigator)
    page = client.get(
        f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert WRITTEN[language] in page
    assert WRITTEN[language] in email.body_text
    assert WRITTEN[language] in email.body_html


def test_dashboard_writes_the_last_save_in_beijing_time(client, ready_proposal):
    proposal = ready_proposal()
    type(proposal).objects.filter(pk=proposal.pk).update(updated_at=SUBMITTED)
    client.force_login(proposal.principal_investigator)

    page = client.get("/proposals/").content.decode()

    assert WRITTEN["en"] in page


@override_settings(SITE_URL="https://ao.cnsa.example", SITE_URL_CONFIGURED=True)
def test_emailed_links_start_at_the_configured_site(ready_proposal):
    proposal = ready_proposal()

    email = _submit(proposal)

    assert f"https://ao.cnsa.example/proposals/{proposal.pk}/" in email.body_text


@override_settings(
    DEBUG=True,
    SITE_URL="http://127.0.0.1:8000",
    SITE_URL_CONFIGURED=False,
    ALLOWED_HOSTS=["localhost"],
)
def test_in_development_emailed_links_follow_the_requests_host(client, ready_proposal):
    proposal = ready_proposal()
    client.force_login(proposal.principal_investigator)
    client.get("/proposals/", HTTP_HOST="localhost:8123")

    email = _submit(proposal)

    assert f"http://localhost:8123/proposals/{proposal.pk}/" in email.body_text
