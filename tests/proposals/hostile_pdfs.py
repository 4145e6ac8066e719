"""A corpus of hostile PDFs, each built in code with pypdf.

`ACTIVE` holds the PDFs the portal refuses, each with the sentence its refusal
starts with; `IDENTIFYING` the PDFs it accepts but whose reviewers' copy in a
dual-anonymous call must lose what names the team, each with the strings planted
in it. Every PDF is a real one: one or two A4 pages with a line of text, which
pypdf and PDF viewers open.

pypdf has no public call to add an indirect object or to set the trailer's
/ID; the builders use `PdfWriter._add_object` and `PdfWriter._ID` (pypdf is
pinned). pypdf writes no incremental update either: `incremental_update` appends
one by hand.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

from config import pdf_safety

# Planted in the identifying PDFs; none may reach a dual-anonymous reviewer.
AUTHOR = "Ottoline Quarrington-Vasz"
EMAIL = "b.xylander@marrowind-lab.example.edu"
POPUP_AUTHOR = "Bartholomew Xylander-Okonkwo"
NOTE_ID = "quarrington-note-0042"
PAGE_XMP_CREATOR = "Zephyrine Institute of Selenology"
IMAGE_XMP_CREATOR = "Marrowind Regolith Laboratory"
PIECE_AUTHOR = "qvasz@zephyrine-institute.example.edu"
PIECE_PRIVATE = "Quarrington-Xylander lab template"
DOCUMENT_ID = b"QUARRINGTON-DOC1"
INSTANCE_ID = b"QUARRINGTON-REV2"
INFO_AUTHOR = "Dr O. Quarrington"
EXIF_ARTIST = "Ottoline Quarrington"
EXIF_SERIAL = "QV-CAMERA-7741"
JPEG_COMMENT = "Zephyrine lab photo"
CATALOGUE_XMP_CREATOR = "Xylander-Okonkwo, B."
SIGNER = "Ignatius Threlkeld-Mbeki"
SIGNER_EMAIL = "i.threlkeld@selenology-lab.example.edu"
SIGNER_PLACE = "Threlkeld Moonbase Annex"
CERTIFICATE = b"THRELKELD-CERTIFICATE-SERIAL-0042"
THREAD_AUTHOR = "Philippa Marchbanks-Oyelaran"
TEXT = "Radon exhalation at the lunar south pole"
ARTIST_TAG = 0x013B
SERIAL_TAG = 0xA431  # BodySerialNumber


def _name(value: str) -> NameObject:
    return NameObject(value)


def _dict(**entries) -> DictionaryObject:
    return DictionaryObject({_name(f"/{key}"): value for key, value in entries.items()})


def _stream(writer: PdfWriter, data: bytes, *, compress: bool = True, **entries):
    """An indirect stream, FlateDecode-compressed by default."""
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[_name(f"/{key}")] = value
    return writer._add_object(stream.flate_encode() if compress else stream)


def _xmp(creator: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _metadata(writer: PdfWriter, creator: str):
    return _stream(
        writer, _xmp(creator), Type=_name("/Metadata"), Subtype=_name("/XML")
    )


def _document(pages: int = 1) -> PdfWriter:
    """Pages with a line of text in Helvetica."""
    writer = PdfWriter()
    font = writer._add_object(
        _dict(
            Type=_name("/Font"), Subtype=_name("/Type1"), BaseFont=_name("/Helvetica")
        )
    )
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        page[_name("/Resources")] = _dict(Font=_dict(F1=font))
        page[_name("/Contents")] = _stream(
            writer, f"BT /F1 14 Tf 72 770 Td ({TEXT}) Tj ET".encode()
        )
    return writer


def _annotation(writer: PdfWriter, page: int = 0, **entries):
    """An annotation on a page, with its rectangle."""
    annotation = _dict(
        Type=_name("/Annot"),
        Rect=ArrayObject(
            [FloatObject(72), FloatObject(700), FloatObject(300), FloatObject(720)]
        ),
        **entries,
    )
    reference = writer._add_object(annotation)
    writer.pages[page][_name("/Annots")] = ArrayObject([reference])
    return annotation


def _uri(address: str) -> DictionaryObject:
    return _dict(S=_name("/URI"), URI=TextStringObject(address))


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- active content: refused ------------------------------------------------------


def javascript_open_action() -> bytes:
    writer = _document()
    action = writer._add_object(JavaScript("app.alert('Hello');"))
    writer.root_object[_name("/OpenAction")] = action
    return _bytes(writer)


def javascript_name_tree() -> bytes:
    writer = _document()
    writer.add_open_action(JavaScript("this.print({bUI: false});"))
    return _bytes(writer)


def launch_action() -> bytes:
    writer = _document()
    _annotation(
        writer,
        Subtype=_name("/Link"),
        A=_dict(S=_name("/Launch"), F=TextStringObject("C:\\Windows\\calc.exe")),
    )
    return _bytes(writer)


def page_additional_actions() -> bytes:
    """A page that calls an address when it opens (a tracker)."""
    writer = _document(pages=2)
    writer.pages[1][_name("/AA")] = _dict(O=_uri("https://tracker.example.com/p2"))
    return _bytes(writer)


def annotation_additional_actions() -> bytes:
    writer = _document()
    _annotation(
        writer,
        Subtype=_name("/Link"),
        A=_uri("https://example.org/"),
        AA=_dict(E=_uri("https://tracker.example.com/hover")),
    )
    return _bytes(writer)


def embedded_file() -> bytes:
    writer = _document()
    writer.add_attachment("budget.xlsm", b"PK\x03\x04 a spreadsheet with macros")
    return _bytes(writer)


def file_attachment_annotation() -> bytes:
    writer = _document()
    data = _stream(writer, b"MZ a program", Type=_name("/EmbeddedFile"))
    _annotation(
        writer,
        Subtype=_name("/FileAttachment"),
        FS=_dict(
            Type=_name("/Filespec"),
            F=TextStringObject("setup.exe"),
            EF=_dict(F=data),
        ),
    )
    return _bytes(writer)


def xfa_form() -> bytes:
    writer = _document()
    xfa = _stream(writer, b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"></xdp:xdp>')
    writer.root_object[_name("/AcroForm")] = _dict(Fields=ArrayObject(), XFA=xfa)
    return _bytes(writer)


def submit_form() -> bytes:
    writer = _document()
    _annotation(
        writer,
        Subtype=_name("/Link"),
        A=_dict(
            S=_name("/SubmitForm"),
            F=_dict(
                FS=_name("/URL"), F=TextStringObject("https://collect.example.com/")
            ),
        ),
    )
    return _bytes(writer)


def uri_open_action() -> bytes:
    writer = _document()
    writer.root_object[_name("/OpenAction")] = _uri("https://tracker.example.com/open")
    return _bytes(writer)


def remote_go_to() -> bytes:
    writer = _document()
    _annotation(
        writer,
        Subtype=_name("/Link"),
        A=_dict(
            S=_name("/GoToR"),
            F=TextStringObject("\\\\server.example.com\\share\\x.pdf"),
            D=ArrayObject([NumberObject(0), _name("/Fit")]),
        ),
    )
    return _bytes(writer)


def file_link() -> bytes:
    writer = _document()
    _annotation(writer, Subtype=_name("/Link"), A=_uri("file:///C:/Windows/calc.exe"))
    return _bytes(writer)


def allowed_links() -> bytes:
    """What stays allowed: links to a web page, an email address and a page, a
    go-to-page open action and an empty /AA."""
    writer = _document(pages=2)
    _annotation(writer, Subtype=_name("/Link"), A=_uri("https://example.org/"))
    writer.pages[0]["/Annots"].extend(
        writer._add_object(
            _dict(
                Type=_name("/Annot"),
                Subtype=_name("/Link"),
                Rect=ArrayObject([FloatObject(0)] * 4),
                A=target,
            )
        )
        for target in (
            _uri("mailto:office@example.org"),
            _dict(
                S=_name("/GoTo"),
                D=ArrayObject([writer.pages[1].indirect_reference, _name("/Fit")]),
            ),
        )
    )
    writer.pages[1][_name("/AA")] = DictionaryObject()
    writer.root_object[_name("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, _name("/Fit")]
    )
    return _bytes(writer)


def link_to(address: str, *, base: str | None = None) -> bytes:
    """A link on page 1 to `address`; with `base`, the catalogue's /URI /Base
    that relative addresses resolve against."""
    writer = _document()
    _annotation(writer, Subtype=_name("/Link"), A=_uri(address))
    if base is not None:
        writer.root_object[_name("/URI")] = _dict(Base=TextStringObject(base))
    return _bytes(writer)


def incremental_update(content: bytes, objects: dict[tuple[int, int], bytes]):
    """`content` with an update appended, as an editor saving in place writes
    one: the objects (number, generation → body), a cross-reference section for
    them and a trailer pointing back to the previous one."""
    previous = int(re.findall(rb"startxref\s+(\d+)", content)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", content, re.S)[-1]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    root = re.search(rb"/Root (\d+ \d+ R)", trailer).group(1)
    update = [content if content.endswith(b"\n") else content + b"\n"]
    offsets = {}
    for (number, generation), body in objects.items():
        offsets[number, generation] = sum(map(len, update))
        update.append(b"%d %d obj\n%s\nendobj\n" % (number, generation, body))
    start = sum(map(len, update))
    update.append(b"xref\n")
    for (number, generation), offset in offsets.items():
        update.append(b"%d 1\n%010d %05d n \n" % (number, offset, generation))
    update.append(
        b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (size, root, previous, start)
    )
    return b"".join(update)


def reused_generation() -> bytes:
    """A catalogue naming a plain go-to action as 5 0 R and, as its open action,
    5 1 R: JavaScript added under the same number by an incremental update
    (viewers read the latest entry)."""
    writer = _document()
    decoy = writer._add_object(
        _dict(
            S=_name("/GoTo"),
            D=ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")]),
        )
    )
    writer.root_object[_name("/Decoy")] = decoy
    writer.root_object[_name("/OpenAction")] = decoy
    content = _bytes(writer)
    # Same length, so every offset stays right.
    content = content.replace(
        b"/OpenAction %d 0 R" % decoy.idnum, b"/OpenAction %d 1 R" % decoy.idnum
    )
    return incremental_update(
        content,
        {(decoy.idnum, 1): b"<< /S /JavaScript /JS (app.alert('Hello');) >>"},
    )


def nested_chain(levels: int) -> bytes:
    """A chain of `levels` dictionaries, each an object of its own holding the
    next, from the catalogue: each level is one more recursion in pypdf's copy."""
    writer = _document()
    below = writer._add_object(DictionaryObject())
    for _ in range(levels - 1):
        below = writer._add_object(_dict(Down=below))
    writer.root_object[_name("/Chain")] = below
    return _bytes(writer)


