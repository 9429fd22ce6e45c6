"""A constructed document, written to a file, read like any other and analysed: the one
helper of the tests that extract from invented text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file


def analyse_text(service: Any, path: Path, text: str) -> Any:
    """The extracted document of ``text`` written to ``path`` (its suffix picks the reader)."""
    path.write_text(text, encoding="utf-8")
    [x] = analyse([read_file(path)], service.analyzer)
    return x


def measure_with(x: Any, words: str) -> Any:
    """The one measure of ``x`` whose text holds ``words``."""
    [m] = [m for m in x.measures if words in m.text]
    return m


def measure_deadline(m: Any) -> tuple[str, str | None, str | None]:
    """A measure's deadline as annotation.md scores it: its latest dated one, else its first."""
    dated = [d for d in m.deadlines if d.start or d.end]
    d = max(dated, key=lambda d: d.end or d.start or "") if dated else m.deadlines[0]
    return d.kind, d.start, d.end
