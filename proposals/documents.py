"""Uploaded proposal documents checked before anything is stored.

`check_upload` judges the file by its bytes, never by its name or the browser's
content type, and raises DocumentRefused with one translated sentence saying what
is wrong and what to do. The checks, in order: the file name (control characters
refused, folders dropped, a Windows device name made an ordinary one), empty,
too large, not a PDF (a program, a web page, another kind), unreadable,
password-protected, no pages, too many pages, active content (JavaScript, launch
and additional actions, an open action, attached files, XFA …: config.pdf_safety,
the message naming what was found and how to export a clean PDF).
"""

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.utils.translation import gettext as _
from pypdf import PdfReader

from config import pdf_safety
from config.filenames import download_name
from config.refusals import Refused

PDF_MIME = "application/pdf"
PROGRAM_KINDS = frozenset({"exe", "elf", "dll", "macho", "dex", "apk", "msi"})
MAX_NAME_LENGTH = 180
_MB = 1024 * 1024


class DocumentRefused(Refused):
    def __init__(self, message: str, *, code: str):
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CheckedPdf:
    display_name: str
    content: bytes
    sha256: str
    size: int
    page_count: int


def safe_display_name(name: str) -> str:
    """The name to show and to offer on download: no folders, no control
    characters, never a Windows device name.

    "../../etc/passwd.pdf" becomes "passwd.pdf" and "CON.pdf" "CON_.pdf"
    (config.filenames); a name with a NUL byte or a line break is refused, since
    no honest file name carries one.
    """
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        raise DocumentRefused(
            _(
                "The file name contains control characters. Rename the file and "
                "upload it again."
            ),
            code="bad_name",
        )
    base = unicodedata.normalize("NFC", name.replace("\\", "/")).split("/")[-1]
    base = " ".join(base.split()).lstrip(".")
    path = PurePosixPath(base or "document.pdf")
    stem = path.stem if path.suffix.lower() == ".pdf" else path.name
    return download_name(f"{stem[:MAX_NAME_LENGTH] or 'document'}.pdf")


def _read(file, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to tell that a file is too large."""
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(limit + 1)


def _refuse_if_not_pdf(content: bytes) -> None:
    kind = filetype.guess(content[:8192])
    if kind is not None and kind.mime == PDF_MIME:
        return
    if kind is not None and kind.extension in PROGRAM_KINDS:
        raise DocumentRefused(
            _(
                "This file is a program, not a PDF, whatever its name says. Upload "
                "your document saved as PDF."
            ),
            code="program",
        )
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")):
        raise DocumentRefused(
            _(
                "This file is a web page (HTML), not a PDF. Print it to PDF and "
                "upload the PDF."
            ),
            code="html",
        )
    if kind is not None:
        raise DocumentRefused(
            _("This file is a %(kind)s file, not a PDF. Upload a PDF.")
            % {"kind": kind.extension.upper()},
            code="not_pdf",
        )
    raise DocumentRefused(
        _("This file is not a PDF. Export your document as PDF and upload it again."),
        code="not_pdf",
    )


def _unreadable() -> DocumentRefused:
    return DocumentRefused(
        _(
            "This PDF cannot be read; it may be damaged or incomplete. Save it "
            "again from your editor and upload it."
        ),
        code="corrupt",
    )


def _open(content: bytes) -> tuple[PdfReader, int]:
    """The PDF's reader and its number of pages."""
    try:
        reader = PdfReader(io.BytesIO(content))
        encrypted = reader.is_encrypted
        pages = None if encrypted else len(reader.pages)
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise _unreadable() from error
    if encrypted:
        raise DocumentRefused(
            _(
                "This PDF is protected by a password or encryption. Save it without "
                "protection and upload it again."
            ),
            code="encrypted",
        )
    if not pages:
        raise DocumentRefused(_("This PDF has no pages."), code="no_pages")
    return reader, pages


def _refuse_active_content(reader: PdfReader) -> None:
    try:
        findings = pdf_safety.active_content(reader)
    except pdf_safety.Ambiguous as error:
        raise DocumentRefused(error.message, code="ambiguous") from error
    except pdf_safety.TooComplex as error:
        raise DocumentRefused(error.message, code="too_complex") from error
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise _unreadable() from error
    if findings:
        raise DocumentRefused(
            pdf_safety.refusal_message(findings), code=findings[0].kind
        )


def check_upload(*, file, name: str, required_document) -> CheckedPdf:
    """Check one upload against the required document's limits, or refuse it."""
    display_name = safe_display_name(name)
    limit = required_document.max_size_mb * _MB
    content = _read(file, limit)
    if not content:
        raise DocumentRefused(
            _("The file is empty. Choose the PDF again and upload it."), code="empty"
        )
    if len(content) > limit:
        raise DocumentRefused(
            _("The file is larger than %(limit)s MB, the most this call accepts.")
            % {"limit": required_document.max_size_mb},
            code="too_large",
        )
    _refuse_if_not_pdf(content)
    reader, pages = _open(content)
    if required_document.page_limit and pages > required_document.page_limit:
        raise DocumentRefused(
            _(
                "The document has %(pages)s pages; this call accepts at most "
                "%(limit)s for “%(document)s”."
            )
            % {
                "pages": pages,
                "limit": required_document.page_limit,
                "document": required_document.name,
            },
            code="too_many_pages",
        )
    _refuse_active_content(reader)
    return CheckedPdf(
        display_name=display_name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        page_count=pages,
    )