def stream_chain(levels: int) -> bytes:
    """A chain of `levels` streams from the catalogue, each holding the next in
    its dictionary: the nesting that costs pypdf's copy the most frames a level
    (four; a chain of dictionaries three)."""
    writer = _document()
    below = None
    for _ in range(levels):
        entries = {} if below is None else {"Down": below}
        below = _stream(writer, b"0 0 m", compress=False, **entries)
    writer.root_object[_name("/Chain")] = below
    return _bytes(writer)


def linked_pages(count: int) -> bytes:
    """`count` pages, each with a "next" link to the page after it (an explicit
    destination, /Dest [page /XYZ left top zoom]) and a "previous" one (a GoTo
    action) to the page before it: slides with buttons, a report whose pages
    link forward. Depth first, each page sits one link deeper than the last."""
    writer = _document(pages=count)
    pages = [page.indirect_reference for page in writer.pages]
    for number, page in enumerate(writer.pages):
        links = []
        if number > 0:
            action = _dict(
                S=_name("/GoTo"), D=ArrayObject([pages[number - 1], _name("/Fit")])
            )
            links.append({"A": action, "Rect": _rectangle(20)})
        if number < count - 1:
            # Left, top and zoom null: as the reader has them.
            destination = [pages[number + 1], _name("/XYZ"), *[NullObject()] * 3]
            links.append({"Dest": ArrayObject(destination), "Rect": _rectangle(500)})
        page[_name("/Annots")] = ArrayObject(
            writer._add_object(
                _dict(Type=_name("/Annot"), Subtype=_name("/Link"), **link)
            )
            for link in links
        )
    return _bytes(writer)


