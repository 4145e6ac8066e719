"""The copy of a PDF a reviewer of a dual-anonymous call reads.

`without_identity(content)` rebuilds a PDF from its catalogue without what names
its authors or identifies the file: the document information dictionary, any
/Metadata stream (the catalogue's XMP, pages', images' and form XObjects',
fonts'), any /PieceInfo or /LastModified, the author (/T) and unique name (/NM)
of annotations other than form widgets (a widget's /T is its field's name), the
Exif, XMP, IPTC and comment segments of JPEG images, digital signatures (the
signature dictionaries, with the signer's name, contact, place and certificate,
emptied; signature fields' values, locks and seed values; the catalogue's
/Perms and /DSS, the validation data), the information dictionary (/I: title,
author …) of article threads, and with fresh random document IDs (rebuilding
breaks any signature anyway). Objects only the removed entries pointed to are
not written. The text and the pictures stay as uploaded (proposals.anonymity
flags what a page says). It walks the graph as config.pdf_safety does, with the
same bounds.

pypdf's copy of the catalogue recurses once per level of nesting, so it runs in
a thread of its own with a deep stack and a raised recursion limit (see
COPY_RECURSION_LIMIT): a PDF whose pages link one to the next is rebuilt, and one
deeper than the copy survives ends in TooComplex, never in a crash.
"""

import io
import sys
import threading
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from config.pdf_safety import TooComplex, name_of, page_numbers, walk

REMOVED_EVERYWHERE = ("/Metadata", "/PieceInfo", "/LastModified", "/Perms", "/DSS")
REMOVED_FROM_ANNOTATIONS = ("/T", "/NM")
REMOVED_FROM_SIGNATURE_FIELDS = ("/V", "/Lock", "/SV")
SIGNATURE_TYPES = frozenset({"/Sig", "/DocTimeStamp"})
# JPEG segments that describe the picture rather than draw it: APP1 (Exif: the
# camera's owner and serial number, where it was taken; and XMP), APP13 (IPTC:
# the author) and comments. APP0 (JFIF), APP2 (the colour profile) and APP14
# (Adobe: how the colours are stored) are kept, since they change the picture.
JPEG_DROPPED = frozenset({0xE1, 0xED, 0xFE})
JPEG_START_OF_SCAN = 0xDA
JPEG_FILL = 0xFF

# pypdf's copy of the catalogue (clone_reader_document_root) recurses 2 to 4
# Python frames per level that config.pdf_safety's walk counts: 2 for pages that
# link one to the next (4 levels a page), 3 for a chain of dictionaries, 4 for a
# chain of streams (the most we could build). Under Python's default limit of
# 1,000 frames it failed at 123 pages linked one to the next. In a thread with
# COPY_RECURSION_LIMIT frames it fails (RecursionError, measured with pypdf 7.1
# and CPython 3.11.7 in a COPY_STACK_SIZE stack) at about 7,450 levels of
# streams, 9,900 of dictionaries and 3,700 linked pages (14,800 levels);
# pdf_safety.MAX_DEPTH (2,000) is under a third of the first.
COPY_RECURSION_LIMIT = 30_000
# The copy itself takes almost no C stack (CPython 3.11 keeps Python frames on
# the heap: 7,400 levels of streams ran in a 1 MB stack); the stack is sized so
# that any recursion reaches COPY_RECURSION_LIMIT before the stack's end. The
# costliest we found through C, sorted() with a key that sorts again, takes
# about 2.5 KB a counted frame (a 64 MB thread overflowed at 13,000 sorts,
# 26,000 frames): 30,000 frames are 75 MB, under a third of 256 MB. Only the
# pages touched are memory; the rest is address space.
COPY_STACK_SIZE = 256 * 1024 * 1024
# sys.setrecursionlimit is the interpreter's, not a thread's: while a copy runs,
# every thread of the process may recurse to COPY_RECURSION_LIMIT. gunicorn runs
# sync workers here (Dockerfile: --worker-class sync), one request at a time in
# a process, whose only thread waits for the copy: no other thread recurses in
# the meantime. Under a threaded server (runserver, a gthread worker) another
# request's thread has only the default 8 MB stack, so the raised limit is put
# back as soon as the copy ends, and copies take turns under this lock.
_COPY_LOCK = threading.Lock()


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG's bytes without its JPEG_DROPPED segments; anything that does not
    read as a JPEG's header is returned as it was."""
    if not data.startswith(b"\xff\xd8"):
        return data
    kept = [data[:2]]
    position = 2
    while position + 4 <= len(data):
        if data[position] != JPEG_FILL:
            return data
        marker = data[position + 1]
        if marker == JPEG_FILL:
            position += 1
            continue
        if marker == JPEG_START_OF_SCAN:
            kept.append(data[position:])
            return b"".join(kept)
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if end <= position + 3 or end > len(data):
            return data
        if marker not in JPEG_DROPPED:
            kept.append(data[position:end])
        position = end
    return data


