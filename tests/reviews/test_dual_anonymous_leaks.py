"""Dual-anonymous review: no reviewer ever reads who proposed, and no proposer
reads who reviewed.

A dual-anonymous call gets a proposal whose investigator and team member have
names, emails, institutions and countries found nowhere else, and a document
whose file name and metadata name them. Bidding is open on the call; a reviewer
is assigned through the service, then the reviewers' site is crawled from its
index, following every link under /review/, at each step of the review (invited,
accepted, draft, submitted with another review visible, then the discussion
phase: the thread with the other reviewer's message, a revision, the consensus
report the reviewer writes as primary reviewer); the bid sheet is on the way,
and the probes no link leads to (autocomplete, searches, the administrators'
site, identity look-ups) are added. Every page, JSON answer, header, PDF's text
and metadata and downloaded file is searched for each identity string, and for
the other reviewer's name.
"""

import io
import re
from collections import deque
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reviews import services
from reviews.models import ReviewAssignment
from tests.factories import ReviewFactory
from tests.mfa import login_with_mfa
from tests.reviews import reviewer_admin as build

pytestmark = pytest.mark.django_db

CRAWL_LIMIT = 300
SITE = "/review/"
NOT_FOLLOWED = ("/review/logout/",)
OTHER_REVIEWER = "Prof. Ingeborg Thistlewood"


@pytest.fixture
def identity():
    return build.Identity()


@pytest.fixture
def case(identity, django_capture_on_commit_callbacks):
    """A dual-anonymous call open for bidding, its proposal assigned to a
    reviewer by the service, and a second reviewer whose review is already
    submitted. The assignment's email waits in "send_emails" (on-commit
    callbacks) for the test that reads it."""
    opportunity = build.call(dual_anonymous=True)
    version = build.frozen_proposal(opportunity=opportunity, identity=identity)
    administrator = build.administrator(full_name="Director Wenceslas Ironmonger")
    services.open_bidding(opportunity=opportunity, actor=administrator)
    reviewer = build.reviewer(full_name="Dr Eva Jansen")
    with django_capture_on_commit_callbacks() as send_emails:
        assignment = services.assign_reviewer(
            proposal=version.proposal,
            reviewer=reviewer,
            due=timezone.now() + timedelta(days=14),
            actor=administrator,
        )
    other = build.assignment_for(
        build.reviewer(full_name=OTHER_REVIEWER, email="thistlewood@example.net"),
        version=version,
        accepted=True,
    )
    ReviewFactory(assignment=other, submitted=True, scores=5)
    return {
        "assignment": ReviewAssignment.objects.get(pk=assignment.pk),
        "reviewer": reviewer,
        "administrator": administrator,
        "other": other,
        "send_emails": send_emails,
    }


# --- reading what a reviewer receives ---------------------------------------------


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def readable_text(response) -> str:
    """Everything a person could read in a response: headers, the page or JSON,
    and for a PDF its text, metadata and raw bytes."""
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    body = _body(response)
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(body))
        text = "\n".join(page.extract_text() for page in reader.pages)
        metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
        xmp = reader.xmp_metadata
        raw = body.decode("latin-1")
        xml = xmp.stream.get_data().decode("utf-8", "replace") if xmp else ""
        return "\n".join([headers, text, metadata, xml, raw])
    return f"{headers}\n{body.decode('utf-8', 'replace')}"