def _rectangle(left: int) -> ArrayObject:
    return ArrayObject(
        [FloatObject(left), FloatObject(20), FloatObject(left + 75), FloatObject(50)]
    )


def bookmarks(count: int) -> bytes:
    """`count` bookmarks on ten pages, one after another (/Next): a long
    report's table of contents."""
    writer = _document(pages=10)
    for number in range(count):
        writer.add_outline_item(title=f"Section {number}", page_number=number % 10)
    return _bytes(writer)


@dataclass(frozen=True)
class Active:
    build: Callable[[], bytes]
    code: str
    message: str


ADVICE = (
    "The portal accepts no PDF that runs or opens anything. Print the document to "
    "PDF (“Microsoft Print to PDF” or “Save as PDF” in the print dialog), or export "
    "it again as PDF/A from your word processor, and upload that file."
)

ACTIVE = {
    "javascript-open-action": Active(
        javascript_open_action,
        "javascript",
        "This PDF contains JavaScript (in the document's open action).",
    ),
    "javascript-name-tree": Active(
        javascript_name_tree,
        "javascript",
        "This PDF contains JavaScript (in the document's list of scripts).",
    ),
    "launch": Active(
        launch_action,
        "launch",
        "This PDF contains a command that starts a program or opens a file on the "
        "reader's computer (in a link or comment on page 1).",
    ),
    "page-additional-actions": Active(
        page_additional_actions,
        "additional_actions",
        "This PDF contains actions that run by themselves when a page is opened or "
        "a field is used (on page 2).",
    ),
    "annotation-additional-actions": Active(
        annotation_additional_actions,
        "additional_actions",
        "This PDF contains actions that run by themselves when a page is opened or "
        "a field is used (in a link or comment on page 1).",
    ),
    "embedded-file": Active(
        embedded_file,
        "embedded_file",
        "This PDF carries an attached file (in the document's list of attached files).",
    ),
    "file-attachment-annotation": Active(
        file_attachment_annotation,
        "embedded_file",
        "This PDF carries an attached file (in a link or comment on page 1).",
    ),
    "xfa": Active(
        xfa_form,
        "xfa",
        "This PDF is a dynamic (XFA) form, which runs scripts of its own.",
    ),
    "submit-form": Active(
        submit_form,
        "submit_form",
        "This PDF contains a form that sends its contents over the internet (in a "
        "link or comment on page 1).",
    ),
    "file-link": Active(
        file_link,
        "other_file",
        "This PDF contains a link that opens another file or program (in a link or "
        "comment on "
        "page 1).",
    ),
    "uri-open-action": Active(
        uri_open_action,
        "open_action",
        "This PDF runs an action by itself when it is opened (in the document's "
        "open action).",
    ),
    "remote-go-to": Active(
        remote_go_to,
        "other_file",
        "This PDF contains a link that opens another file or program (in a link or "
        "comment on "
        "page 1).",
    ),
}


