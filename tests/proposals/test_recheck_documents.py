"""manage.py recheck_documents: every stored document checked again under
today's upload rules, a line for each one refused and a summary (or one JSON
object), exit status 1 when any is refused, and nothing changed."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from config import pdf_safety
from proposals.models import ProposalDocument
from tests.factories import (
    OpportunityDocumentFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    make_pdf,
)
from tests.payloads.factories import AgreementFactory, ConditionDocumentFactory
from tests.proposals import hostile_pdfs
from tests.proposals.hostile_pdfs import ADVICE

TOO_COMPLEX = (
    "This PDF is too complex for the portal to check: it is built of too many "
    "parts, or of parts nested too deeply. Print it to PDF or export it again "
    "from your word processor, and upload that file."
)
JAVASCRIPT = f"This PDF contains JavaScript (in the document's open action). {ADVICE}"


def stored(content: bytes, *, name: str, **fields) -> ProposalDocument:
    return ProposalDocumentFactory(
        file=ContentFile(content, name="upload.pdf"), original_name=name, **fields
    )


@pytest.fixture
def three(db):
    """A clean document, one with JavaScript (both of submitted proposals) and
    one nested too deeply (of a draft), stored before today's checks."""
    clean = stored(
        make_pdf(pages=2), name="clean.pdf", proposal=ProposalFactory(submitted=True)
    )
    script = stored(
        hostile_pdfs.javascript_open_action(),
        name="annex.pdf",
        proposal=ProposalFactory(submitted=True),
    )
    deep = stored(
        hostile_pdfs.nested_chain(pdf_safety.MAX_DEPTH + 100), name="deep.pdf"
    )
    return clean, script, deep


def recheck(*options: str) -> tuple[int, str]:
    """The command's exit status and what it wrote on stdout."""
    out = io.StringIO()
    try:
        call_command("recheck_documents", *options, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_recheck_documents_lists_each_refused_document_and_exits_1(three):
    _clean, script, deep = three

    status, out = recheck()

    assert status == 1
    assert out.splitlines() == [
        f"proposal document {script.pk}, {script.proposal.reference}, “annex.pdf”: "
        f"{JAVASCRIPT}",
        f"proposal document {deep.pk}, draft proposal {deep.proposal_id} in "
        f"{deep.proposal.opportunity.slug}, “deep.pdf”: {TOO_COMPLEX}",
        "Checked 3 stored documents: 2 refused under today's rules.",
    ]


def test_recheck_documents_json_report_names_each_refused_document(three):
    _clean, script, deep = three

    status, out = recheck("--json")

    assert status == 1
    assert json.loads(out) == {
        "checked": 3,
        "skipped": 0,
        "refused": [
            {
                "id": script.pk,
                "kind": "proposals.proposaldocument",
                "proposal_id": script.proposal_id,
                "reference": script.proposal.reference,
                "call": script.proposal.opportunity.slug,
                "file_name": "annex.pdf",
                "code": "javascript",
                "message": JAVASCRIPT,
            },
            {
                "id": deep.pk,
                "kind": "proposals.proposaldocument",
                "proposal_id": deep.proposal_id,
                "reference": "",
                "call": deep.proposal.opportunity.slug,
                "file_name": "deep.pdf",
                "code": "too_complex",
                "message": TOO_COMPLEX,
            },
        ],
    }


def test_recheck_documents_changes_nothing(three):
    def state():
        return [
            (row, default_storage.open(row["file"]).read())
            for row in ProposalDocument.objects.order_by("pk").values()
        ]

    before = state()

    recheck()

    assert state() == before


def test_recheck_documents_exits_0_when_every_document_passes(db):
    stored(make_pdf(), name="clean.pdf", proposal=ProposalFactory(submitted=True))
    stored(hostile_pdfs.linked_pages(300), name="slides.pdf")

    status, out = recheck()

    assert (status, out) == (
        0,
        "Checked 2 stored documents: 0 refused under today's rules.\n",
    )


def test_recheck_documents_reads_every_kind_of_stored_document(db):
    """Condition answers and signed agreements checked as proposals' documents
    are; AO documents only when PDF; replaced proposals' documents only when
    asked; a file gone from storage reported."""
    answer = ConditionDocumentFactory(
        file=ContentFile(hostile_pdfs.embedded_file(), name="answer.pdf")
    )
    AgreementFactory(signed=True)
    ao_pdf = OpportunityDocumentFactory(
        file=ContentFile(hostile_pdfs.launch_action(), name="ao.pdf")
    )
    OpportunityDocumentFactory(
        file=ContentFile(b"PK\x03\x04 a Word template", name="template.docx")
    )
    replaced = stored(
        hostile_pdfs.xfa_form(), name="old.pdf", replaced_at=timezone.now()
    )
    gone = stored(make_pdf(), name="gone.pdf")
    default_storage.delete(gone.file.name)

    def found(*options):
        status, out = recheck("--json", *options)
        report = json.loads(out)
        return (
            status,
            report["checked"],
            report["skipped"],
            [(row["kind"], row["id"], row["code"]) for row in report["refused"]],
        )

    assert found() == (
        1,
        4,
        1,
        [
            ("proposals.proposaldocument", gone.pk, "missing"),
            ("payloads.conditiondocument", answer.pk, "embedded_file"),
            ("catalogue.opportunitydocument", ao_pdf.pk, "launch"),
        ],
    )
    assert found("--with-replaced")[3] == [
        ("proposals.proposaldocument", replaced.pk, "xfa"),
        ("proposals.proposaldocument", gone.pk, "missing"),
        ("payloads.conditiondocument", answer.pk, "embedded_file"),
        ("catalogue.opportunitydocument", ao_pdf.pk, "launch"),
    ]