def leaks(pages: dict, strings: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for url, response in pages.items():
        text = readable_text(response).casefold()
        found += [
            (url, label) for label, value in strings.items() if value.casefold() in text
        ]
    return found


def _key(url: str) -> str:
    """One visit per page whatever the sort order asked."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "o"]
    return f"{parts.path}?{urlencode(sorted(query))}"


def crawl(client, start: list[str]) -> dict:
    """Every page of the reviewers' site reachable by GET links from `start`,
    with its response."""
    queue, seen, pages = deque(start), set(), {}
    while queue and len(pages) < CRAWL_LIMIT:
        url = queue.popleft()
        if _key(url) in seen:
            continue
        seen.add(_key(url))
        response = client.get(url)
        pages[url] = response
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', response.content.decode()):
            target = urljoin(url, href.replace("&amp;", "&"))
            path = urlsplit(target).path
            if path.startswith(SITE) and not path.startswith(NOT_FOLLOWED):
                queue.append(target if "://" not in target else target.split("/", 3)[3])
    return pages


def probes(assignment) -> list[str]:
    """Pages no link leads to: autocomplete answers, identity searches, the
    administrators' site, the researchers' pages."""
    changelist = reverse("review:reviews_reviewassignment_changelist")
    autocomplete = reverse("review:autocomplete")
    return [
        f"{autocomplete}?app_label=reviews&model_name=reviewassignment"
        "&field_name=proposal&term=",
        f"{autocomplete}?app_label=reviews&model_name=reviewassignment"
        "&field_name=version&term=",
        f"{changelist}?_popup=1&_to_field=id",
        reverse("review:reviews_reviewassignment_submit", args=[assignment.pk]),
        reverse("review:thread", args=[assignment.pk]),
        reverse("review:revise", args=[assignment.pk]),
        reverse("review:consensus", args=[assignment.pk]),
        reverse("review:bid_sheet", args=[assignment.proposal.opportunity_id]),
        "/admin/",
        reverse("admin:reviews_reviewassignment_changelist"),
        reverse("admin:reviews_review_changelist"),
        reverse("admin:proposals_proposal_changelist"),
        reverse("admin:proposals_proposal_change", args=[assignment.proposal_id]),
        reverse("admin:proposals_proposalversion_change", args=[assignment.version_id]),
        reverse("proposals:detail", args=[assignment.proposal_id]),
        reverse("proposals:version-pdf", args=[assignment.proposal_id, 1]),
    ]


def everything_a_reviewer_opens(client, assignment) -> dict:
    pages = crawl(client, [SITE])
    for url in probes(assignment):
        pages[url] = client.get(url)
    return pages


def assert_nothing_leaks(pages: dict, strings: dict[str, str]) -> None:
    assert leaks(pages, strings) == []


# --- the tests ------------------------------------------------------------------


def test_reviewer_of_a_dual_anonymous_call_never_reads_who_proposed(
    client, case, identity
):
    assignment, reviewer = case["assignment"], case["reviewer"]
    administrator, other = case["administrator"], case["other"]
    opportunity = assignment.proposal.opportunity
    strings = identity.strings()
    login_with_mfa(client, reviewer)
    answer = reverse("review:reviews_reviewassignment_answer", args=[assignment.pk])
    review_url = reverse("review:reviews_reviewassignment_review", args=[assignment.pk])
    criteria = assignment.proposal.opportunity.criteria.all()
    scores = {f"score_{criterion.pk}": 4 for criterion in criteria}

    invited = everything_a_reviewer_opens(client, assignment)
    client.post(answer, {"answer": "accept", "accept-no_conflict": "on"})
    accepted = everything_a_reviewer_opens(client, assignment)
    client.post(
        review_url,
        scores
        | {
            "recommendation": "select",
            "comments_for_proposer": "Convincing; detail the thermal design.",
            "_submit": "1",
        },
    )
    drafted = everything_a_reviewer_opens(client, assignment)
    client.post(reverse("review:reviews_reviewassignment_submit", args=[assignment.pk]))
    submitted = everything_a_reviewer_opens(client, assignment)
    services.open_discussion(opportunity=opportunity, actor=administrator)
    services.post_message(
        proposal=assignment.proposal,
        actor=other.reviewer,
        body="I, Ingeborg, think the thermal design is fine.",
    )
    services.post_message(
        proposal=assignment.proposal,
        actor=administrator,
        body="Please converge by Friday.",
    )
    services.designate_primary_reviewer(
        proposal=assignment.proposal, reviewer=reviewer, actor=administrator
    )
    client.post(
        reverse("review:thread", args=[assignment.pk]), {"body": "Agreed on most."}
    )
    client.post(
        reverse("review:revise", args=[assignment.pk]),
        scores
        | {
            "recommendation": "select",
            "comments_for_proposer": "Convincing; the thermal design holds.",
            "reason": "The discussion settled the thermal question.",
        },
    )
    client.post(
        reverse("review:consensus", args=[assignment.pk]),
        {"body": "The panel recommends selection."},
    )
    discussed = everything_a_reviewer_opens(client, assignment)

    for pages in (invited, accepted, drafted, submitted, discussed):
        assert_nothing_leaks(pages, strings)
    other_reviewer = {
        "other reviewer": OTHER_REVIEWER,
        "other reviewer surname": OTHER_REVIEWER.rsplit(maxsplit=1)[-1],
        "other reviewer email": "thistlewood@example.net",
        "administrator": "Ironmonger",
    }
    assert leaks(submitted, other_reviewer) == []
    assert leaks(discussed, other_reviewer) == []
    visited = {urlsplit(url).path for url in discussed}
    change = reverse("review:reviews_reviewassignment_change", args=[assignment.pk])
    document_pk = assignment.version.snapshot["documents"][0]["id"]
    thread = reverse("review:thread", args=[assignment.pk])
    assert {
        SITE,
        reverse("review:reviews_reviewassignment_changelist"),
        reverse("review:bidding"),
        reverse("review:bid_sheet", args=[opportunity.pk]),
        change,
        reverse("review:reviews_reviewassignment_history", args=[assignment.pk]),
        reverse("review:reviews_reviewassignment_pdf", args=[assignment.pk]),
        reverse(
            "review:reviews_reviewassignment_document",
            args=[assignment.pk, document_pk],
        ),
        thread,
        reverse("review:revise", args=[assignment.pk]),
        reverse("review:consensus", args=[assignment.pk]),
    } <= visited
    bid_sheet = invited[reverse("review:bid_sheet", args=[opportunity.pk])]
    assert assignment.version.snapshot["summary"]["abstract"] in (
        bid_sheet.content.decode()
    )
    page = submitted[change].content.decode()
    assert re.search(r"<h3>Reviewer \d</h3>", page)  # the other review, unnamed
    assert "Convincing; detail the thermal design." in page
    conversation = discussed[thread].content.decode()
    assert "I, Ingeborg, think the thermal design is fine." in conversation
    assert re.search(r"<strong>Reviewer \d</strong>", conversation)
    assert "CNSA administrators" in conversation
    revised = discussed[change].content.decode()
    assert "The discussion settled the thermal question." in revised
    assert "Convincing; the thermal design holds." in revised


def test_the_reviewers_pdf_and_document_are_complete_but_anonymous(
    client, case, identity
):
    assignment, reviewer = case["assignment"], case["reviewer"]
    login_with_mfa(client, reviewer)
    services.accept_assignment(assignment=assignment, actor=reviewer)
    document_pk = assignment.version.snapshot["documents"][0]["id"]

    pdf = client.get(
        reverse("review:reviews_reviewassignment_pdf", args=[assignment.pk])
    )
    document = client.get(
        reverse(
            "review:reviews_reviewassignment_document",
            args=[assignment.pk, document_pk],
        )
    )

    text = readable_text(pdf)
    assert assignment.version.snapshot["payload"]["payload_description"] in text
    assert "Dual-anonymous review" in text
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="{assignment.version.reference}-v1.pdf"'
    )
    assert len(PdfReader(io.BytesIO(_body(document))).pages) == 1
    assert "Document%201" in document["Content-Disposition"]
    assert leaks({"pdf": pdf, "document": document}, identity.strings()) == []


def test_searches_and_lookups_cannot_find_a_proposal_by_who_proposed(
    client, case, identity
):
    login_with_mfa(client, case["reviewer"])
    changelist = reverse("review:reviews_reviewassignment_changelist")
    surname = identity.pi_name.split()[-1]

    by_name = client.get(changelist, {"q": surname})
    by_email = client.get(changelist, {"q": identity.pi_email})
    by_reference = client.get(changelist, {"q": case["assignment"].proposal.reference})
    lookups = [
        client.get(changelist, {lookup: value}).status_code
        for lookup, value in [
            ("proposal__principal_investigator__full_name__icontains", surname),
            ("proposal__principal_investigator__institution__icontains", "Zephyr"),
            ("proposal__team_members__email__icontains", "marrowind"),
            ("version__snapshot__icontains", surname),
        ]
    ]

    assert by_name.context["cl"].result_count == 0
    assert by_email.context["cl"].result_count == 0
    assert by_reference.context["cl"].result_count == 1
    assert lookups == [400, 400, 400, 400]


def test_the_reviewers_emails_do_not_name_who_proposed(case, identity, mailoutbox):
    for send in case["send_emails"]:
        send()

    emails = [
        message for message in mailoutbox if message.to == [case["reviewer"].email]
    ]

    assert len(emails) == 1
    text = emails[0].subject + emails[0].body
    text += "".join(content for content, _mime in emails[0].alternatives)
    assert case["assignment"].proposal.reference in text
    assert [label for label, value in identity.strings().items() if value in text] == []


def test_the_proposer_never_reads_who_reviewed(
    client, case, identity, mailoutbox, django_capture_on_commit_callbacks
):
    assignment, reviewer = case["assignment"], case["reviewer"]
    services.accept_assignment(assignment=assignment, actor=reviewer)
    review = ReviewAssignment.objects.get(pk=assignment.pk).review
    criteria = assignment.proposal.opportunity.criteria.all()
    services.save_review_draft(
        review=review,
        actor=reviewer,
        scores={criterion.pk: 3 for criterion in criteria},
        recommendation="select_with_conditions",
        comments_for_proposer="Clarify the power budget at night.",
        confidential_comments="Dr Jansen's note: budget is thin.",
    )
    services.submit_review(review=review, actor=reviewer)
    administrator = case["administrator"]
    services.record_decision(
        proposal=assignment.proposal, outcome="selected", actor=administrator
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(
            opportunity=assignment.proposal.opportunity, actor=administrator
        )
    pi = assignment.proposal.principal_investigator
    client.force_login(pi)

    detail = client.get(reverse("proposals:detail", args=[assignment.proposal_id]))
    letters = [message for message in mailoutbox if identity.pi_email in message.to]

    reviewers = {
        "reviewer name": "Eva Jansen",
        "reviewer email": reviewer.email,
        "other reviewer": OTHER_REVIEWER,
        "other reviewer email": "thistlewood@example.net",
        "confidential comment": "budget is thin",
    }
    assert "Clarify the power budget at night." in detail.content.decode()
    assert leaks({"detail": detail}, reviewers) == []
    assert len(letters) == 1
    letter = letters[0].body
    assert "Clarify the power budget at night." in letter
    assert [label for label, value in reviewers.items() if value in letter] == []
