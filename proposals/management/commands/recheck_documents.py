"""Check every stored document again under today's upload rules.

    python manage.py recheck_documents [--json] [--with-replaced]

A document is checked once, when it is uploaded; one stored before a check
existed, or before a rule was tightened (config.pdf_safety), is never checked
again by the portal. This command runs the upload check of today over each
stored document and says which it would refuse, and why. It changes nothing.

What it reads, each kind through a queryset iterator (constant memory: one row
and one file at a time), in the order of its ids:

- the proposals' documents, current ones (`--with-replaced`: also those replaced
  but kept because a submitted version cites them), checked as an upload is
  (proposals.documents.check_upload) without the call's size and page limits,
  which are those of the time and say nothing about what a file may run;
- the answers to payload conditions and the signed agreements (payloads), which
  their upload points check the same way;
- the calls' AO documents (catalogue): a PDF among them checked as
  catalogue.forms.OpportunityDocumentForm does (active content, too complex,
  unreadable); other kinds of file (Word templates) are allowed and skipped.

It prints one line for each document refused (kind, id, proposal reference or
call, file name, what was found) and a summary, or with `--json` one JSON
object; it exits with status 1 when any document is refused, so that a cron job
can alert. A stored file that cannot be read from storage counts as refused.
"""

import io
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import filetype
from django.core.management.base import BaseCommand
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.models import OpportunityDocument
from config import pdf_safety
from payloads.models import Agreement, ConditionDocument
from proposals.documents import DocumentRefused, check_upload
from proposals.models import ProposalDocument

CHUNK = 200
_MB = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """A stored document, with what names it in the report."""

    id: int
    kind: str  # the model's label, "proposals.proposaldocument"
    kind_label: str
    proposal_id: int | None
    reference: str
    call: str
    file_name: str
    file: FieldFile
    any_kind: bool = False  # an AO document may be any kind of file

    @property
    def where(self) -> str:
        if self.reference:
            return self.reference
        if self.proposal_id is not None:
            return _("draft proposal %(id)s in %(call)s") % {
                "id": self.proposal_id,
                "call": self.call,
            }
        return self.call


@dataclass(frozen=True)
class Refusal:
    """A stored document today's check refuses: what names it, and why."""

    id: int
    kind: str
    proposal_id: int | None
    reference: str
    call: str
    file_name: str
    code: str
    message: str


@dataclass(frozen=True)
class AnyLimits:
    """What check_upload asks of a required document, without the limits of a
    call: as large as the file, any number of pages."""

    name: str
    max_size_mb: int
    page_limit: None = None


def stored_documents(*, with_replaced: bool = False) -> Iterator[Stored]:
    """Every stored document, kind by kind, each in the order of its id."""
    documents = ProposalDocument.objects.select_related("proposal__opportunity")
    if not with_replaced:
        documents = documents.filter(replaced_at__isnull=True)
    for document in documents.order_by("pk").iterator(chunk_size=CHUNK):
        yield Stored(
            id=document.pk,
            kind=ProposalDocument._meta.label_lower,
            kind_label=str(ProposalDocument._meta.verbose_name),
            proposal_id=document.proposal_id,
            reference=document.proposal.reference,
            call=document.proposal.opportunity.slug,
            file_name=document.original_name,
            file=document.file,
        )
    answers = ConditionDocument.objects.select_related(
        "condition__payload__proposal__opportunity"
    )
    for answer in answers.order_by("pk").iterator(chunk_size=CHUNK):
        proposal = answer.condition.payload.proposal
        yield Stored(
            id=answer.pk,
            kind=ConditionDocument._meta.label_lower,
            kind_label=str(ConditionDocument._meta.verbose_name),
            proposal_id=proposal.pk,
            reference=proposal.reference,
            call=proposal.opportunity.slug,
            file_name=answer.original_name,
            file=answer.file,
        )
    agreements = Agreement.objects.exclude(signed_file="").select_related(
        "payload__proposal__opportunity"
    )
    for agreement in agreements.order_by("pk").iterator(chunk_size=CHUNK):
        proposal = agreement.payload.proposal
        yield Stored(
            id=agreement.pk,
            kind=Agreement._meta.label_lower,
            kind_label=str(Agreement._meta.verbose_name),
            proposal_id=proposal.pk,
            reference=proposal.reference,
            call=proposal.opportunity.slug,
            file_name=agreement.signed_file_name or agreement.name,
            file=agreement.signed_file,
        )
    ao_documents = OpportunityDocument.objects.select_related("opportunity")
    for ao_document in ao_documents.order_by("pk").iterator(chunk_size=CHUNK):
        yield Stored(
            id=ao_document.pk,
            kind=OpportunityDocument._meta.label_lower,
            kind_label=str(OpportunityDocument._meta.verbose_name),
            proposal_id=None,
            reference="",
            call=ao_document.opportunity.slug,
            file_name=ao_document.file.name.rsplit("/", 1)[-1],
            file=ao_document.file,
            any_kind=True,
        )


