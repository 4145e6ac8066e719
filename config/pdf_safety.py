"""What a PDF may carry into the portal.

It walks the PDF's object graph from its catalogue (the trailer's /Root), every
dictionary and stream dictionary once (stream data is never decoded), with a
bound on the objects visited and on the nesting depth: a PDF past either is
`TooComplex`, never a crash or a hang. An object is known by its number and its
generation; a file whose cross-reference tables list one number under two
generations (an update that viewers and the check might read differently) is
`Ambiguous`, refused as changed after it was made.

- `active_content(reader)` lists what a PDF viewer would run or open by itself
  or on a click, each `Finding` with its place (the open action, a page, a link
  or comment on a page, a form field, a bookmark, the lists of scripts and
  attached files): JavaScript (a /JS entry, a JavaScript action, the /JavaScript
  name tree), launch actions, additional actions (/AA, on the catalogue, pages,
  annotations, fields), an open action other than a plain GoTo, attached files
  (the /EmbeddedFiles name tree, /FileAttachment annotations, a file
  specification with an /EF stream), XFA forms, forms that submit or import
  data, links to other files or programs (GoToR, GoToE, any address other than
  http:, https: and mailto:, network paths, a relative address when the
  catalogue gives a /URI /Base) or to a javascript: address, and rich media
  (Flash, video, sound, 3D). Links to web and email addresses and inside the
  document stay allowed, as does an empty /AA that some writers leave.
  `refusal_message(findings)` says what was found and how to export a clean PDF.
- `walk(root, pages=…)` is also what config.pdf_identity walks to rebuild the
  copy a reviewer of a dual-anonymous call reads.

It sits in config, at the bottom of the import order like config.refusals, so
that every upload point can use it: the proposals' and payloads' documents
(proposals.documents.check_upload), the calls' AO documents (catalogue.forms)
and, through config.pdf_identity, the reviewers' copies
(reviews.admin.reviewer_files).
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    is_null_or_none,
)

# Dictionaries and arrays visited. pypdf parses about 2,000–4,000 a second on
# this machine under load (a 300-page PDF with 9,000 links: 19,000 in 5 s), so
# 50,000 keeps an upload well inside a worker's 30 s; a proposal exported from a
# word processor has a few hundred to a few thousand.
MAX_OBJECTS = 50_000
# The walk keeps its own stack, but pypdf's copy of the catalogue (what
# config.pdf_identity writes for a reviewer) recurses 2 to 4 Python frames per
# level. It runs in a thread of its own with a raised recursion limit, where it
# fails at about 7,450 levels of the costliest nesting, a chain of streams
# (config.pdf_identity.COPY_RECURSION_LIMIT has the measurements). 2,000 keeps
# under a third of that; the walk goes depth first in the order the copy does,
# so its depth is the copy's. Pages that link one to the next (a link whose
# /Dest is the next page: slides with a "next" button) nest 4 levels a page in
# that order, so up to 499 pages linked so pass.
# Chains through /Next, /Prev, /N and /V (bookmarks, chained actions, article
# beads) cost no level: pypdf copies them in a loop, and the walk counts them
# the same way (_chained), so a PDF with thousands of bookmarks passes.
MAX_DEPTH = 2_000
CHAIN_KEYS = frozenset({"/Next", "/Prev", "/N", "/V"})


class TooComplex(Exception):  # noqa: N818 — the name reads as the verdict
    """More objects or deeper nesting than a PDF of a proposal has."""

    @property
    def message(self) -> str:
        return str(TOO_COMPLEX)


class Ambiguous(TooComplex):
    """One object number under two generations: an incremental update that
    viewers and pypdf may read differently, so the check cannot vouch for what
    a viewer shows."""

    @property
    def message(self) -> str:
        return str(AMBIGUOUS)


class Kind:
    JAVASCRIPT = "javascript"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded_file"
    XFA = "xfa"
    OPEN_ACTION = "open_action"
    ADDITIONAL_ACTIONS = "additional_actions"
    SUBMIT_FORM = "submit_form"
    IMPORT_DATA = "import_data"
    OTHER_FILE = "other_file"
    RICH_MEDIA = "rich_media"


# In the order a refusal names them: the first found of the first kind is
# described in full, the others listed after it.
SENTENCES = {
    Kind.JAVASCRIPT: gettext_lazy("This PDF contains JavaScript (%(place)s)."),
    Kind.LAUNCH: gettext_lazy(
        "This PDF contains a command that starts a program or opens a file on "
        "the reader's computer (%(place)s)."
    ),
    Kind.EMBEDDED_FILE: gettext_lazy("This PDF carries an attached file (%(place)s)."),
    Kind.XFA: gettext_lazy(
        "This PDF is a dynamic (XFA) form, which runs scripts of its own."
    ),
    Kind.OPEN_ACTION: gettext_lazy(
        "This PDF runs an action by itself when it is opened (%(place)s)."
    ),
    Kind.ADDITIONAL_ACTIONS: gettext_lazy(
        "This PDF contains actions that run by themselves when a page is opened "
        "or a field is used (%(place)s)."
    ),
    Kind.SUBMIT_FORM: gettext_lazy(
        "This PDF contains a form that sends its contents over the internet "
        "(%(place)s)."
    ),
    Kind.IMPORT_DATA: gettext_lazy(
        "This PDF contains a form that loads data from another file (%(place)s)."
    ),
    Kind.OTHER_FILE: gettext_lazy(
        "This PDF contains a link that opens another file or program (%(place)s)."
    ),
    Kind.RICH_MEDIA: gettext_lazy(
        "This PDF contains embedded multimedia, such as Flash or video (%(place)s)."
    ),
}
SHORT = {
    Kind.JAVASCRIPT: gettext_lazy("JavaScript"),
    Kind.LAUNCH: gettext_lazy("a command that starts a program"),
    Kind.EMBEDDED_FILE: gettext_lazy("an attached file"),
    Kind.XFA: gettext_lazy("a dynamic (XFA) form"),
    Kind.OPEN_ACTION: gettext_lazy("an action run on opening"),
    Kind.ADDITIONAL_ACTIONS: gettext_lazy("actions that run by themselves"),
    Kind.SUBMIT_FORM: gettext_lazy("a form that sends its contents"),
    Kind.IMPORT_DATA: gettext_lazy("a form that loads data"),
    Kind.OTHER_FILE: gettext_lazy("a link that opens another file or program"),
    Kind.RICH_MEDIA: gettext_lazy("embedded multimedia"),
}
ORDER = tuple(SENTENCES)

# Actions by their /S, and the kind each one is.
ACTION_KINDS = {
    "/JavaScript": Kind.JAVASCRIPT,
    "/Launch": Kind.LAUNCH,
    "/SubmitForm": Kind.SUBMIT_FORM,
    "/ImportData": Kind.IMPORT_DATA,
    "/GoToR": Kind.OTHER_FILE,
    "/GoToE": Kind.OTHER_FILE,
    "/RichMediaExecute": Kind.RICH_MEDIA,
    "/Rendition": Kind.RICH_MEDIA,
    "/Movie": Kind.RICH_MEDIA,
    "/Sound": Kind.RICH_MEDIA,
}
# Annotations by their /Subtype (3D artwork may carry scripts of its own).
ANNOTATION_KINDS = {
    "/FileAttachment": Kind.EMBEDDED_FILE,
    "/RichMedia": Kind.RICH_MEDIA,
    "/Screen": Kind.RICH_MEDIA,
    "/Movie": Kind.RICH_MEDIA,
    "/Sound": Kind.RICH_MEDIA,
    "/3D": Kind.RICH_MEDIA,
}
# A link (/URI action) may go to a web page or an email address, read as a
# browser reads it: without leading control characters and spaces, and
# without tabs and line breaks anywhere ("java\tscript:" is "javascript:").
# Any other scheme (javascript:, vbscript:, data:, file:, smb:, ms-msdt:,
# search-ms: …) and a network path (//host/share, \\host\share) is refused.
# A link without a scheme goes to a place in the document ("#intro") or is
# relative; a relative link is allowed only when the catalogue has no
# /URI /Base to resolve it against.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
LEADING_IGNORED = "".join(chr(code) for code in range(0x21))
REMOVED_FROM_ADDRESSES = str.maketrans("", "", "\t\r\n")


class Place:
    DOCUMENT = "document"
    OPEN_ACTION = "open_action"
    SCRIPTS = "scripts"
    ATTACHMENTS = "attachments"
    PAGE = "page"
    ANNOTATION = "annotation"
    FORM = "form"
    BOOKMARKS = "bookmarks"


# Entering these entries of a dictionary puts what is below in another place.
PLACE_OF_ENTRY = {
    "/OpenAction": Place.OPEN_ACTION,
    "/AcroForm": Place.FORM,
    "/Outlines": Place.BOOKMARKS,
    "/Annots": Place.ANNOTATION,
}
PLACE_OF_NAME_TREE = {
    "/JavaScript": Place.SCRIPTS,
    "/EmbeddedFiles": Place.ATTACHMENTS,
}


@dataclass(frozen=True)
class Where:
    place: str = Place.DOCUMENT
    page: int | None = None

    def __str__(self) -> str:
        if self.place == Place.PAGE:
            return _("on page %(page)s") % {"page": self.page}
        if self.place == Place.ANNOTATION and self.page:
            return _("in a link or comment on page %(page)s") % {"page": self.page}
        return str(
            {
                Place.OPEN_ACTION: gettext_lazy("in the document's open action"),
                Place.SCRIPTS: gettext_lazy("in the document's list of scripts"),
                Place.ATTACHMENTS: gettext_lazy(
                    "in the document's list of attached files"
                ),
                Place.ANNOTATION: gettext_lazy("in a link or comment"),
                Place.FORM: gettext_lazy("in a form field"),
                Place.BOOKMARKS: gettext_lazy("in a bookmark"),
            }.get(self.place, gettext_lazy("in the document as a whole"))
        )


@dataclass(frozen=True)
class Finding:
    kind: str
    where: Where

    @property
    def sentence(self) -> str:
        return SENTENCES[self.kind] % {"place": self.where}


def page_numbers(reader: PdfReader) -> dict[int, int]:
    """The object number of each page → its page number (1 for the first)."""
    numbers = {}
    for number, page in enumerate(reader.pages, start=1):
        reference = page.indirect_reference
        if reference is not None:
            numbers.setdefault(reference.idnum, number)
    return numbers


def walk(
    root: DictionaryObject, *, pages: dict[int, int]
) -> Iterator[tuple[DictionaryObject, Where]]:
    """Every dictionary reachable from `root` once, with where it sits, depth
    first. An object is known by its number and generation (pypdf reads 5 0 R
    and 5 1 R as two objects). Raises TooComplex past MAX_OBJECTS or
    MAX_DEPTH."""
    seen: set[tuple[int, int]] = set()
    visited = 0
    stack: list[tuple[object, Where, int]] = [(root, Where(), 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            if item.idnum in pages:
                where = Where(Place.PAGE, pages[item.idnum])
            item = item.get_object()
        if not isinstance(item, (DictionaryObject, ArrayObject)):
            continue
        visited += 1
        if visited > MAX_OBJECTS or depth > MAX_DEPTH:
            raise TooComplex
        if isinstance(item, ArrayObject):
            children = [(value, where, depth + 1) for value in item]
        else:
            yield item, where
            children = [
                (
                    value,
                    _entered(where, key),
                    depth if _chained(item, key, value) else depth + 1,
                )
                for key, value in list(item.items())
            ]
        stack.extend(
            child
            for child in reversed(children)
            if isinstance(child[0], (IndirectObject, DictionaryObject, ArrayObject))
        )


def _chained(item: DictionaryObject, key: str, value) -> bool:
    """`value` is the next of a chain pypdf copies in a loop (see its
    DictionaryObject._clone): an indirect dictionary under /Next, /Prev, /N or
    /V whose /Type, when both have one, is the item's."""
    if key not in CHAIN_KEYS or not isinstance(value, IndirectObject):
        return False
    following = value.get_object()
    if not isinstance(following, DictionaryObject):
        return False
    kinds = item.get("/Type"), following.get("/Type")
    return None in kinds or kinds[0] == kinds[1]


