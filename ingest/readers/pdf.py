"""PDF text layer (pypdf): running headers/footers and page numbers removed, pages kept."""

from __future__ import annotations

import io
import re
from collections import Counter

from policygraph.core.errors import EmptyDocument, IngestError

_PAGE_NO = re.compile(r"^\s*[-－ー―‐(（]?\s*[0-9０-９]{1,4}\s*(?:/\s*[0-9]{1,4})?\s*[-－ー―‐)）]?\s*$")


def read_pdf(data: bytes, name: str, max_chars: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    from policygraph.ingest.readers import too_many_chars

    pages: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF", source=name)
        size = 0
        for pdf_page in reader.pages:  # stops once the text is over the limit
            pages.append(pdf_page.extract_text() or "")
            size += len(pages[-1])
            if size > max_chars:
                raise too_many_chars(name, max_chars)
    except IngestError:
        raise
    except LimitReachedError as e:  # pypdf's guard against decompression bombs and loops
        raise IngestError(f"PDF over pypdf's safety limits ({_short(e)})", source=name) from e
    except Exception as e:  # noqa: BLE001 - "broken PDF files might cause other Exceptions" (pypdf)
        raise IngestError(f"corrupt or truncated PDF ({type(e).__name__}: {_short(e)})", source=name) from e
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


def _short(e: Exception) -> str:
    msg = str(e)
    return msg if len(msg) <= 200 else msg[:200] + "…"


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
