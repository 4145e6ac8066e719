"""The files a reviewer downloads from the admin: the version's PDF and its
documents, with nothing in them or in their names that says who proposed when
the call is dual-anonymous.

- the version PDF: proposals.pdf renders the team, the funding statement and the
  documents' uploaded file names, so a reviewer of a dual-anonymous call gets a
  PDF rendered here from reviews.selectors' anonymised snapshot instead;
- a document: streamed from storage as uploaded, except in a dual-anonymous call,
  where it is rebuilt without what names its authors or identifies the file
  (config.pdf_identity.without_identity: the document information, every XMP
  packet — the document's, pages', images' —, piece info, annotation authors,
  the document IDs);
- every file is named by the proposal's reference and the call's name for the
  document, never by the uploaded file's name (config.filenames.download_name).

A document whose anonymous copy cannot be built (a file stored before uploads
were checked, one pypdf cannot rebuild) is answered with a page saying so and
asking the reviewer to write to the administrators, status 500, the error
logged with the document's id; never with the file as uploaded.
"""

import logging

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from config.filenames import download_name
from config.pdf_identity import without_identity
from config.private_files import private_file_response
from proposals.pdf import render_version_pdf
from reviews import selectors
from reviews.selectors import ReviewerDocument, ReviewerView

PDF = "application/pdf"

logger = logging.getLogger(__name__)


def _private(response: HttpResponse, *, filename: str) -> HttpResponse:
    """An attachment never sniffed nor kept by a shared cache."""
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def version_pdf_name(view: ReviewerView) -> str:
    return f"{view.version.reference}-v{view.version.number}.pdf"


def version_pdf_response(view: ReviewerView) -> HttpResponse:
    content = render_version_pdf(
        view.version, anonymised_snapshot=view.snapshot if view.anonymous else None
    )
    return _private(
        HttpResponse(content, content_type=PDF), filename=version_pdf_name(view)
    )


def without_metadata(file) -> bytes:
    """The PDF's bytes without what names its authors or identifies the file."""
    with file.open("rb") as stream:
        return without_identity(stream.read())


def document_name(view_reference: str, document: ReviewerDocument) -> str:
    """ "CE7-2026-0042 Document 2 — Technical annex.pdf"."""
    return download_name(f"{view_reference} {document.display_name}")


def document_response(
    document: ReviewerDocument, *, reference: str, anonymous: bool
) -> HttpResponse:
    filename = document_name(reference, document)
    if anonymous:
        try:
            content = without_metadata(document.file)
        except Exception:  # pypdf raises many kinds; TooComplex (too deep) …
            logger.exception(
                "The anonymous copy of document %s could not be built.", document.pk
            )
            return _unavailable(document, reference=reference)
        response = HttpResponse(content, content_type=PDF)
    else:
        # The file as uploaded: through nginx when it serves private files.
        response = private_file_response(
            document.file, filename=filename, content_type=PDF
        )
    return _private(response, filename=filename)


def _unavailable(document: ReviewerDocument, *, reference: str) -> HttpResponse:
    """The page answered instead of a document without its anonymous copy."""
    response = HttpResponse(
        render_to_string(
            "admin/reviews/reviewing/document_unavailable.html",
            {"name": document.display_name, "reference": reference},
        ),
        status=500,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def assignment_document_response(
    *, user, assignment, document_pk: int, anonymous: bool
) -> HttpResponse:
    """One document of the assignment's frozen version, for its reviewer or an
    administrator (reviews.selectors.reviewer_documents); Http404 otherwise."""
    documents = selectors.reviewer_documents(user=user, assignment=assignment)
    document = next((d for d in documents if d.pk == document_pk), None)
    if document is None:
        raise Http404
    return document_response(
        document, reference=assignment.proposal.reference, anonymous=anonymous
    )