def _unreadable() -> str:
    # The words of proposals.documents and catalogue.forms for a damaged PDF.
    return _(
        "This PDF cannot be read; it may be damaged or incomplete. Save it again "
        "from your editor and upload it."
    )


def _ao_pdf_refusal(content: bytes) -> tuple[str, str] | None:
    """What catalogue.forms.OpportunityDocumentForm refuses in a PDF."""
    try:
        findings = pdf_safety.active_content_in(content)
    except pdf_safety.Ambiguous as error:
        return "ambiguous", error.message
    except pdf_safety.TooComplex as error:
        return "too_complex", error.message
    except Exception:  # pypdf raises many kinds on a damaged file
        return "corrupt", _unreadable()
    if findings:
        return findings[0].kind, pdf_safety.refusal_message(findings)
    return None


class NotChecked(Exception):  # noqa: N818 — the name reads as the verdict
    """A file of another kind where the upload point allows one (an AO
    document that is not a PDF)."""


def refusal(document: Stored) -> Refusal | None:
    """What today's check refuses in the document, None when it passes.
    Raises NotChecked for a file of another kind where one is allowed."""
    try:
        with document.file.open("rb") as stream:
            content = stream.read()
    except Exception:  # storage backends raise their own kinds
        found = "missing", _("The stored file cannot be read from storage.")
    else:
        found = _refusal_of(content, document)
    if found is None:
        return None
    code, message = found
    return Refusal(
        id=document.id,
        kind=document.kind,
        proposal_id=document.proposal_id,
        reference=document.reference,
        call=document.call,
        file_name=document.file_name,
        code=code,
        message=message,
    )


def _refusal_of(content: bytes, document: Stored) -> tuple[str, str] | None:
    if document.any_kind:
        kind = filetype.guess(content[:8192])
        if kind is None or kind.mime != "application/pdf":
            raise NotChecked
        return _ao_pdf_refusal(content)
    try:
        check_upload(
            file=io.BytesIO(content),
            name="document.pdf",
            required_document=AnyLimits(
                name=document.kind_label,
                max_size_mb=max(1, math.ceil(len(content) / _MB)),
            ),
        )
    except DocumentRefused as refused:
        return refused.code, refused.message
    return None


class Command(BaseCommand):
    help = (
        "Check every stored document (proposals' documents, condition answers, "
        "signed agreements, AO documents) against today's upload rules; list "
        "those refused and exit with status 1 if any is. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Write one JSON object: checked, skipped and refused documents.",
        )
        parser.add_argument(
            "--with-replaced",
            action="store_true",
            help="Also check the proposals' documents replaced since a submitted "
            "version cited them.",
        )

    def handle(self, *args, as_json: bool, with_replaced: bool, **options):
        checked = skipped = 0
        refused = []
        for document in stored_documents(with_replaced=with_replaced):
            try:
                found = refusal(document)
            except NotChecked:
                skipped += 1
                continue
            checked += 1
            if found is None:
                continue
            refused.append(found)
            if not as_json:
                self.stdout.write(
                    _("%(kind)s %(id)s, %(where)s, “%(name)s”: %(message)s")
                    % {
                        "kind": document.kind_label,
                        "id": document.id,
                        "where": document.where,
                        "name": document.file_name,
                        "message": found.message,
                    }
                )
        if as_json:
            report = {
                "checked": checked,
                "skipped": skipped,
                "refused": [asdict(found) for found in refused],
            }
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                ngettext(
                    "Checked %(checked)s stored document: %(refused)s refused "
                    "under today's rules.",
                    "Checked %(checked)s stored documents: %(refused)s refused "
                    "under today's rules.",
                    checked,
                )
                % {"checked": checked, "refused": len(refused)}
            )
        if refused:
            # Status 1 for a cron job to alert on; the report is written above.
            sys.exit(1)
