"""Request body limits at the HTTP edge: refused with 413 problem+json before a route
reads the body, by Content-Length or, for chunked bodies, as the bytes arrive; nothing
is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from policygraph.api.app import create_app
from policygraph.core.settings import Settings
from policygraph.service.service import Service

KEY = "limits-test-key"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Service]]:
    settings = Settings(data=tmp_path_factory.mktemp("limits"), api_key=SecretStr(KEY), max_body_bytes=4096,
                        max_upload_bytes=10_000)
    svc = Service(settings)
    with TestClient(create_app(settings, service=svc), base_url="http://127.0.0.1") as c:
        yield c, svc
    svc.close()


def _is_413(r: object) -> None:
    assert r.status_code == 413, (r.status_code, r.text)  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert "bytes" in r.json()["detail"]  # type: ignore[attr-defined]


def test_small_sparql_post_is_answered(client: tuple[TestClient, Service]) -> None:
    c, _ = client
    r = c.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": False}


def test_body_over_the_limit_by_content_length(client: tuple[TestClient, Service]) -> None:
    c, _ = client
    query = "ASK { ?s ?p ?o } #" + "x" * 5000
    _is_413(c.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}))


def test_chunked_body_over_the_limit(client: tuple[TestClient, Service]) -> None:
    c, _ = client

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    _is_413(c.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}))


def test_upload_over_the_limit_changes_nothing(client: tuple[TestClient, Service], tmp_path: Path) -> None:
    c, svc = client
    before = svc.documents()["total"]
    line = "警察庁は、令和8年度中に検討する。\n"
    # ≈ 50 kB: within the multipart slack, refused by the route; ≈ 150 kB: by the middleware
    for n in (1000, 3000):
        r = c.post("/api/documents", files={"file": ("big.txt", (line * n).encode(), "text/plain")},
                   headers={"Authorization": f"Bearer {KEY}"})
        _is_413(r)
    assert svc.documents()["total"] == before
    assert not svc.index.exists() or not svc.index.all_doc_versions()


def test_writes_need_the_key_before_the_body_is_read(client: tuple[TestClient, Service]) -> None:
    c, _ = client
    r = c.post("/api/documents", files={"file": ("a.txt", "本文".encode(), "text/plain")})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = c.post("/api/documents", files={"file": ("a.txt", "本文".encode(), "text/plain")},
               headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
