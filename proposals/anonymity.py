"""The anonymity check before submitting to a dual-anonymous call.

`check_anonymity(proposal)` lists what may reveal the team to its reviewers,
each `Flag` with what was found and where:

- in the proposal's text sections (title, abstract, keywords, objectives,
  relevance, payload description, heritage, operations needs, funding
  statement): the section and the field;
- in each current uploaded PDF: the document and the page of its text, or the
  property of its metadata (Author, Title, Subject, Keywords, and the creators
  of its XMP packet, dc:creator).

What it looks for:

- every team member's name, institution, email address and ORCID iD, the
  principal investigator's included (an ORCID iD is the account's, for members
  whose invitation is linked to an account). Names are also found in the
  "Family Given" order and across line breaks; Latin names and institutions
  only as whole words, in any case;
- the phrases of `REVEALING_PHRASES`, in English and Chinese, that speak of the
  team's own earlier work or group ("our previous instrument", "we built", "our
  group", "in our earlier work", "我们课题组", "我们研制的" …);
- a PDF whose Author or XMP creator is filled in at all, since it names a person
  whoever that is.

The check only reads: the texts and the files are never changed. Reviewers of a
dual-anonymous call receive each document without its metadata (the document's
properties, every XMP packet, annotation authors, piece info, JPEG Exif and the
document IDs: config.pdf_identity.without_identity, in reviews.admin.reviewer_files),
but its text and pictures as uploaded, so what the check finds on a page stays
for the team to remove. Whether a flag blocks submission or only warns is the call's
`anonymity_policy` (proposals.checklist applies it; submit_proposal refuses
on the server through the checklist).

Reading a PDF is the slow part: the text and metadata of each document are
kept in the cache under the file's SHA-256, so the editor's checklist does not
read the same PDF again on every save.
"""

import io
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from proposals.enums import Section
from proposals.models import Proposal

# The text fields of each section, in the order of the form.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    Section.SUMMARY: ("title", "abstract", "keywords"),
    Section.OBJECTIVES: ("objectives", "relevance"),
    Section.PAYLOAD: ("payload_description", "heritage"),
    Section.RESOURCES: ("operations_needs",),
    Section.FUNDING: ("funding_statement",),
}

# Phrases that tell reviewers the authors are the team behind earlier work, a
# group or an instrument. Matched in any case, as whole words (English) or as
# written (Chinese), whitespace and line breaks between words allowed. Add to
# these lists, never translate them: a proposal may be written in either
# language whatever the reader's.
REVEALING_PHRASES_EN: tuple[str, ...] = (
    "our previous instrument",
    "our previous mission",
    "our previous work",
    "our previous paper",
    "our previous study",
    "our earlier work",
    "our earlier instrument",
    "in our earlier work",
    "in our previous work",
    "our prior work",
    "our own work",
    "we built",
    "we have built",
    "we developed",
    "we have developed",
    "we designed and built",
    "we previously",
    "as we showed",
    "as we have shown",
    "we have shown previously",
    "our group",
    "our team",
    "our laboratory",
    "our lab",
    "our institute",
    "our institution",
    "our university",
    "our department",
    "our consortium",
    "our heritage",
)
REVEALING_PHRASES_ZH: tuple[str, ...] = (
    "我们之前的",
    "我们以前的",
    "我们此前",
    "我们先前",
    "我们前期",
    "我们早期的工作",
    "我们研制的",
    "我们研制了",
    "我们研发的",
    "我们研发了",
    "我们设计并研制",
    "我们已发表",
    "我们发表的",
    "我们的团队",
    "我们团队",
    "本团队",
    "我们课题组",
    "本课题组",
    "我们实验室",
    "本实验室",
    "我们研究组",
    "本研究组",
    "我所",
    "我院",
    "我校",
    "我单位",
)
REVEALING_PHRASES = REVEALING_PHRASES_EN + REVEALING_PHRASES_ZH

# Properties of a PDF's document information checked, by their key there.
PDF_PROPERTIES: dict[str, str] = {
    "/Author": "Author",
    "/Title": "Title",
    "/Subject": "Subject",
    "/Keywords": "Keywords",
}
# Properties that name a person whatever they hold.
AUTHOR_PROPERTIES = frozenset({"Author", "XMP creator"})

CACHE_SECONDS = 7 * 24 * 3600
MIN_LATIN_LENGTH = 3
MIN_CJK_LENGTH = 2


class Kind:
    NAME = "name"
    INSTITUTION = "institution"
    EMAIL = "email"
    ORCID = "orcid"
    PHRASE = "phrase"
    AUTHOR = "author"


