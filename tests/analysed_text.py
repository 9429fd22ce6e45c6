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
