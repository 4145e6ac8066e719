import io

import pytest
from pypdf import PdfReader

from proposals.pdf import render_version_html, render_version_pdf
from proposals.services import submit_proposal

pytestmark = pytest.mark.django_db

CHINESE_TITLE = "月球南极氡与尘埃监测仪"


@pytest.fixture
def version(ready_proposal):
    proposal = ready_proposal(title=CHINESE_TITLE)
    return submit_proposal(proposal=proposal, actor=proposal.principal_investigator)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_render_version_pdf_shows_the_reference_and_the_chinese_title(version):
    reader = PdfReader(io.BytesIO(render_version_pdf(version)))

    text = "".join(page.extract_text() for page in reader.pages)

    assert version.reference in text
    assert CHINESE_TITLE in text
    assert any(name.endswith("+Noto-Sans-CJK-SC") for name in _fonts(reader))


def test_render_version_pdf_lists_the_documents_with_their_hashes(version):
    document = version.documents.get()
    reader = PdfReader(io.BytesIO(render_version_pdf(version)))

    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")

    assert document.sha256 in text
    assert document.original_name in text


def test_render_version_html_reads_the_frozen_snapshot_not_the_live_proposal(version):
    proposal = version.proposal
    proposal.title = "Changed after submission"
    proposal.save()

    html = render_version_html(version)

    assert CHINESE_TITLE in html
    assert "Changed after submission" not in html
