"""docs/api.md is the OpenAPI description the app serves, rendered by scripts/api_reference.py:
a route added, removed or changed without re-running the script fails here."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "api_reference.py"
DOC = ROOT / "docs" / "api.md"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_api_md_matches_the_served_openapi() -> None:
    ref = _script()
    expected = ref.render(ref.openapi())
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if current != expected:
        diff = list(difflib.unified_diff(current.splitlines(), expected.splitlines(), "docs/api.md",
                                         "from /openapi.json", lineterm="", n=1))
        shown = "\n".join(diff[:60]) + ("\n…" if len(diff) > 60 else "")
        raise AssertionError(f"docs/api.md is out of date with the app's routes: run "
                             f"`.venv/bin/python scripts/api_reference.py` and commit docs/api.md\n{shown}")


def test_every_served_operation_is_in_the_reference() -> None:
    ref = _script()
    spec = ref.openapi()
    text = ref.render(spec)
    for path, item in spec["paths"].items():
        for method in item:
            assert f"## `{method.upper()} {path}`" in text
