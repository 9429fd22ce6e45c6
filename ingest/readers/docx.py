"""DOCX (python-docx): paragraphs, headings as Markdown, tables row by row; zip-bomb checks."""

from __future__ import annotations

import io
import zipfile

from core.errors import IngestError

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 10_000


def check_archive(data: bytes, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise IngestError("suspicious archive (possible zip bomb)", source=name)


def read_docx(data: bytes, name: str) -> str:
    check_archive(data, name)
    import docx

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds
        raise IngestError(f"corrupt Word document ({type(e).__name__})", source=name) from e
    out: list[str] = []
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            p = Paragraph(block, d)
            style = (p.style.name if p.style is not None else "") or ""
            level = _heading_level(style)
            out.append(("#" * level + " " if level else "") + p.text)
        elif tag == "tbl":
            from docx.table import Table

            for row in Table(block, d).rows:
                out.append("\t".join(c.text.strip() for c in row.cells))
    return "\n\n".join(x for x in out if x.strip()) + "\n"


def _heading_level(style: str) -> int:
    for prefix in ("Heading ", "見出し "):
        if style.startswith(prefix) and style[len(prefix):].strip().isdigit():
            return min(6, int(style[len(prefix):]))
    return 0
