"""The hostile-PDF corpus (tests/proposals/hostile_pdfs.py) against the portal:
active content refused through the researcher's editor with what was found and
how to export a clean PDF; identifying PDFs accepted as uploaded, and the copy a
reviewer of a dual-anonymous call downloads rid of every planted string (read
back from the bytes, every object's strings and every decompressed stream);
download names never Windows device names."""

import io
import sys
import threading
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    TextStringObject,
)

from catalogue.forms import OpportunityDocumentForm
from catalogue.models import OpportunityDocument
from config import pdf_identity, pdf_safety
from config.filenames import download_name
from proposals.documents import DocumentRefused, check_upload
from proposals.enums import ProposalStatus
from proposals.models import ProposalDocument
from tests.factories import (
    OpportunityDocumentFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    RequiredDocumentFactory,
    UserFactory,
    make_pdf,
)
from tests.mfa import login_with_mfa
from tests.payloads.factories import ConditionFactory
from tests.proposals import hostile_pdfs
from tests.proposals.hostile_pdfs import ACTIVE, ADVICE, IDENTIFYING, MALFORMED
from tests.reviews import reviewer_admin as build

LIMITS = SimpleNamespace(name="Annex", max_size_mb=20, page_limit=None)
BUILT = {name: case.build() for name, case in (ACTIVE | IDENTIFYING).items()}


