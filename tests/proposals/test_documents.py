import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.documents import DocumentRefused, safe_display_name
from proposals.models import Proposal, ProposalDocument
from proposals.services import submit_proposal, upload_document
from tests.factories import (
    ProposalDocumentFactory,
    ProposalFactory,
    RequiredDocumentFactory,
    make_pdf,
)

pytestmark = pytest.mark.django_db

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML_BYTES = b"<!DOCTYPE html>\n<html><body><h1>My proposal</h1></body></html>"


@pytest.fixture
def draft():
    proposal = ProposalFactory(complete=True)
    required = RequiredDocumentFactory(
        opportunity=proposal.opportunity, name_en="Full proposal", page_limit=3
    )
    return proposal, required


def _upload(proposal, required, content: bytes, name: str = "proposal.pdf"):
    return upload_document(
        proposal=proposal,
        required_document=required,
        file=SimpleUploadedFile("ignored.pdf", content, "application/pdf"),
        name=name,
        actor=proposal.principal_investigator,
    )


def test_upload_document_stores_the_pdf_under_a_random_name(draft):
    proposal, required = draft
    content = make_pdf(pages=2)

    document = _upload(proposal, required, content, name="Radon monitor – full.pdf")

    assert document.original_name == "Radon monitor – full.pdf"
    assert document.file.name.startswith("proposal-documents/")
    assert "Radon" not in document.file.name
    assert (document.sha256, document.size, document.page_count) == (
        hashlib.sha256(content).hexdigest(),
        len(content),
        2,
    )
    assert document.uploaded_by == proposal.principal_investigator
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == content


def test_upload_document_keeps_only_the_base_of_a_path_name(draft):
    proposal, required = draft

    document = _upload(proposal, required, make_pdf(), name="../../etc/passwd.pdf")

    assert document.original_name == "passwd.pdf"
    assert "passwd" not in document.file.name
    assert ".." not in document.file.name


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        (
            "proposal\x00.pdf",
            "bad_name",
            "The file name contains control characters. Rename the file and upload "
            "it again.",
        ),
        (
            "proposal\n.pdf",
            "bad_name",
            "The file name contains control characters. Rename the file and upload "
            "it again.",
        ),
    ],
    ids=["nul", "newline"],
)
def test_upload_document_refuses_control_characters_in_the_name(
    draft, name, code, message
):
    proposal, required = draft

    with pytest.raises(DocumentRefused) as refusal:
        _upload(proposal, required, make_pdf(), name=name)

    assert (refusal.value.code, refusal.value.message) == (code, message)


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", "empty", "The file is empty. Choose the PDF again and upload it."),
        (
            EXE_BYTES,
            "program",
            "This file is a program, not a PDF, whatever its name says. Upload your "
            "document saved as PDF.",
        ),
        (
            HTML_BYTES,
            "html",
            "This file is a web page (HTML), not a PDF. Print it to PDF and upload "
            "the PDF.",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "not_pdf",
            "This file is a ZIP file, not a PDF. Upload a PDF.",
        ),
        (
            b"Plain words in a text file.",
            "not_pdf",
            "This file is not a PDF. Export your document as PDF and upload it again.",
        ),
        (
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage with no end",
            "corrupt",
            "This PDF cannot be read; it may be damaged or incomplete. Save it again "
            "from your editor and upload it.",
        ),
        (
            make_pdf(password="secret"),
            "encrypted",
            "This PDF is protected by a password or encryption. Save it without "
            "protection and upload it again.",
        ),
        (
            make_pdf(pages=4),
            "too_many_pages",
            "The document has 4 pages; this call accepts at most 3 for “Full "
            "proposal”.",
        ),
    ],
    ids=[
        "empty",
        "renamed-exe",
        "html",
        "zip",
        "text",
        "corrupt",
        "encrypted",
        "pages",
    ],
)
def test_upload_document_refuses_a_bad_file_with_its_reason(
    draft, content, code, message
):
    proposal, required = draft

    with pytest.raises(DocumentRefused) as refusal:
        _upload(proposal, required, content)

    assert (refusal.value.code, refusal.value.message) == (code, message)
    assert ProposalDocument.objects.count() == 0


