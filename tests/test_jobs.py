"""Upload jobs (issue 15): ``POST /api/documents?wait=false`` answers 202 with a job that
is polled at ``/api/jobs/{id}`` for its state, counts and each file's result, on the real
pipeline (GiNZA, the embedder, Qdrant Edge, Oxigraph) in a fresh data directory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from policygraph.api import jobs
from policygraph.api.app import create_app
from policygraph.core.settings import Settings

pytestmark = pytest.mark.slow

KEY = "jobs-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
NOTICE = ("災害時の情報共有体制の整備について\n\n"
          "1 警察庁は、令和9年度中に通報受理システムの更新方針を取りまとめる。\n"
          "2 都道府県警察は、令和8年度末までに訓練計画を改定する。\n")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data=tmp_path_factory.mktemp("jobs"), api_key=SecretStr(KEY), ginza_processes=1)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


def _poll(client: TestClient, location: str, timeout: float = 300) -> dict[str, Any]:
    seen = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location, headers=AUTH).json()
        seen.add(job["state"])
        if job["state"] in ("done", "failed"):
            job["seen"] = seen
            return job
        time.sleep(0.2)
    raise AssertionError(f"job not finished after {timeout} s: {job}")


def test_upload_job_is_polled_to_its_results(client: TestClient) -> None:
    files = [("file", ("notice.txt", NOTICE.encode(), "text/plain")),
             ("file", ("slides.xyz", b"not a format", "application/octet-stream"))]
    r = client.post("/api/documents", params={"wait": "false"}, files=files, headers=AUTH)
    assert r.status_code == 202, r.text
    first = r.json()
    assert r.headers["location"] == f"/api/jobs/{first['id']}"
    assert first["state"] in ("queued", "running") and first["files"] == ["notice.txt", "slides.xyz"]
    job = _poll(client, r.headers["location"])
    assert job["state"] == "done", job
    assert job["counts"]["added"] == 1 and job["counts"]["errors"] == 1 and job["counts"]["documents_done"] == 1
    assert job["counts"]["characters"] == len(NOTICE)
    by_source = {x["source"]: x for x in job["results"]}
    assert by_source["notice.txt"]["status"] == "added" and by_source["notice.txt"]["measures"] >= 2
    assert by_source["slides.xyz"]["status"] == "error" and ".xyz" in by_source["slides.xyz"]["reason"]
    assert job["started"] and job["finished"] and job["error"] is None
    # what the job wrote is there for every reader
    docs = client.get("/api/documents").json()["documents"]
    assert [d["source"] for d in docs] == ["notice.txt"]
    hits = client.get("/api/search", params={"q": "通報受理システムの更新方針"}).json()["hits"]
    assert hits and hits[0]["document"]["source"] == "notice.txt"
    listed = client.get("/api/jobs", headers=AUTH).json()
    assert listed["total"] >= 1 and listed["jobs"][0]["id"] == first["id"]


def test_prefer_respond_async_and_the_same_file_again(client: TestClient) -> None:
    text = NOTICE.replace("通報受理システム", "防災情報システム").encode()
    states = []
    for _ in range(2):
        r = client.post("/api/documents", files={"file": ("prefer.txt", text, "text/plain")},
                        headers={**AUTH, "Prefer": "respond-async"})
        assert r.status_code == 202
        job = _poll(client, r.headers["location"])
        assert job["state"] == "done"
        states.append((job["counts"]["added"], job["counts"]["unchanged"]))
    assert states == [(1, 0), (0, 1)]


def test_waiting_upload_answers_with_results_as_before(client: TestClient, tmp_path: Path) -> None:
    text = NOTICE.replace("令和9年度中", "令和10年度中")
    r = client.post("/api/documents", files={"file": ("notice2.txt", text.encode(), "text/plain")}, headers=AUTH)
    assert r.status_code == 201 and r.json()["results"][0]["status"] == "added"


def test_jobs_need_the_key_and_unknown_ids_are_404(client: TestClient) -> None:
    assert client.get("/api/jobs").status_code in (401, 403)
    assert client.post("/api/documents", params={"wait": "false"},
                       files={"file": ("a.txt", b"x")}).status_code in (401, 403)
    r = client.get("/api/jobs/0123456789abcdef", headers=AUTH)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_too_many_waiting_jobs_are_refused(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "MAX_QUEUED", 0)
    r = client.post("/api/documents", params={"wait": "false"},
                    files={"file": ("n.txt", NOTICE.encode(), "text/plain")}, headers=AUTH)
    assert r.status_code == 503 and "waiting" in r.json()["detail"]
