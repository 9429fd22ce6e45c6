"""DOCX (python-docx): paragraphs with the numbers and bullets Word prints before them
(:mod:`docx_numbering`), headings as Markdown, tables row by row; zip-bomb checks.

The archive is checked from its directory before anything is decompressed (``zipfile``
stops every member at its declared size, so the declared sizes bound the work).  A
merged table cell's text is taken once, from the ``<w:tc>`` that holds it: python-docx's
``row.cells`` repeats it for every grid column it spans (``gridSpan``) and every row below
(``vMerge``), which lets a small file expand to millions of characters.  Extraction stops
as soon as the text is over ``max_chars``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from policygraph.core.errors import IngestError

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 10_000


def check_archive(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
        raise IngestError(f"corrupt zip archive ({type(e).__name__})", source=name) from e
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise IngestError("suspicious archive (possible zip bomb)", source=name)
    # Word writes deflate or stored members; bzip2/lzma chunks are not size-limited when
    # zipfile decompresses them, and encrypted members cannot be read
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or i.flag_bits & 0x1
           for i in infos):
        raise IngestError("a zip member is encrypted or not deflate-compressed: not a Word document",
                          source=name)


def read_docx(data: bytes, name: str, max_chars: int) -> str:
    from policygraph.ingest.readers import too_many_chars

    check_archive(data, name)
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds
        raise IngestError(f"corrupt Word document ({type(e).__name__})", source=name) from e
    out: list[str] = []
    size = -1  # the length of the joined text below
    for text in _blocks(d):
        if text.strip():
            out.append(text)
            size += len(text) + 2
            if size > max_chars:
                raise too_many_chars(name, max_chars)
    return "\n\n".join(out) + "\n"


def _blocks(d: Any) -> Iterator[str]:
    """Paragraphs (headings as Markdown) and table rows of the body, in order."""
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    from policygraph.ingest.readers.docx_numbering import read_numbering

    numbering = read_numbering(d)
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(block, d)
            style = (p.style.name if p.style is not None else "") or ""
            level = _heading_level(style)
            # (the number or bullet Word prints before it: 8.2 日付の表記, ・…)
            number = numbering.prefix(block) if p.text.strip() else ""
            yield ("#" * level + " " if level else "") + number + p.text
        elif tag == "tbl":
            table = Table(block, d)
            for tr in block.tr_lst:
                # each <w:tc> once; a vertically merged cell's continuation is empty
                yield "\t".join("" if tc.vMerge == "continue" else _Cell(tc, table).text.strip()
                                 for tc in tr.tc_lst)


def _heading_level(style: str) -> int:
    for prefix in ("Heading ", "見出し "):
        if style.startswith(prefix) and style[len(prefix):].strip().isdigit():
            return min(6, int(style[len(prefix):]))
    return 0