KIND_LABELS = {
    Kind.NAME: gettext_lazy("a team member's name"),
    Kind.INSTITUTION: gettext_lazy("a team member's institution"),
    Kind.EMAIL: gettext_lazy("a team member's email address"),
    Kind.ORCID: gettext_lazy("a team member's ORCID iD"),
    Kind.PHRASE: gettext_lazy("a phrase that reveals the team"),
    Kind.AUTHOR: gettext_lazy("an author named in the document's properties"),
}


@dataclass(frozen=True)
class Flag:
    """One thing that may reveal the team, and where it was found.

    `section` is the editor's section to fix it in; `field` the text field,
    or `document` and `page` (1 for the first page) or `metadata` (the
    property: Author, Title, Subject, Keywords, XMP creator) for an uploaded
    PDF."""

    kind: str
    found: str
    section: str
    field: str = ""
    document: str = ""
    page: int | None = None
    metadata: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def place(self) -> str:
        if self.document and self.page:
            return _("“%(document)s”, page %(page)s") % {
                "document": self.document,
                "page": self.page,
            }
        if self.document:
            return _("“%(document)s”, document property %(property)s") % {
                "document": self.document,
                "property": self.metadata,
            }
        field = Proposal._meta.get_field(self.field).verbose_name
        return _("%(section)s, %(field)s") % {
            "section": Section(self.section).label,
            "field": field,
        }

    @property
    def sentence(self) -> str:
        return _("“%(found)s” (%(kind)s) in %(place)s") % {
            "found": self.found,
            "kind": self.kind_label,
            "place": self.place,
        }


@dataclass(frozen=True)
class Needle:
    kind: str
    pattern: re.Pattern


@dataclass(frozen=True)
class PdfContents:
    pages: tuple[str, ...]
    properties: tuple[tuple[str, str], ...]


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))


def _is_wordlike(char: str) -> bool:
    return char.isalnum() and not _is_cjk(char)


@lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern | None:
    """A case-insensitive pattern for `text`: any whitespace between words, none
    or any between Chinese characters, whole words at Latin ends. Kept per
    process: the same names and phrases are looked for on every page that
    shows a dual-anonymous proposal's checklist."""
    words = text.split()
    if not words:
        return None
    compact = "".join(words)
    cjk = any(_is_cjk(char) for char in compact)
    if len(compact) < (MIN_CJK_LENGTH if cjk else MIN_LATIN_LENGTH):
        return None
    parts = []
    for word in words:
        pieces = []
        for index, char in enumerate(word):
            if index and (_is_cjk(char) or _is_cjk(word[index - 1])):
                pieces.append(r"\s*")
            pieces.append(re.escape(char))
        parts.append("".join(pieces))
    body = r"\s+".join(parts)
    if _is_wordlike(compact[0]):
        body = r"(?<!\w)" + body
    if _is_wordlike(compact[-1]):
        body += r"(?!\w)"
    return re.compile(body, re.IGNORECASE)


@lru_cache(maxsize=1024)
def _orcid_pattern(orcid: str) -> re.Pattern | None:
    digits = re.sub(r"[^0-9Xx]", "", orcid)
    if len(digits) != 16:  # noqa: PLR2004 (an ORCID iD has 16 characters)
        return None
    groups = [re.escape(digits[i : i + 4]) for i in range(0, 16, 4)]
    return re.compile(r"(?<![0-9])" + r"[\s-]?".join(groups) + r"(?![0-9])", re.I)


def _people(proposal: Proposal) -> list[dict]:
    pi = proposal.principal_investigator
    people = [
        {
            "name": pi.get_full_name(),
            "email": pi.email,
            "institution": pi.institution,
            "orcid": getattr(pi, "orcid", ""),
        }
    ]
    for member in proposal.team_members.all():
        account = member.user
        people.append(
            {
                "name": member.name,
                "email": member.email,
                "institution": member.institution,
                "orcid": getattr(account, "orcid", "") if account else "",
            }
        )
    return people


def team_needles(proposal: Proposal) -> list[Needle]:
    """What would name the team: names (also family name first), institutions,
    email addresses and ORCID iDs of the principal investigator and members."""
    needles: list[Needle] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, pattern: re.Pattern | None) -> None:
        if pattern is not None and (kind, pattern.pattern) not in seen:
            seen.add((kind, pattern.pattern))
            needles.append(Needle(kind=kind, pattern=pattern))

    for person in _people(proposal):
        name = " ".join((person["name"] or "").split())
        add(Kind.NAME, _pattern(name))
        words = name.split()
        if len(words) > 1:
            add(Kind.NAME, _pattern(" ".join([words[-1], *words[:-1]])))
            add(Kind.NAME, _pattern(f"{words[-1]}, {' '.join(words[:-1])}"))
        add(Kind.INSTITUTION, _pattern(person["institution"] or ""))
        add(Kind.EMAIL, _pattern(person["email"] or ""))
        add(Kind.ORCID, _orcid_pattern(person["orcid"] or ""))
    return needles


