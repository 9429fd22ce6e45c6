"""PDF text layer (pypdf): running headers/footers and page numbers removed, pages kept."""

from __future__ import annotations

import io
import re
from collections import Counter

from core.errors import EmptyDocument, IngestError

_PAGE_NO = re.compile(r"^\s*[-－ー―‐(（]?\s*[0-9０-９]{1,4}\s*(?:/\s*[0-9]{1,4})?\s*[-－ー―‐)）]?\s*$")


def read_pdf(data: bytes, name: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF", source=name)
        pages = [p.extract_text() or "" for p in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise IngestError(f"corrupt or truncated PDF ({e})", source=name) from e
    if not any(p.strip() for p in pages):
        raise EmptyDocument("no text layer; OCR is not supported", source=name)
    repeated = _running(pages)
    out: list[str] = []
    starts: list[tuple[int, int]] = []
    pos = 0
    for i, page in enumerate(pages, 1):
        lines = [ln for ln in page.split("\n") if not _PAGE_NO.match(ln) and _key(ln) not in repeated]
        chunk = "\n".join(lines).strip() + "\n\n"
        starts.append((i, pos))
        out.append(chunk)
        pos += len(chunk)
    return "".join(out), tuple(starts)


def _key(line: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", line.strip())


def _running(pages: list[str]) -> set[str]:
    """Lines among the first/last two of a page that recur on most pages."""
    if len(pages) < 2:
        return set()
    c: Counter[str] = Counter()
    for p in pages:
        lines = [ln for ln in p.split("\n") if ln.strip()]
        c.update({_key(ln) for ln in lines[:2] + lines[-2:]})
    return {k for k, n in c.items() if n >= max(2, len(pages) * 0.6) and k}
