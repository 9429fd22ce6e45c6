"""Session fixtures: the real pipeline (GiNZA, the default e5-small embedder through
sentence-transformers, on-disk Qdrant Edge and Oxigraph) over the sample corpus, once."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
# test helpers (sample_graph, live_server, …) import by name; tests/ is not a package
sys.path.insert(0, str(Path(__file__).resolve().parent))
CORPUS = ROOT / "tests" / "data" / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A real chromium for a module's browser tests (tests/browser_tools.py)."""
    from browser_tools import launched

    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def server(service: object) -> Iterator[object]:
    """The app over the session's corpus on a live port (a module may define its own)."""
    from live_server import LiveServer

    from policygraph.api.app import create_app

    with LiveServer(create_app(service.settings, service=service)) as live:  # type: ignore[attr-defined]
        yield live


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pgdata")


@pytest.fixture(scope="session")
def service(data_dir: Path) -> Iterator[object]:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    svc = Service(Settings(data=data_dir, ginza_processes=2))
    results = svc.ingest_paths([CORPUS])
    assert [r["status"] for r in results] == ["added"] * 5, results
    yield svc
    svc.close()