def generations_reused(reader: PdfReader) -> bool:
    """One object number listed under two generations in the cross-reference
    tables: an update that replaced an object without removing the old one.
    (pypdf's reader.xref holds the objects in use by generation; those in
    object streams, reader.xref_objStm, are all generation 0.)"""
    by_generation = {
        generation: set(objects) for generation, objects in reader.xref.items()
    }
    by_generation.setdefault(0, set()).update(reader.xref_objStm)
    numbers: set[int] = set()
    for objects in by_generation.values():
        if numbers & objects:
            return True
        numbers |= objects
    return False


def _entered(where: Where, key: str) -> Where:
    if key in PLACE_OF_NAME_TREE and where.place == Place.DOCUMENT:
        return Where(PLACE_OF_NAME_TREE[key])
    place = PLACE_OF_ENTRY.get(key)
    if place is None or where.place == Place.OPEN_ACTION:
        return where
    if place == Place.ANNOTATION:
        return Where(place, where.page)
    return Where(place) if where.place == Place.DOCUMENT else where


def name_of(value) -> str:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return str(value) if isinstance(value, NameObject) else ""


def _kinds(
    item: DictionaryObject, where: Where, *, catalogue: bool, base: bool
) -> list[tuple[str, Where]]:
    """What `item` itself carries, each with its place."""
    found = []
    action = name_of(item.get("/S"))
    if "/JS" in item:
        found.append((Kind.JAVASCRIPT, where))
    if action in ACTION_KINDS:
        found.append((ACTION_KINDS[action], where))
    if action == "/URI":
        found += [(kind, where) for kind in _uri_kinds(item.get("/URI"), base=base)]
    subtype = name_of(item.get("/Subtype"))
    if subtype in ANNOTATION_KINDS and "/Rect" in item:
        found.append((ANNOTATION_KINDS[subtype], where))
    if _has_entries(item.get("/AA")):
        found.append((Kind.ADDITIONAL_ACTIONS, where))
    if "/EF" in item:
        found.append((Kind.EMBEDDED_FILE, where))
    if not is_null_or_none(item.get("/XFA")):
        found.append((Kind.XFA, Where(Place.FORM)))
    if catalogue:
        if _runs_on_opening(item.get("/OpenAction")):
            found.append((Kind.OPEN_ACTION, Where(Place.OPEN_ACTION)))
        names = item.get("/Names")
        names = names.get_object() if names is not None else None
        if isinstance(names, DictionaryObject):
            if not is_null_or_none(names.get("/JavaScript")):
                found.append((Kind.JAVASCRIPT, Where(Place.SCRIPTS)))
            if not is_null_or_none(names.get("/EmbeddedFiles")):
                found.append((Kind.EMBEDDED_FILE, Where(Place.ATTACHMENTS)))
    return found


