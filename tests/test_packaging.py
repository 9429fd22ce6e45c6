"""What `pip install policygraph` puts on a machine: one package, `policygraph`, holding
the design folders as its subpackages (with their data files), and nothing else at the
top level, so no other project's `api` or `graph` module is shadowed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_the_wheel_holds_only_policygraph(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("policygraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith((".dist-info", ".data"))}
    assert top == {"policygraph"}, top
    for sub in ("api", "core", "graph", "indexes", "ingest", "ingest/readers", "ingest/extract", "ontology", "service"):
        assert f"policygraph/{sub}/__init__.py" in names, sub
    assert "policygraph/ontology/policygraph.ttl" in names
    assert "policygraph/api/static/index.html" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "policygraph = policygraph.api.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_the_package_imports_from_anywhere(tmp_path: Path) -> None:
    code = ("import importlib.util, policygraph.api, policygraph.api.cli;"
            "print(importlib.util.find_spec('api') is None and importlib.util.find_spec('graph') is None)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