def phrase_needles() -> list[Needle]:
    return [
        Needle(kind=Kind.PHRASE, pattern=pattern)
        for pattern in map(_pattern, REVEALING_PHRASES)
        if pattern is not None
    ]


def find(text: str, needles: list[Needle]) -> list[tuple[str, str]]:
    """(kind, text as found) for each needle found in `text`, each once, in
    the order they appear; a find inside a longer one ("our earlier work" in
    "in our earlier work") is left out."""
    spans = []
    for needle in needles:
        match = needle.pattern.search(text)
        if match:
            spans.append((match.start(), match.end(), needle.kind, match.group(0)))
    kept = [
        span
        for span in spans
        if not any(
            other is not span
            and other[0] <= span[0]
            and span[1] <= other[1]
            and (other[1] - other[0]) > (span[1] - span[0])
            for other in spans
        )
    ]
    return [
        (kind, " ".join(found.split()))
        for _start, _end, kind, found in sorted(kept, key=lambda s: (s[0], -s[1]))
    ]


def _xmp_creators(reader: PdfReader) -> list[str]:
    try:
        xmp = reader.xmp_metadata
    except (PdfReadError, ValueError, KeyError, AttributeError):
        return []
    if xmp is None:
        return []
    return [str(name) for name in (xmp.dc_creator or []) if str(name).strip()]


def read_pdf(content: bytes) -> PdfContents:
    """The text of each page and the checked properties of a PDF; an unreadable
    PDF reads as empty (the upload's own check refused broken ones)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text() or "")
            except (PdfReadError, ValueError, KeyError, TypeError):
                pages.append("")
        info = reader.metadata or {}
        properties = [
            (label, str(info.get(key) or ""))
            for key, label in PDF_PROPERTIES.items()
            if str(info.get(key) or "").strip()
        ]
        properties += [("XMP creator", name) for name in _xmp_creators(reader)]
    except (PdfReadError, ValueError, KeyError, TypeError):
        return PdfContents(pages=(), properties=())
    return PdfContents(pages=tuple(pages), properties=tuple(properties))


# The documents whose file could not be read while `watching_reads` runs.
_failed_reads: ContextVar[list | None] = ContextVar("failed_reads", default=None)


@contextmanager
def watching_reads():
    """A list that collects the ids of the documents whose file could not be
    read meanwhile (pdf_contents then finds nothing in them): a page rendered
    from such a check is not kept (proposals.views.kept)."""
    failed: list[int] = []
    token = _failed_reads.set(failed)
    try:
        yield failed
    finally:
        _failed_reads.reset(token)


def pdf_contents(document) -> PdfContents:
    """A stored proposal document's contents, read once per file (cached by
    its SHA-256)."""
    key = f"anonymity:pdf:{document.sha256}"
    cached = cache.get(key)
    if cached is not None:
        return PdfContents(pages=tuple(cached[0]), properties=tuple(cached[1]))
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        failed = _failed_reads.get()
        if failed is not None:
            failed.append(document.pk)
        return PdfContents(pages=(), properties=())
    contents = read_pdf(content)
    cache.set(key, [list(contents.pages), list(contents.properties)], CACHE_SECONDS)
    return contents


def _current_documents(proposal: Proposal) -> list:
    documents = [d for d in proposal.documents.all() if d.replaced_at is None]
    return sorted(documents, key=lambda d: (d.required_document.order, d.pk))


def check_anonymity(proposal: Proposal) -> list[Flag]:
    """Everything that may reveal the team, in the order of the form: text
    sections first, then each document's properties and pages."""
    needles = team_needles(proposal) + phrase_needles()
    flags: list[Flag] = []
    for section, fields in TEXT_FIELDS.items():
        for field in fields:
            text = getattr(proposal, field) or ""
            flags += [
                Flag(kind=kind, found=found, section=section, field=field)
                for kind, found in find(text, needles)
            ]
    for document in _current_documents(proposal):
        name = str(document.required_document.name)
        contents = pdf_contents(document)
        for prop, value in contents.properties:
            found = find(value, needles)
            flags += [
                Flag(
                    kind=kind,
                    found=text,
                    section=Section.DOCUMENTS,
                    document=name,
                    metadata=prop,
                )
                for kind, text in found
            ]
            named = any(kind == Kind.NAME for kind, _text in found)
            if prop in AUTHOR_PROPERTIES and not named:
                flags.append(
                    Flag(
                        kind=Kind.AUTHOR,
                        found=" ".join(value.split()),
                        section=Section.DOCUMENTS,
                        document=name,
                        metadata=prop,
                    )
                )
        for number, text in enumerate(contents.pages, start=1):
            flags += [
                Flag(
                    kind=kind,
                    found=found,
                    section=Section.DOCUMENTS,
                    document=name,
                    page=number,
                )
                for kind, found in find(text, needles)
            ]
    return flags