def _has_entries(value) -> bool:
    """Not missing, null or an empty dictionary (a few writers leave /AA << >>)."""
    if is_null_or_none(value):
        return False
    value = value.get_object()
    return not isinstance(value, DictionaryObject) or len(value) > 0


def _uri_kinds(uri, *, base: bool) -> list[str]:
    """What a link's address opens, as ALLOWED_SCHEMES says; `base` when the
    catalogue gives a /URI /Base that relative addresses resolve against."""
    if is_null_or_none(uri):
        return []
    uri = uri.get_object()
    address = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
    address = address.lstrip(LEADING_IGNORED).translate(REMOVED_FROM_ADDRESSES)
    scheme = SCHEME.match(address.lower())
    if scheme is not None:
        allowed = scheme.group(1) in ALLOWED_SCHEMES
        is_script = scheme.group(1) == "javascript"
    else:
        network = address.startswith(("//", "\\\\", "/\\", "\\/"))
        allowed = not network and (address[:1] in {"", "#"} or not base)
        is_script = False
    if allowed:
        return []
    return [Kind.JAVASCRIPT if is_script else Kind.OTHER_FILE]


def _has_base(root: DictionaryObject) -> bool:
    uri = root.get("/URI")
    uri = uri.get_object() if uri is not None else None
    return isinstance(uri, DictionaryObject) and not is_null_or_none(uri.get("/Base"))