# --- malformed: no crash, no hang ---------------------------------------------------


def _plain() -> bytes:
    return _bytes(_document())


def deep_nesting() -> bytes:
    """An array nested 20,000 deep in the catalogue (the byte offsets no longer
    match: pypdf repairs its cross-reference table)."""
    return _plain().replace(
        b"/Type /Catalog", b"/Type /Catalog /X " + b"[" * 20_000 + b"]" * 20_000
    )


def missing_objects() -> bytes:
    """An open action and a form that are objects the file does not hold."""
    return _plain().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction 99 0 R /AcroForm 98 0 R"
    )


def truncated() -> bytes:
    content = javascript_open_action()
    return content[: len(content) // 2]


def action_cycle() -> bytes:
    """A JavaScript open action whose next action is itself."""
    writer = _document()
    action = writer._add_object(JavaScript("app.alert(1);"))
    action.get_object()[_name("/Next")] = action
    writer.root_object[_name("/OpenAction")] = action
    return _bytes(writer)


# The code of the refusal, or None for a PDF accepted.
MALFORMED = {
    "deep-nesting": (deep_nesting, "corrupt"),
    # Deeper than config.pdf_safety.MAX_DEPTH.
    "deep-chain": (lambda: nested_chain(pdf_safety.MAX_DEPTH + 100), "too_complex"),
    "reused-generation": (reused_generation, "ambiguous"),
    "missing-objects": (missing_objects, None),
    "truncated": (truncated, "corrupt"),
    "action-cycle": (action_cycle, "javascript"),
}


# --- identifying: accepted, cleaned for dual-anonymous reviewers --------------------


def annotation_authors() -> bytes:
    """A sticky note and its popup, each naming its author, and a plain link and
    a go-to-page open action (both allowed)."""
    writer = _document(pages=2)
    note = _annotation(
        writer,
        Subtype=_name("/Text"),
        T=TextStringObject(AUTHOR),
        NM=TextStringObject(NOTE_ID),
        Contents=TextStringObject("Check the thermal budget."),
    )
    popup = writer._add_object(
        _dict(
            Type=_name("/Annot"),
            Subtype=_name("/Popup"),
            Rect=ArrayObject(
                [FloatObject(300), FloatObject(600), FloatObject(500), FloatObject(700)]
            ),
            T=TextStringObject(POPUP_AUTHOR),
            Parent=note.indirect_reference,
        )
    )
    note[_name("/Popup")] = popup
    writer.pages[0]["/Annots"].append(popup)
    _annotation(writer, page=1, Subtype=_name("/Link"), A=_uri("https://example.org/"))
    writer.root_object[_name("/OpenAction")] = _dict(
        S=_name("/GoTo"),
        D=ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")]),
        Next=NullObject(),
    )
    return _bytes(writer)


def page_xmp() -> bytes:
    writer = _document()
    writer.pages[0][_name("/Metadata")] = _metadata(writer, PAGE_XMP_CREATOR)
    return _bytes(writer)


def image_xmp() -> bytes:
    """An image drawn on the page, its XMP naming who made it."""
    writer = _document()
    image = _stream(
        writer,
        b"\x80",
        compress=False,
        Type=_name("/XObject"),
        Subtype=_name("/Image"),
        Width=NumberObject(1),
        Height=NumberObject(1),
        ColorSpace=_name("/DeviceGray"),
        BitsPerComponent=NumberObject(8),
        Metadata=_metadata(writer, IMAGE_XMP_CREATOR),
    )
    page = writer.pages[0]
    page["/Resources"][_name("/XObject")] = _dict(Im1=image)
    drawing = _stream(writer, b"q 100 0 0 100 72 600 cm /Im1 Do Q")
    page[_name("/Contents")] = ArrayObject([page.raw_get("/Contents"), drawing])
    return _bytes(writer)


def _jpeg() -> bytes:
    """An 8 × 8 grey JPEG whose Exif names its photographer and camera, with a
    comment."""
    picture = Image.new("L", (8, 8), color=128)
    exif = Image.Exif()
    exif[ARTIST_TAG] = EXIF_ARTIST
    exif[SERIAL_TAG] = EXIF_SERIAL
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, comment=JPEG_COMMENT.encode())
    return buffer.getvalue()


