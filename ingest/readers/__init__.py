"""Readers: bytes of a file → SourceDocument (decoded original text + provenance).

The format is detected from the content (``%PDF``, a zip holding ``word/document.xml``,
``<html``, e-Gov law XML ``<Law>``), the extension is only a hint.  Text encodings are
detected, not guessed from the extension: UTF-8 (with or without BOM), UTF-16 with BOM, then Japanese
legacy encodings (CP932/Shift_JIS, EUC-JP, ISO-2022-JP) verified by strict decoding.
Every refusal is a typed :class:`core.errors.IngestError` naming the file.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from core.errors import EmptyDocument, IngestError, TooLarge, UnsupportedFormat
from core.ids import document_id
from core.records import SourceDocument

MAX_BYTES = 20 * 1024 * 1024


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


def read_file(path: Path, *, max_bytes: int = MAX_BYTES, source_name: str | None = None) -> SourceDocument:
    name = safe_name(source_name or path.name)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise IngestError(f"cannot read: {e.strerror}", source=name) from e
    if size > max_bytes:
        raise TooLarge(f"{size} bytes is over the {max_bytes}-byte limit", source=name)
    return _read(path.read_bytes(), name, str(path), max_bytes)


def read_bytes(data: bytes, source_name: str, *, max_bytes: int = MAX_BYTES) -> SourceDocument:
    name = safe_name(source_name)
    return _read(data, name, f"upload:{name}", max_bytes)


def detect_format(data: bytes, name: str) -> str:
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
    if low.startswith(b"<?xml") or ext == "xml":
        from ingest.readers.egov import is_egov_xml

        if is_egov_xml(data[:4096]):
            return "egov-xml"
        raise UnsupportedFormat("an XML file that is not an e-Gov law (法令標準XML)", source=name)
    if ext in ("md", "markdown"):
        return "md"
    return "txt"


def _read(data: bytes, name: str, path: str, max_bytes: int) -> SourceDocument:
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes is over the {max_bytes}-byte limit", source=name)
    if not data.strip():
        raise EmptyDocument("the file is empty", source=name)
    fmt = detect_format(data, name)
    pages: tuple[tuple[int, int], ...] = ()
    if fmt == "pdf":
        from ingest.readers.pdf import read_pdf

        text, pages = read_pdf(data, name)
    elif fmt == "docx":
        from ingest.readers.docx import read_docx

        text = read_docx(data, name)
    elif fmt == "html":
        from ingest.readers.html import read_html

        text = read_html(data, name)
    elif fmt == "egov-xml":
        from ingest.readers.egov import read_egov_xml

        text = read_egov_xml(data, name)
    else:
        from ingest.readers.text import decode_text

        text = decode_text(data, name)
    if not text.strip():
        raise EmptyDocument("no text in the file", source=name)
    return SourceDocument(
        id=document_id(name), source=name, path=path, text=text,
        checksum=hashlib.sha256(data).hexdigest(), format=fmt, pages=pages,
    )