def _runs_on_opening(open_action) -> bool:
    """An open action other than a destination or a plain GoTo to one; one
    whose own kind is found (JavaScript, launch …) is named by that kind."""
    if is_null_or_none(open_action):
        return False
    action = open_action.get_object()
    if not isinstance(action, DictionaryObject):
        return False  # a destination: [page /Fit] or a name
    kind = name_of(action.get("/S"))
    if kind in ACTION_KINDS:
        return False
    return kind != "/GoTo" or not is_null_or_none(action.get("/Next"))


def active_content(reader: PdfReader) -> list[Finding]:
    """What would run or open by itself or on a click, each kind once at the
    first place found, in the order of SENTENCES. Raises TooComplex (Ambiguous
    when generations_reused), and any of pypdf's errors on a damaged file."""
    if generations_reused(reader):
        raise Ambiguous
    root = reader.trailer["/Root"].get_object()
    base = _has_base(root)
    first: dict[str, Finding] = {}
    for item, where in walk(root, pages=page_numbers(reader)):
        for kind, place in _kinds(item, where, catalogue=item is root, base=base):
            first.setdefault(kind, Finding(kind, place))
    return [first[kind] for kind in ORDER if kind in first]


def active_content_in(content: bytes) -> list[Finding]:
    """`active_content` of a PDF given as bytes; raises as it does, and pypdf's
    errors on a file it cannot read."""
    return active_content(PdfReader(io.BytesIO(content)))


TOO_COMPLEX = gettext_lazy(
    "This PDF is too complex for the portal to check: it is built of too many "
    "parts, or of parts nested too deeply. Print it to PDF or export it again "
    "from your word processor, and upload that file."
)
AMBIGUOUS = gettext_lazy(
    "This PDF was changed after it was made in a way the portal cannot check. "
    "Export it again as PDF from your word processor (or print it to PDF), and "
    "upload that file."
)


def refusal_message(findings: list[Finding]) -> str:
    """The first finding in full, the other kinds listed, and how to export a
    clean PDF."""
    head, *others = findings
    parts = [head.sentence]
    if others:
        parts.append(
            _("It also contains %(others)s.")
            % {"others": _(", ").join(str(SHORT[other.kind]) for other in others)}
        )
    parts.append(
        _(
            "The portal accepts no PDF that runs or opens anything. Print the "
            "document to PDF (“Microsoft Print to PDF” or “Save as PDF” in the "
            "print dialog), or export it again as PDF/A from your word processor, "
            "and upload that file."
        )
    )
    return " ".join(parts)