def image_exif() -> bytes:
    """A photograph on the page, as a JPEG kept whole in the PDF (DCTDecode)."""
    writer = _document()
    image = _stream(
        writer,
        _jpeg(),
        compress=False,
        Type=_name("/XObject"),
        Subtype=_name("/Image"),
        Width=NumberObject(8),
        Height=NumberObject(8),
        ColorSpace=_name("/DeviceGray"),
        BitsPerComponent=NumberObject(8),
        Filter=_name("/DCTDecode"),
    )
    page = writer.pages[0]
    page["/Resources"][_name("/XObject")] = _dict(Im1=image)
    drawing = _stream(writer, b"q 100 0 0 100 72 600 cm /Im1 Do Q")
    page[_name("/Contents")] = ArrayObject([page.raw_get("/Contents"), drawing])
    return _bytes(writer)


def piece_info() -> bytes:
    """Word-processor private data on the document and the page, the private
    dictionary an object of its own, and the page's last change."""
    writer = _document()
    private = writer._add_object(
        _dict(
            Author=TextStringObject(PIECE_AUTHOR),
            Template=TextStringObject(PIECE_PRIVATE),
        )
    )
    piece = _dict(
        Word=_dict(Private=private, LastModified=TextStringObject("D:20260101"))
    )
    writer.root_object[_name("/PieceInfo")] = writer._add_object(piece)
    writer.pages[0][_name("/PieceInfo")] = _dict(
        Word=_dict(Private=private, LastModified=TextStringObject("D:20260101"))
    )
    writer.pages[0][_name("/LastModified")] = TextStringObject(
        f"D:20260101 {PIECE_AUTHOR}"
    )
    return _bytes(writer)