def _is_jpeg(item: DictionaryObject) -> bool:
    if not isinstance(item, StreamObject):
        return False
    filters = item.get("/Filter")
    filters = filters.get_object() if filters is not None else None
    if isinstance(filters, ArrayObject) and len(filters) == 1:
        filters = filters[0]
    return name_of(filters) == "/DCTDecode"


def _is_markup(item: DictionaryObject) -> bool:
    """An annotation (it has a rectangle and a subtype; /Type is optional) other
    than a form field's widget, whose /T is the field's name."""
    subtype = name_of(item.get("/Subtype"))
    return "/Rect" in item and subtype not in {"", "/Widget"}


def _is_signature(item: DictionaryObject) -> bool:
    """A signature or document time stamp dictionary (/Type is optional in
    them; /ByteRange, the signed part of the file, is only there)."""
    return name_of(item.get("/Type")) in SIGNATURE_TYPES or "/ByteRange" in item


def _is_thread(item: DictionaryObject) -> bool:
    return name_of(item.get("/Type")) == "/Thread"


def without_identity(content: bytes) -> bytes:
    """`content` rebuilt without what names its authors or identifies the file
    (see the module's docstring), in a thread with a deep stack. Raises
    config.pdf_safety.TooComplex (also for a PDF nested deeper than the copy
    survives), and pypdf's errors on a file it cannot read."""
    return in_deep_thread(_rebuilt, content)


def in_deep_thread(function: Callable[[bytes], bytes], content: bytes) -> bytes:
    """`function(content)` run in a thread with COPY_STACK_SIZE of stack and
    COPY_RECURSION_LIMIT frames, the caller waiting; what it raises is raised
    here, a RecursionError as TooComplex (without its thousands of frames). The
    recursion limit and the stack size of new threads are put back after."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = function(content)
        except BaseException as error:  # raised again in the caller
            outcome["error"] = TooComplex() if _from_recursion(error) else error

    with _COPY_LOCK:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, COPY_RECURSION_LIMIT))
        try:
            stack_size = threading.stack_size(COPY_STACK_SIZE)
            try:
                # A daemon: a worker told to stop while a copy runs exits.
                thread = threading.Thread(target=run, name="pdf-copy", daemon=True)
                thread.start()
            finally:
                threading.stack_size(stack_size)
            thread.join()
        finally:
            sys.setrecursionlimit(limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _from_recursion(error: BaseException) -> bool:
    """A RecursionError, or an error pypdf raised from one."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, RecursionError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _rebuilt(content: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"].get_object()
    # An article thread's /Type is optional: the catalogue's list names them.
    threads = root.get("/Threads")
    threads = threads.get_object() if threads is not None else None
    for reference in threads if isinstance(threads, ArrayObject) else ():
        thread = reference.get_object()
        if isinstance(thread, DictionaryObject):
            thread.pop("/I", None)
    # The entries are removed from the objects the reader holds (it keeps each
    # once read); cloning the catalogue then copies only what is still reached.
    for item, _where in walk(root, pages=page_numbers(reader)):
        if _is_signature(item):
            # Emptied before the walk reads its entries: nothing it held is
            # walked or copied.
            item.clear()
            continue
        if name_of(item.get("/FT")) == "/Sig":
            for key in REMOVED_FROM_SIGNATURE_FIELDS:
                item.pop(key, None)
        if _is_thread(item):
            item.pop("/I", None)
        for key in REMOVED_EVERYWHERE:
            item.pop(key, None)
        if _is_markup(item):
            for key in REMOVED_FROM_ANNOTATIONS:
                item.pop(key, None)
        if _is_jpeg(item):
            # The JPEG is the stream's encoded data (pypdf's _data; get_data()
            # would decode it): read and set as it is, not encoded again.
            StreamObject.set_data(item, jpeg_without_metadata(item._data))
    writer = PdfWriter()
    writer.clone_reader_document_root(reader)
    writer.generate_file_identifiers()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
