"""A folder ingest streams in batches: each batch is committed before the next is read,
so a run killed with SIGKILL keeps what it finished, and running it again resumes with
no loss and no duplicate; off a terminal it prints a progress line as it goes.  The next
batch is analysed while the one before is embedded and written, and that writes exactly
what one batch at a time writes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def _folder(tmp: Path) -> list[Path]:
    """Ten documents: the fraud plan's numbered items, one per file (real text, each with
    its own measures), named so that their order is known."""
    text = (CORPUS / "002_612a93dd4efe0060.txt").read_text(encoding="utf-8")
    body = text[text.index("1 「実行犯を生まない」"):] if "1 「実行犯を生まない」" in text else text
    parts = [p for p in re.split(r"\n(?=\(\d+\) )", body) if len(p) > 200][:10]
    assert len(parts) == 10
    folder = tmp / "plans"
    folder.mkdir()
    out = []
    for i, p in enumerate(parts):
        f = folder / f"plan_{i:02d}.txt"
        f.write_text(f"緊急対策プランの抜粋 第{i + 1}部\n\n{p}", encoding="utf-8")
        out.append(f)
    return out


def _ingest(data: Path, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "ingest", str(folder), "--json"],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "POLICYGRAPH_INGEST_BATCH_DOCS": "3", "HF_HUB_OFFLINE": "1", **env})


def test_a_killed_folder_ingest_keeps_its_batches_and_resumes(tmp_path: Path) -> None:
    files = _folder(tmp_path)
    data = tmp_path / "data"
    killed = _ingest(data, files[0].parent, POLICYGRAPH_FAILPOINT="after-batch-2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    # what the first two batches wrote is there, whole
    docs = subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "documents", "--json"],
                          capture_output=True, text=True, timeout=300)
    kept = sorted(d["source"] for d in json.loads(docs.stdout)["documents"])
    assert kept == [f.name for f in files[:6]], kept
    # again: the six are unchanged, the rest added, each once
    again = _ingest(data, files[0].parent)
    assert again.returncode == 0, again.stderr[-2000:]
    status = {r["source"]: r["status"] for r in json.loads(again.stdout)["results"]}
    assert status == {f.name: ("unchanged" if i < 6 else "added") for i, f in enumerate(files)}
    # off a terminal, progress lines as it goes
    assert "policygraph: ingest 10/10 documents" in again.stderr
    assert re.search(r"policygraph: ingest \d+/10 documents, [\d,]+ characters read, [\d,]+ chars/s", again.stderr)
    # graph and index agree, one point per passage: nothing lost, nothing twice
    check = subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "check", "--no-repair"],
                           capture_output=True, text=True, timeout=300)
    res = json.loads(check.stdout)
    assert check.returncode == 0 and res["ok"], res
    assert res["documents"] == 10 and res["points"] == res["passages"] > 10


def test_overlapped_batches_write_what_one_batch_at_a_time_writes(tmp_path: Path) -> None:
    from index_points import points, same_index

    folder = _folder(tmp_path)[0].parent
    runs = {"overlap": _ingest(tmp_path / "overlap", folder),
            "serial": _ingest(tmp_path / "serial", folder, POLICYGRAPH_INGEST_OVERLAP="false")}
    for r in runs.values():
        assert r.returncode == 0, r.stderr[-3000:]
    results = [json.loads(r.stdout)["results"] for r in runs.values()]
    assert results[0] == results[1] and [r["status"] for r in results[0]] == ["added"] * 10
    quads = [sorted(subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(tmp_path / name),
                                    "export", "--format", "nquads"], capture_output=True, text=True, timeout=300,
                                   check=True).stdout.splitlines()) for name in runs]
    assert quads[0] == quads[1] and len(quads[0]) > 100
    same_index(points(tmp_path / "overlap"), points(tmp_path / "serial"))



def test_a_batch_whose_analysis_fails_keeps_the_batches_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   service) -> None:
    """The next batch is analysed in a thread while the one before is written: when its
    analysis fails, the error reaches the caller, the batch before it is committed, and a
    second run writes the rest (nothing lost, nothing twice)."""
    from policygraph.core.settings import Settings
    from policygraph.service import writes
    from policygraph.service.service import Service

    folder = _folder(tmp_path)[0].parent
    real = writes.analyse_documents

    def failing(docs, *args, **kwargs):  # fault injection: the third batch's analysis raises
        if any(d.source == "plan_06.txt" for d in docs):
            raise RuntimeError("injected analysis failure")
        return real(docs, *args, **kwargs)

    svc = Service(Settings(data=tmp_path / "data", ingest_batch_docs=3))
    svc._models["analyzer"] = service.analyzer  # the session's GiNZA, loaded once
    try:
        monkeypatch.setattr(writes, "analyse_documents", failing)
        with pytest.raises(RuntimeError, match="injected"):
            svc.ingest_paths([folder])
        kept = sorted(d["source"] for d in svc.documents()["documents"])
        assert kept == [f"plan_{i:02d}.txt" for i in range(6)]  # batches 1 and 2, whole
        monkeypatch.setattr(writes, "analyse_documents", real)
        again = svc.ingest_paths([folder])
        assert [r["status"] for r in again] == ["unchanged"] * 6 + ["added"] * 4
        assert svc.documents()["total"] == 10
    finally:
        svc.close()


def test_the_embedder_preload_starts_no_thread_once_loaded(service, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first ingest of a process loads the embedder in a thread while it parses; once
    it is loaded, later ingests (every upload of a server) start none."""
    import threading

    from policygraph.service import writes

    started: list[str] = []

    class Recorded(threading.Thread):
        def start(self) -> None:
            started.append(self.name)
            super().start()

    monkeypatch.setattr(writes.threading, "Thread", Recorded)
    assert service.loaded("embedder")  # the corpus was ingested: the embedder is loaded
    service.writes._load_embedder()
    assert started == []
    service._models.pop("embedder")  # as in a fresh process: the preload starts its thread
    try:
        service.writes._load_embedder()
        assert started == ["policygraph-load-embedder"]
    finally:
        service.embedder  # noqa: B018 - loaded again (the thread may still be at it)