def document_ids() -> bytes:
    """The trailer's /ID, which tells the file apart from every other, and the
    document information and XMP a word processor fills in."""
    writer = _document()
    writer._ID = ArrayObject(
        [ByteStringObject(DOCUMENT_ID), ByteStringObject(INSTANCE_ID)]
    )
    writer.add_metadata({"/Author": INFO_AUTHOR})
    writer.xmp_metadata = _xmp(CATALOGUE_XMP_CREATOR)
    return _bytes(writer)


def signature_and_thread() -> bytes:
    """A signed PDF: a signature field whose value names the signer, where and
    how to reach them, and holds their certificate, with a lock and seed value;
    the catalogue's permissions pointing at the signature, and validation data
    (/DSS) with the certificate; and an article thread whose information names
    its author."""
    writer = _document()
    signature = writer._add_object(
        _dict(
            Type=_name("/Sig"),
            Filter=_name("/Adobe.PPKLite"),
            SubFilter=_name("/adbe.pkcs7.detached"),
            Name=TextStringObject(SIGNER),
            ContactInfo=TextStringObject(SIGNER_EMAIL),
            Location=TextStringObject(SIGNER_PLACE),
            Contents=ByteStringObject(CERTIFICATE),
            ByteRange=ArrayObject([NumberObject(0)] * 4),
        )
    )
    timestamp = writer._add_object(
        _dict(
            Type=_name("/DocTimeStamp"),
            Contents=ByteStringObject(CERTIFICATE + b"-TS"),
        )
    )
    field = _annotation(
        writer,
        Subtype=_name("/Widget"),
        FT=_name("/Sig"),
        T=TextStringObject("Signature1"),
        V=signature,
        Lock=_dict(Action=_name("/All"), Signer=TextStringObject(SIGNER)),
        SV=_dict(Subject=ArrayObject([ByteStringObject(CERTIFICATE)])),
    )
    writer.root_object[_name("/AcroForm")] = _dict(
        Fields=ArrayObject([field.indirect_reference]), SigFlags=NumberObject(3)
    )
    writer.root_object[_name("/Perms")] = _dict(DocMDP=signature, TS=timestamp)
    certificate = _stream(writer, CERTIFICATE)
    writer.root_object[_name("/DSS")] = _dict(Certs=ArrayObject([certificate]))
    writer.root_object[_name("/Threads")] = ArrayObject(
        [
            writer._add_object(
                _dict(
                    I=_dict(
                        Author=TextStringObject(THREAD_AUTHOR),
                        Title=TextStringObject("Results"),
                    )
                )
            )
        ]
    )
    return _bytes(writer)


@dataclass(frozen=True)
class Identifying:
    build: Callable[[], bytes]
    planted: tuple[str | bytes, ...]
    pages: int = 1


IDENTIFYING = {
    "annotation-authors": Identifying(
        annotation_authors, (AUTHOR, POPUP_AUTHOR, NOTE_ID), pages=2
    ),
    "page-xmp": Identifying(page_xmp, (PAGE_XMP_CREATOR,)),
    "image-xmp": Identifying(image_xmp, (IMAGE_XMP_CREATOR,)),
    "image-exif": Identifying(image_exif, (EXIF_ARTIST, EXIF_SERIAL, JPEG_COMMENT)),
    "piece-info": Identifying(piece_info, (PIECE_AUTHOR, PIECE_PRIVATE)),
    "document-ids": Identifying(
        document_ids, (DOCUMENT_ID, INSTANCE_ID, INFO_AUTHOR, CATALOGUE_XMP_CREATOR)
    ),
    "signature-and-thread": Identifying(
        signature_and_thread,
        (SIGNER, SIGNER_EMAIL, SIGNER_PLACE, CERTIFICATE, THREAD_AUTHOR),
    ),
}