def _strings(value, found: list[bytes], depth: int = 0) -> None:
    # Indirect objects are read on their own; 50 levels is past any honest PDF.
    if depth > 50 or isinstance(value, IndirectObject):
        return
    if isinstance(value, StreamObject):
        found.append(value.get_data())
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            found.append(str(key).encode())
            _strings(item, found, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            _strings(item, found, depth + 1)
    elif isinstance(value, TextStringObject):
        found.append(str(value).encode())
    elif isinstance(value, bytes):
        found.append(bytes(value))
    else:
        found.append(str(value).encode())


def everything_in(content: bytes) -> bytes:
    """The raw bytes, then every object's strings and names decoded and every
    stream decompressed, of every object in the file, reached or not, and the
    trailer's."""
    reader = PdfReader(io.BytesIO(content))
    found = [content]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            _strings(reader.get_object(number), found)
        except Exception:  # noqa: S112 (a free slot or a broken object)
            continue
    _strings(reader.trailer, found)
    return b"\n".join(found)


def planted_in(content: bytes, planted) -> list:
    blob = everything_in(content)
    return [
        text
        for text in planted
        if (text.encode() if isinstance(text, str) else text) in blob
        or (isinstance(text, bytes) and text.hex().encode() in blob.lower())
    ]


# --- the corpus itself --------------------------------------------------------------


@pytest.mark.parametrize("name", IDENTIFYING)
def test_corpus_plants_what_the_leak_check_finds(name):
    case = IDENTIFYING[name]

    assert planted_in(BUILT[name], case.planted) == list(case.planted)


@pytest.mark.parametrize("name", ACTIVE)
def test_active_content_finds_each_hostile_pdf_kind_and_place(name):
    case = ACTIVE[name]

    findings = pdf_safety.active_content_in(BUILT[name])

    assert findings[0].kind == case.code
    assert pdf_safety.refusal_message(findings) == f"{case.message} {ADVICE}"


def test_active_content_names_every_kind_found():
    writer = hostile_pdfs._document()
    writer.add_attachment("budget.xlsm", b"macros")
    writer.root_object[hostile_pdfs._name("/OpenAction")] = writer._add_object(
        hostile_pdfs.JavaScript("app.alert(1);")
    )
    buffer = io.BytesIO()
    writer.write(buffer)

    message = pdf_safety.refusal_message(
        pdf_safety.active_content_in(buffer.getvalue())
    )

    assert message == (
        "This PDF contains JavaScript (in the document's open action). It also "
        f"contains an attached file. {ADVICE}"
    )


def test_active_content_is_none_in_identifying_and_plain_pdfs():
    contents = [BUILT[name] for name in IDENTIFYING] + [
        make_pdf(pages=2),
        hostile_pdfs.allowed_links(),
    ]

    assert [pdf_safety.active_content_in(content) for content in contents] == [
        [] for _ in contents
    ]


def test_active_content_past_the_object_bound_is_too_complex(monkeypatch):
    monkeypatch.setattr(pdf_safety, "MAX_OBJECTS", 5)

    with pytest.raises(pdf_safety.TooComplex):
        pdf_safety.active_content_in(BUILT["annotation-authors"])


def test_check_upload_refuses_a_pdf_too_complex_to_check(monkeypatch):
    monkeypatch.setattr(pdf_safety, "MAX_OBJECTS", 5)

    with pytest.raises(DocumentRefused) as refusal:
        check_upload(
            file=io.BytesIO(make_pdf()),
            name="plain.pdf",
            required_document=LIMITS,
        )

    assert refusal.value.code == "too_complex"


@pytest.mark.parametrize(
    "name", [name for name, (_build, code) in MALFORMED.items() if code]
)
def test_check_upload_refuses_a_malformed_pdf_without_crashing(name):
    build_pdf, code = MALFORMED[name]

    with pytest.raises(DocumentRefused) as refusal:
        check_upload(
            file=io.BytesIO(build_pdf()), name="x.pdf", required_document=LIMITS
        )

    assert refusal.value.code == code


def test_check_upload_accepts_a_pdf_naming_objects_it_does_not_hold():
    build_pdf, _code = MALFORMED["missing-objects"]

    checked = check_upload(
        file=io.BytesIO(build_pdf()), name="x.pdf", required_document=LIMITS
    )

    assert checked.page_count == 1


@pytest.mark.parametrize("name", IDENTIFYING)
def test_without_identity_leaves_no_planted_string_and_keeps_the_pages(name):
    case = IDENTIFYING[name]

    cleaned = pdf_identity.without_identity(BUILT[name])

    reader = PdfReader(io.BytesIO(cleaned))
    assert planted_in(cleaned, case.planted) == []
    assert [page.extract_text().strip() for page in reader.pages] == [
        hostile_pdfs.TEXT
    ] * case.pages
    assert len(reader.trailer["/ID"][0]) == 16  # a fresh random ID


def test_without_identity_keeps_the_photograph_as_it_looks():
    before = PdfReader(io.BytesIO(BUILT["image-exif"])).pages[0].images[0].image
    cleaned = pdf_identity.without_identity(BUILT["image-exif"])

    after = PdfReader(io.BytesIO(cleaned)).pages[0].images[0].image
    assert (after.size, after.tobytes()) == (before.size, before.tobytes())


def test_jpeg_without_metadata_leaves_other_bytes_as_they_were():
    assert [
        pdf_identity.jpeg_without_metadata(data)
        for data in (b"", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00", b"not a jpeg")
    ] == [b"", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00", b"not a jpeg"]


def test_without_identity_keeps_links_and_the_go_to_open_action():
    cleaned = PdfReader(
        io.BytesIO(pdf_identity.without_identity(BUILT["annotation-authors"]))
    )

    note, popup = (a.get_object() for a in cleaned.pages[0]["/Annots"])
    link = cleaned.pages[1]["/Annots"][0].get_object()
    assert (note["/Subtype"], note["/Contents"], popup["/Subtype"]) == (
        "/Text",
        "Check the thermal budget.",
        "/Popup",
    )
    assert "/T" not in note
    assert "/T" not in popup
    assert link["/A"]["/URI"] == "https://example.org/"
    assert cleaned.trailer["/Root"]["/OpenAction"]["/S"] == "/GoTo"


def test_an_object_number_under_two_generations_is_refused_as_changed():
    content = hostile_pdfs.reused_generation()

    with pytest.raises(DocumentRefused) as refusal:
        check_upload(file=io.BytesIO(content), name="x.pdf", required_document=LIMITS)

    assert (refusal.value.code, refusal.value.message) == (
        "ambiguous",
        "This PDF was changed after it was made in a way the portal cannot check. "
        "Export it again as PDF from your word processor (or print it to PDF), and "
        "upload that file.",
    )


def test_walk_tells_objects_apart_by_generation(monkeypatch):
    """Without the refusal above, the JavaScript under 5 1 R is still found
    next to the go-to action under 5 0 R."""
    monkeypatch.setattr(pdf_safety, "generations_reused", lambda reader: False)

    findings = pdf_safety.active_content_in(hostile_pdfs.reused_generation())

    assert [(f.kind, f.where.place) for f in findings] == [
        ("javascript", "open_action")
    ]


@pytest.mark.parametrize(
    ("address", "base", "kind"),
    [
        ("vbscript:msgbox(1)", None, "other_file"),
        ("data:text/html,<script>alert(1)</script>", None, "other_file"),
        ("ms-msdt:/id PCWDiagnostic /skip force", None, "other_file"),
        ("search-ms:query=x&crumb=location:\\\\host\\share", None, "other_file"),
        ("FILE:///etc/passwd", None, "other_file"),
        ("//host/share/x.exe", None, "other_file"),
        ("\\\\host\\share\\x.exe", None, "other_file"),
        ("java\tscript:alert(1)", None, "javascript"),
        ("\x01\x1f javascript:alert(1)", None, "javascript"),
        ("jav\r\nascript:alert(1)", None, "javascript"),
        ("setup.exe", "file:///C:/Windows/", "other_file"),
    ],
)
def test_active_content_refuses_a_link_outside_web_and_mail(address, base, kind):
    content = hostile_pdfs.link_to(address, base=base)

    findings = pdf_safety.active_content_in(content)

    assert [(f.kind, str(f.where)) for f in findings] == [
        (kind, "in a link or comment on page 1")
    ]


def test_other_file_refusal_names_files_and_programs():
    with pytest.raises(DocumentRefused) as refusal:
        check_upload(
            file=io.BytesIO(hostile_pdfs.link_to("ms-msdt:/id PCWDiagnostic")),
            name="x.pdf",
            required_document=LIMITS,
        )

    assert refusal.value.message.startswith(
        "This PDF contains a link that opens another file or program (in a link "
        "or comment on page 1)."
    )


@pytest.mark.parametrize(
    ("address", "base"),
    [
        ("HTTPS://example.org/results", None),
        (" http://example.org/", None),
        ("mailto:office@example.org", None),
        ("#section-2", "https://example.org/"),
        ("annex/results.html", None),
        ("", None),
    ],
)
def test_active_content_allows_web_mail_in_document_and_unbased_links(address, base):
    assert pdf_safety.active_content_in(hostile_pdfs.link_to(address, base=base)) == []


def test_without_identity_empties_signatures_and_keeps_the_field():
    cleaned = PdfReader(
        io.BytesIO(pdf_identity.without_identity(BUILT["signature-and-thread"]))
    )

    field = cleaned.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    assert (field["/FT"], field["/T"]) == ("/Sig", "Signature1")
    assert {"/V", "/Lock", "/SV"} & set(field) == set()
    assert {"/Perms", "/DSS"} & set(cleaned.trailer["/Root"]) == set()
    assert "/I" not in cleaned.trailer["/Root"]["/Threads"][0].get_object()


def test_a_pdf_with_two_thousand_bookmarks_passes_and_is_rebuilt():
    """Bookmarks follow one another (/Next): the depth bound does not count
    them, nor does pypdf's copy recurse along them."""
    content = hostile_pdfs.bookmarks(2000)

    checked = check_upload(
        file=io.BytesIO(content), name="x.pdf", required_document=LIMITS
    )
    cleaned = PdfReader(io.BytesIO(pdf_identity.without_identity(content)))

    assert (checked.page_count, len(cleaned.outline)) == (10, 2000)


def _link_targets(reader: PdfReader) -> list[list[int]]:
    """The page number (from 1) each link on each page goes to, whether by an
    explicit destination or a go-to action."""
    numbers = {
        page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)
    }

    def target(link) -> int:
        link = link.get_object()
        destination = link["/Dest"] if "/Dest" in link else link["/A"]["/D"]
        return numbers[destination[0].idnum]

    return [[target(link) for link in page.get("/Annots", [])] for page in reader.pages]


def test_three_hundred_pages_linked_one_to_the_next_pass_and_are_rebuilt():
    """Each page links to the next with an explicit destination (and back with
    a go-to action): depth first, each page sits four levels below the last."""
    content = hostile_pdfs.linked_pages(300)

    checked = check_upload(
        file=io.BytesIO(content), name="slides.pdf", required_document=LIMITS
    )
    cleaned = PdfReader(io.BytesIO(pdf_identity.without_identity(content)))

    assert (checked.page_count, len(cleaned.pages)) == (300, 300)
    assert _link_targets(cleaned) == [
        [2],
        *([number - 1, number + 1] for number in range(2, 300)),
        [299],
    ]


@pytest.mark.parametrize(
    "build_pdf", [hostile_pdfs.nested_chain, hostile_pdfs.stream_chain]
)
def test_a_pdf_one_level_past_max_depth_is_refused_as_too_complex(build_pdf):
    content = build_pdf(pdf_safety.MAX_DEPTH + 1)

    with pytest.raises(DocumentRefused) as refusal:
        check_upload(file=io.BytesIO(content), name="x.pdf", required_document=LIMITS)

    assert (refusal.value.code, refusal.value.message) == (
        "too_complex",
        "This PDF is too complex for the portal to check: it is built of too many "
        "parts, or of parts nested too deeply. Print it to PDF or export it again "
        "from your word processor, and upload that file.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build_pdf", [hostile_pdfs.nested_chain, hostile_pdfs.stream_chain]
)
def test_the_deepest_pdf_accepted_is_rebuilt_within_a_request(client, build_pdf):
    """MAX_DEPTH levels of the nestings that cost pypdf's copy the most frames a
    level (streams four, dictionaries three): accepted, and rebuilt for a
    reviewer through the reviewers' site."""
    content = build_pdf(pdf_safety.MAX_DEPTH)
    check_upload(file=io.BytesIO(content), name="x.pdf", required_document=LIMITS)

    cleaned = reviewer_download(client, dual_anonymous=True, content=content)

    chain = PdfReader(io.BytesIO(cleaned)).trailer["/Root"]["/Chain"]
    depth = 1
    while "/Down" in chain.get_object():
        chain, depth = chain.get_object()["/Down"], depth + 1
    assert depth == pdf_safety.MAX_DEPTH


def test_a_copy_deeper_than_it_survives_is_too_complex_not_a_crash(monkeypatch):
    """Without the walk's bound, pypdf's copy of a chain of streams fails at
    about 7,450 levels in its thread: a RecursionError, reported as TooComplex,
    with the recursion limit and the threads' stack size put back."""
    monkeypatch.setattr(pdf_safety, "MAX_DEPTH", 1_000_000)
    content = hostile_pdfs.stream_chain(8_000)
    limit = sys.getrecursionlimit()

    with pytest.raises(pdf_safety.TooComplex):
        pdf_identity.without_identity(content)

    assert (sys.getrecursionlimit(), threading.stack_size()) == (limit, 0)


@pytest.mark.django_db
def test_a_stored_pdf_that_cannot_be_rebuilt_is_never_sent_as_uploaded(client, caplog):
    """A document stored before uploads were checked, nested deeper than
    MAX_DEPTH: a page saying so, logged with the document's id."""
    content = hostile_pdfs.nested_chain(pdf_safety.MAX_DEPTH + 100)

    with caplog.at_level("ERROR", logger="reviews.admin.reviewer_files"):
        page = reviewer_download(
            client, dual_anonymous=True, content=content, status=500
        )

    document = ProposalDocument.objects.get()
    assert b"%PDF" not in page
    assert "write to the portal's administrators" in page.decode()
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name == "reviews.admin.reviewer_files"
    ] == [f"The anonymous copy of document {document.pk} could not be built."]


# --- through the researcher's editor --------------------------------------------------


@pytest.fixture
def draft(client, db):
    proposal = ProposalFactory(title="Radon monitor")
    RequiredDocumentFactory(opportunity=proposal.opportunity, name_en="Full proposal")
    client.force_login(proposal.principal_investigator)
    return proposal


def upload(client, proposal, content: bytes):
    required = proposal.opportunity.required_documents.get()
    return client.post(
        reverse("proposals:upload-document", args=[proposal.pk, required.pk]),
        {f"document-{required.pk}-file": SimpleUploadedFile("annex.pdf", content)},
        HTTP_HX_REQUEST="true",
    )


@pytest.mark.parametrize("name", ACTIVE)
def test_upload_of_active_content_is_refused_with_what_was_found(client, draft, name):
    response = upload(client, draft, BUILT[name])

    page = response.content.decode()
    assert f"{ACTIVE[name].message} {ADVICE}".replace("'", "&#x27;") in page
    assert 'aria-invalid="true"' in page
    assert not ProposalDocument.objects.exists()


@pytest.mark.parametrize("name", IDENTIFYING)
def test_upload_of_an_identifying_pdf_is_kept_as_uploaded(client, draft, name):
    response = upload(client, draft, BUILT[name])

    document = ProposalDocument.objects.get()
    assert response.status_code == 200
    assert "annex.pdf" in response.content.decode()
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == BUILT[name]


# --- the reviewer's copy ------------------------------------------------------------


def reviewer_download(
    client, *, dual_anonymous: bool, content: bytes, status: int = 200
):
    """The document as the assigned reviewer downloads it on /review/, the
    answer's status `status`."""
    identity = build.Identity()
    proposal = ProposalFactory(
        opportunity=build.call(dual_anonymous=dual_anonymous, criteria=1),
        principal_investigator=UserFactory(full_name=identity.pi_name),
        complete=True,
        submitted=True,
        status=ProposalStatus.UNDER_REVIEW,
    )
    ProposalDocumentFactory(
        proposal=proposal, file=ContentFile(content, name="upload.pdf")
    )
    version = ProposalVersionFactory(proposal=proposal)
    reviewer = build.reviewer()
    assignment = build.assignment_for(reviewer, version=version, accepted=True)
    login_with_mfa(client, reviewer)
    document_pk = version.snapshot["documents"][0]["id"]
    response = client.get(
        reverse(
            "review:reviews_reviewassignment_document",
            args=[assignment.pk, document_pk],
        )
    )
    assert response.status_code == status
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", IDENTIFYING)
def test_dual_anonymous_reviewer_gets_none_of_the_planted_strings(client, name):
    case = IDENTIFYING[name]

    content = reviewer_download(client, dual_anonymous=True, content=BUILT[name])

    assert planted_in(content, case.planted) == []
    assert len(PdfReader(io.BytesIO(content)).pages) == case.pages


@pytest.mark.django_db
def test_reviewer_of_an_open_call_gets_the_document_as_uploaded(client):
    content = reviewer_download(
        client, dual_anonymous=False, content=BUILT["annotation-authors"]
    )

    assert content == BUILT["annotation-authors"]


# --- other upload points -------------------------------------------------------------


@pytest.mark.django_db
def test_ao_document_form_refuses_a_pdf_with_javascript_and_takes_others():
    def form(content: bytes, name: str):
        return OpportunityDocumentForm(
            data={"title": "Announcement", "language": "en"},
            files={"file": SimpleUploadedFile(name, content)},
            instance=OpportunityDocument(opportunity=OpportunityFactory()),
        )

    hostile = form(BUILT["javascript-name-tree"], "ao.pdf")
    plain = form(make_pdf(), "ao.pdf")
    template = form(b"PK\x03\x04 a Word template", "template.docx")

    assert hostile.errors == {
        "file": [f"{ACTIVE['javascript-name-tree'].message} {ADVICE}"]
    }
    assert (plain.is_valid(), template.is_valid()) == (True, True)


@pytest.mark.django_db
def test_payload_condition_answer_refuses_an_attached_file(client):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    prefix = f"condition-{condition.pk}"

    response = client.post(
        f"/payloads/{condition.payload_id}/conditions/{condition.pk}/answer/",
        {
            f"{prefix}-answer": "The mass is now 3.9 kg.",
            f"{prefix}-documents": [
                SimpleUploadedFile("budget.pdf", BUILT["embedded-file"])
            ],
        },
    )

    form = next(row["form"] for row in response.context["conditions"])
    assert response.status_code == 400
    assert form.errors["documents"] == [
        f"“budget.pdf”: {ACTIVE['embedded-file'].message} {ADVICE}"
    ]


# --- download names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("CON.pdf", "CON_.pdf"),
        ("con.pdf", "con_.pdf"),
        ("Com1.PDF", "Com1_.PDF"),
        ("LPT9.tar.gz", "LPT9_.tar.gz"),
        ("nul .pdf", "nul_.pdf"),
        ("AUX", "AUX_"),
        ("prn.", "prn_"),
        ("PRN. .", "PRN_"),
        ("COM¹.pdf", "COM¹_.pdf"),
        ("report.pdf. ", "report.pdf"),
        ("console.pdf", "console.pdf"),
        ("COM10.pdf", "COM10.pdf"),
        ("CE7-2026-0042 CON.pdf", "CE7-2026-0042 CON.pdf"),
        ("...", "document"),
    ],
)
def test_download_name_is_never_a_windows_device(name, offered):
    assert download_name(name) == offered


@pytest.mark.django_db
def test_ao_document_titled_as_a_device_downloads_under_a_safe_name(client):
    document = OpportunityDocumentFactory(
        title="CON", file=ContentFile(make_pdf(), name="con.pdf")
    )

    response = client.get(
        reverse(
            "catalogue:opportunity-document",
            kwargs={"slug": document.opportunity.slug, "pk": document.pk},
        )
    )

    assert response["Content-Disposition"] == 'attachment; filename="con_.pdf"'
