"""The anonymity check before submitting to a dual-anonymous call: names,
institutions, emails, ORCID iDs and revealing phrases in the text sections and
in uploaded PDFs (text by page, and metadata), and the call's WARN / BLOCK."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader, PdfWriter
from pypdf.xmp import XmpInformation
from weasyprint import HTML

from catalogue.enums import AnonymityPolicy
from proposals import services
from proposals.anonymity import Kind, check_anonymity
from proposals.checklist import completeness
from proposals.models import ProposalDocument
from proposals.services import SubmissionRefused
from tests.factories import (
    OpportunityFactory,
    ProposalDocumentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PI_NAME = "Amélie Durand"
PI_INSTITUTION = "Institut de Planétologie de Grenoble"
MEMBER_NAME = "Wang Lei"
MEMBER_INSTITUTION = "Purple Mountain Observatory"


def make_text_pdf(pages: list[str], **meta) -> bytes:
    """A PDF with one page per text (WeasyPrint), then its metadata set with
    pypdf: author, title, subject, keywords, xmp_creators."""
    body = "".join(
        f'<section style="page-break-after: always"><p>{text}</p></section>'
        for text in pages
    )
    pdf = HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    info = {
        f"/{key.capitalize()}": value
        for key, value in meta.items()
        if key in {"author", "title", "subject", "keywords"}
    }
    writer.add_metadata(info)
    if meta.get("xmp_creators"):
        xmp = XmpInformation.create()
        xmp.dc_creator = meta["xmp_creators"]
        writer.xmp_metadata = xmp
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def attach_pdf(proposal, content: bytes) -> ProposalDocument:
    return ProposalDocumentFactory(
        proposal=proposal,
        file=ContentFile(content, name="proposal.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        page_count=len(PdfReader(io.BytesIO(content)).pages),
    )


@pytest.fixture
def anonymous_proposal(ready_proposal):
    """A complete draft on a dual-anonymous call, with a known team."""

    def build(*, policy=AnonymityPolicy.WARN, **overrides):
        pi = UserFactory(
            full_name=PI_NAME,
            institution=PI_INSTITUTION,
            email="amelie.durand@ipag.example.fr",
            orcid="0000-0002-1825-0097",
        )
        opportunity = OpportunityFactory(dual_anonymous=True, anonymity_policy=policy)
        proposal = ready_proposal(
            opportunity=opportunity,
            principal_investigator=pi,
            **{"heritage": "Derived from a radon monitor flown on Chang'E-6."}
            | overrides,
        )
        member = proposal.team_members.get()
        member.name = MEMBER_NAME
        member.institution = MEMBER_INSTITUTION
        member.save()
        # The ready proposal's document is a blank PDF: nothing in it.
        return proposal

    return build


def _found(flags) -> list[tuple]:
    return [
        (flag.kind, flag.found, flag.section, flag.field, flag.page, flag.metadata)
        for flag in flags
    ]


def test_a_clean_proposal_has_no_flags(anonymous_proposal):
    proposal = anonymous_proposal()

    assert check_anonymity(proposal) == []
    item = next(i for i in completeness(proposal) if i.label.startswith("Nothing"))
    assert (item.done, item.message, item.warning) == (True, "", "")


def test_names_institutions_emails_and_orcid_in_the_text_sections(
    anonymous_proposal,
):
    proposal = anonymous_proposal(
        abstract="A radon monitor by Durand, Amélie and wang  lei.",
        objectives="Contact amelie.durand@ipag.example.fr (ORCID 0000 0002 1825 0097).",
        relevance="Built at the purple mountain observatory.",
    )

    assert _found(check_anonymity(proposal)) == [
        (Kind.NAME, "Durand, Amélie", "summary", "abstract", None, ""),
        (Kind.NAME, "wang lei", "summary", "abstract", None, ""),
        (
            Kind.EMAIL,
            "amelie.durand@ipag.example.fr",
            "objectives",
            "objectives",
            None,
            "",
        ),
        (Kind.ORCID, "0000 0002 1825 0097", "objectives", "objectives", None, ""),
        (
            Kind.INSTITUTION,
            "purple mountain observatory",
            "objectives",
            "relevance",
            None,
            "",
        ),
    ]


def test_revealing_phrases_in_english_and_chinese(anonymous_proposal):
    proposal = anonymous_proposal(
        payload_description="As in our previous instrument, which we built in 2019.",
        heritage="我们课题组在嫦娥四号上研制的仪器。In our earlier\nwork we showed it.",
    )

    found = [(f.found, f.field) for f in check_anonymity(proposal)]

    assert found == [
        ("our previous instrument", "payload_description"),
        ("we built", "payload_description"),
        ("我们课题组", "heritage"),
        ("In our earlier work", "heritage"),
    ]


def test_words_inside_other_words_are_not_flagged(anonymous_proposal):
    proposal = anonymous_proposal(
        abstract="Flavour groups: we builtin nothing; our groupings are not ours.",
    )

    assert check_anonymity(proposal) == []


def test_pdf_text_is_found_on_its_page(anonymous_proposal):
    proposal = anonymous_proposal()
    document = attach_pdf(
        proposal,
        make_text_pdf(
            [
                "Science case of the radon monitor.",
                "Nothing here either.",
                f"Team: {MEMBER_NAME} of the {MEMBER_INSTITUTION}.",
                "我们研制的探测器已在轨运行。",
            ]
        ),
    )

    flags = check_anonymity(proposal)

    assert [(f.kind, f.found, f.page) for f in flags] == [
        (Kind.NAME, MEMBER_NAME, 3),
        (Kind.INSTITUTION, MEMBER_INSTITUTION, 3),
        (Kind.PHRASE, "我们研制的", 4),
    ]
    assert {f.section for f in flags} == {"documents"}
    assert flags[0].place == f"“{document.required_document.name}”, page 3"


def test_pdf_metadata_is_found(anonymous_proposal):
    proposal = anonymous_proposal()
    attach_pdf(
        proposal,
        make_text_pdf(
            ["A clean page."],
            author=PI_NAME,
            title="Radon monitor",
            subject="Proposal from our group",
            keywords="radon, Institut de Planétologie de Grenoble",
            xmp_creators=["J. Someone"],
        ),
    )

    flags = check_anonymity(proposal)

    assert [(f.kind, f.found, f.metadata, f.page) for f in flags] == [
        (Kind.NAME, PI_NAME, "Author", None),
        (Kind.PHRASE, "our group", "Subject", None),
        (Kind.INSTITUTION, PI_INSTITUTION, "Keywords", None),
        (Kind.AUTHOR, "J. Someone", "XMP creator", None),
    ]
    assert "document property Author" in flags[0].place


def test_a_replaced_document_is_not_checked(anonymous_proposal):
    proposal = anonymous_proposal()
    old = attach_pdf(proposal, make_text_pdf([f"By {PI_NAME}."]))
    old.replaced_at = old.uploaded_at
    old.save()

    assert check_anonymity(proposal) == []


def test_warn_policy_lets_submit_and_shows_the_flags(anonymous_proposal):
    proposal = anonymous_proposal(abstract="Our group proposes a radon monitor.")

    item = next(i for i in completeness(proposal) if i.label.startswith("Nothing"))
    version = services.submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator
    )

    assert item.done is True
    assert "Our group" in item.warning
    assert version.number == 1


def test_block_policy_refuses_submission_on_the_server(anonymous_proposal):
    proposal = anonymous_proposal(
        policy=AnonymityPolicy.BLOCK, abstract="Our group proposes a radon monitor."
    )

    with pytest.raises(SubmissionRefused) as refusal:
        services.submit_proposal(
            proposal=proposal, actor=proposal.principal_investigator
        )

    assert any("“Our group”" in message for message in refusal.value.messages)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.versions.count()) == ("draft", 0)


def test_block_policy_without_flags_submits(anonymous_proposal):
    proposal = anonymous_proposal(policy=AnonymityPolicy.BLOCK)

    version = services.submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator
    )

    assert version.number == 1


def test_a_call_that_is_not_dual_anonymous_has_no_check(ready_proposal):
    proposal = ready_proposal(abstract="Our group built it.")

    labels = [item.label for item in completeness(proposal)]

    assert not any(label.startswith("Nothing") for label in labels)


def test_the_check_never_changes_the_reviewers_copy(anonymous_proposal):
    proposal = anonymous_proposal()
    content = make_text_pdf([f"By {PI_NAME}, {PI_INSTITUTION}."], author=PI_NAME)
    document = attach_pdf(proposal, content)

    flags = check_anonymity(proposal)
    version = services.submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator
    )

    assert len(flags) == 3
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        assert handle.read() == content
    frozen = [d.sha256 for d in version.documents.all()]
    assert hashlib.sha256(content).hexdigest() in frozen
