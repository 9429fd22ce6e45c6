"""Readers: bytes of a file → SourceDocument (decoded original text + provenance).

The format is detected from the content (``%PDF``, a zip holding ``word/document.xml``,
``<html``, e-Gov law XML ``<Law>``), the extension is only a hint.  Text encodings are
detected, not guessed from the extension: UTF-8 (with or without BOM), UTF-16 with BOM, then Japanese
legacy encodings (CP932/Shift_JIS, EUC-JP, ISO-2022-JP) verified by strict decoding.
Every refusal is a typed :class:`core.errors.IngestError` naming the file: a reader
library's own exception on hostile input is turned into one here.  Files are opened
without blocking and read only if they are regular files (not a FIFO or ``/dev/zero``),
at most ``max_bytes + 1`` bytes; extracted text over ``max_chars`` characters is refused
(``POLICYGRAPH_MAX_DOCUMENT_CHARS``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from policygraph.core.errors import EmptyDocument, IngestError, TooLarge, UnsupportedFormat
from policygraph.core.ids import document_id
from policygraph.core.records import SourceDocument
from policygraph.core.settings import MAX_DOCUMENT_CHARS, MAX_UPLOAD_BYTES

log = logging.getLogger("policygraph")


def safe_name(name: str) -> str:
    """Base name only: ``../../etc/passwd`` → ``passwd``.

    >>> safe_name("../x/通達.txt"), safe_name("C:\\\\a\\\\b.pdf")
    ('通達.txt', 'b.pdf')
    """
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = re.sub(r"[\x00-\x1f]", "", base).strip().lstrip(".")
    if not base:
        raise IngestError("file name is empty after removing path parts", source=name)
    return base


def read_file(path: Path, *, max_bytes: int = MAX_UPLOAD_BYTES, max_chars: int = MAX_DOCUMENT_CHARS,
              source_name: str | None = None) -> SourceDocument:
    name = safe_name(source_name or path.name)
    fd, size = _open_regular(path, name)
    try:
        if size > max_bytes:
            raise TooLarge(f"{size} bytes is over the {max_bytes}-byte limit", source=name)
        data = _read_upto(fd, max_bytes + 1, name)  # the file may grow after fstat
    finally:
        os.close(fd)
    return _read(data, name, str(path), max_bytes, max_chars)


def read_bytes(data: bytes, source_name: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
               max_chars: int = MAX_DOCUMENT_CHARS) -> SourceDocument:
    name = safe_name(source_name)
    return _read(data, name, f"upload:{name}", max_bytes, max_chars)


def read_head(path: Path, n: int) -> bytes:
    """The first ``n`` bytes of a regular file, for sniffing its format; never blocks on a
    FIFO nor reads a device (:class:`IngestError` for those and unreadable files)."""
    name = safe_name(path.name)
    fd, _ = _open_regular(path, name)
    try:
        return _read_upto(fd, n, name)
    finally:
        os.close(fd)


def too_many_chars(name: str, max_chars: int, count: int | None = None) -> TooLarge:
    """The refusal of a document whose extracted text is over ``max_chars`` characters."""
    got = f"{count} characters" if count is not None else f"more than {max_chars} characters"
    return TooLarge(f"{got} of text is over the {max_chars}-character limit per document "
                    "(POLICYGRAPH_MAX_DOCUMENT_CHARS)", source=name)


def _open_regular(path: Path, name: str) -> tuple[int, int]:
    """An open descriptor of ``path`` and its size, if it is a regular file (symlinks
    followed).

    Checked twice: by ``stat`` before opening, so a device is never opened, and by
    ``fstat`` of what was opened (the entry can be swapped in between).  ``O_NONBLOCK``
    keeps the open of a FIFO from waiting for a writer."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode, name)
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        fd = os.open(path, flags)
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror or e}", source=name) from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode, name)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def _not_regular(mode: int, name: str) -> IngestError:
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a special file")
    return IngestError(f"not a regular file ({kind})", source=name)


def _read_upto(fd: int, n: int, name: str) -> bytes:
    chunks: list[bytes] = []
    left = n
    try:
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror or e}", source=name) from e
    return b"".join(chunks)


SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
TEXT_EXTENSIONS = ("txt", "text", "")  # plain text: these, or a name without an extension


def detect_format(data: bytes, name: str) -> str:
    """The reader for a file: PDF, Word and zip by their magic bytes, HTML and XML by their
    opening, else by extension; plain text only under a text extension (or none), so a
    binary or unknown file (.xyz, .dat) is refused by name, not read as text."""
    head = data[:2048].lstrip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            raise IngestError("corrupt zip archive", source=name) from None
        raise UnsupportedFormat("a zip archive that is not a Word document", source=name)
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or ext in ("html", "htm"):
        return "html"
    if low.startswith((b"<?xml", b"<law_data_response")) or ext == "xml":
        from policygraph.ingest.readers.egov import is_egov_xml

        if is_egov_xml(data[:4096]):
            return "egov-xml"
        raise UnsupportedFormat("an XML file that is not an e-Gov law (法令標準XML)", source=name)
    if ext in ("md", "markdown"):
        return "md"
    if ext in TEXT_EXTENSIONS:
        return "txt"
    raise UnsupportedFormat(f"unsupported file type .{ext}: policygraph reads {', '.join(SUPPORTED)} "
                            "(and e-Gov law .xml); rename a plain-text file to .txt", source=name)


def _read(data: bytes, name: str, path: str, max_bytes: int, max_chars: int) -> SourceDocument:
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes is over the {max_bytes}-byte limit", source=name)
    if not data.strip():
        raise EmptyDocument("the file is empty", source=name)
    what = "file"
    try:
        fmt = detect_format(data, name)
        what = f"{fmt} file"
        text, pages = _extract(fmt, data, name, max_chars)
    except IngestError:
        raise
    except Exception as e:  # noqa: BLE001 - a parser library's own error on hostile input
        log.warning("%s: reading the %s failed", name, what, exc_info=True)
        raise IngestError(f"cannot read this {what} ({type(e).__name__})", source=name) from e
    if len(text) > max_chars:
        raise too_many_chars(name, max_chars, len(text))
    if not text.strip():
        raise EmptyDocument("no text in the file", source=name)
    return SourceDocument(
        id=document_id(name), source=name, path=path, text=text,
        checksum=hashlib.sha256(data).hexdigest(), format=fmt, pages=pages,
    )


def _extract(fmt: str, data: bytes, name: str, max_chars: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    if fmt == "pdf":
        from policygraph.ingest.readers.pdf import read_pdf

        return read_pdf(data, name, max_chars)
    if fmt == "docx":
        from policygraph.ingest.readers.docx import read_docx

        return read_docx(data, name, max_chars), ()
    if fmt == "html":
        from policygraph.ingest.readers.html import read_html

        return read_html(data, name), ()
    if fmt == "egov-xml":
        from policygraph.ingest.readers.egov import read_egov_xml

        return read_egov_xml(data, name), ()
    from policygraph.ingest.readers.text import decode_text

    return decode_text(data, name), ()