def test_upload_document_refuses_a_file_above_the_size_limit(draft):
    proposal, required = draft
    required.max_size_mb = 1
    required.save()

    with pytest.raises(DocumentRefused) as refusal:
        _upload(proposal, required, b"%PDF-1.4\n" + b"0" * (1024 * 1024))

    assert refusal.value.message == (
        "The file is larger than 1 MB, the most this call accepts."
    )


def test_upload_document_refused_leaves_the_draft_untouched(draft):
    proposal, required = draft
    kept = ProposalDocumentFactory(proposal=proposal, required_document=required)
    before = Proposal.objects.values().get(pk=proposal.pk)

    with pytest.raises(DocumentRefused):
        _upload(proposal, required, HTML_BYTES)

    assert Proposal.objects.values().get(pk=proposal.pk) == before
    assert list(ProposalDocument.objects.values_list("pk", "replaced_at")) == [
        (kept.pk, None)
    ]
    assert default_storage.exists(kept.file.name)


def test_upload_document_replacing_an_unsubmitted_file_deletes_it(
    draft, django_capture_on_commit_callbacks
):
    proposal, required = draft
    old = ProposalDocumentFactory(proposal=proposal, required_document=required)

    with django_capture_on_commit_callbacks(execute=True):
        new = _upload(proposal, required, make_pdf())

    assert list(ProposalDocument.objects.values_list("pk", flat=True)) == [new.pk]
    assert not default_storage.exists(old.file.name)


def test_upload_document_replacing_a_submitted_file_keeps_it(
    ready_proposal, django_capture_on_commit_callbacks
):
    proposal = ready_proposal()
    old = proposal.documents.get()
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)

    with django_capture_on_commit_callbacks(execute=True):
        new = _upload(proposal, old.required_document, make_pdf())

    old.refresh_from_db()
    assert old.replaced_at is not None
    assert default_storage.exists(old.file.name)
    assert list(version.documents.all()) == [old]
    assert list(proposal.documents.filter(replaced_at__isnull=True)) == [new]


def test_upload_document_refuses_a_document_of_another_call(draft):
    proposal, _required = draft
    elsewhere = RequiredDocumentFactory()

    with pytest.raises(DocumentRefused) as refusal:
        _upload(proposal, elsewhere, make_pdf())

    assert refusal.value.code == "wrong_document"


def test_upload_document_of_a_letter_takes_only_the_letter_documents(letter_call):
    proposal = ProposalFactory(opportunity=letter_call, stage="loi")
    letter_doc = RequiredDocumentFactory(opportunity=letter_call, stage="loi")
    full_doc = RequiredDocumentFactory(opportunity=letter_call, stage="full")

    stored = _upload(proposal, letter_doc, make_pdf())
    with pytest.raises(DocumentRefused) as refusal:
        _upload(proposal, full_doc, make_pdf())

    assert stored.required_document == letter_doc
    assert refusal.value.message == (
        "This call does not ask for that document at this stage."
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("proposal.pdf", "proposal.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Desktop\\plan.PDF", "plan.pdf"),
        ("  two   spaces .pdf", "two spaces .pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("notes", "notes.pdf"),
        ("", "document.pdf"),
        ("../", "document.pdf"),
        ("建议书.pdf", "建议书.pdf"),
        ("a" * 300 + ".pdf", "a" * 180 + ".pdf"),
        ("CON.pdf", "CON_.pdf"),
        ("com1", "com1_.pdf"),
        ("LPT1 .pdf", "LPT1_.pdf"),
        ("Aux.PDF", "Aux_.pdf"),
    ],
)
def test_safe_display_name(name, shown):
    assert safe_display_name(name) == shown
