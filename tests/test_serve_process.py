"""The process model: `policygraph serve` owns the data directory; other commands go
through it over HTTP; without a server they open the directory themselves."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).parent / "data" / "corpus"
DOC = "001_214d2fa169fb0a94.txt"


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "POLICYGRAPH_GINZA_PROCESSES": "1"}
    return subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), *args],
                          capture_output=True, text=True, env=env, timeout=600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_local_then_through_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / DOC, docs / DOC)
    r = _cli(data, "ingest", str(docs))
    assert r.returncode == 0, r.stderr
    assert "added" in r.stdout
    local = json.loads(_cli(data, "entity", "警察共通基盤", "--json").stdout)
    assert local["entity"]["label"] == "警察共通基盤"
    bad = _cli(data, "entity", "存在しない名前xyz")
    assert bad.returncode == 2 and "no entity" in bad.stderr
    typo = _cli(data, "entity", "警察共通基板")  # a mistyped name: suggestions, here and through the server
    assert typo.returncode == 2 and "did you mean" in typo.stderr, typo.stderr

    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        for _ in range(120):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start")
        info = json.loads((data / "server.json").read_text())
        assert oct((data / "server.json").stat().st_mode)[-3:] == "600" and info["pid"] == server.pid
        # the CLI now talks to the server (the stores are locked by it)
        q = "PREFIX pg: <https://w3id.org/policygraph/ns#> SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Passage }"
        via_cli = json.loads(_cli(data, "sparql", q).stdout)
        via_http = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": q},
                             headers={"Accept": "application/sparql-results+json"}).json()
        assert via_cli["results"]["bindings"] == via_http["results"]["bindings"]
        typo_remote = _cli(data, "entity", "警察共通基板")
        assert (typo_remote.returncode, typo_remote.stderr) == (typo.returncode, typo.stderr)
        remote = json.loads(_cli(data, "entity", "警察共通基盤システム", "--json").stdout)
        assert remote["entity"]["id"] == local["entity"]["id"]
        hits = json.loads(_cli(data, "search", "マイナンバーカードと運転免許証の一体化", "--json").stdout)["hits"]
        assert hits and hits[0]["document"]["source"] == DOC
        again = _cli(data, "ingest", str(docs / DOC))
        assert again.returncode == 0 and "unchanged" in again.stdout
        # writes over HTTP need a bearer key (here only the server's local token exists)
        up = httpx.post(f"http://127.0.0.1:{port}/api/documents", files={"file": ("x.txt", "本文".encode())})
        assert up.status_code == 401 and up.headers["content-type"].startswith("application/problem+json")
        assert up.headers["www-authenticate"] == "Bearer"
        # an online backup: the server snapshots its own stores and keeps answering
        snap = tmp_path / "snap.tar.gz"
        b = _cli(data, "backup", str(snap))
        assert b.returncode == 0, b.stderr
        assert json.loads(b.stdout)["documents"] == {DOC.rsplit(".", 1)[0]: hashlib.sha256(
            (CORPUS / DOC).read_bytes()).hexdigest()}
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (data / "server.json").exists()
    # restored into a new directory it answers as the original did
    restored = tmp_path / "restored"
    r = _cli(restored, "restore", str(snap))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    again_local = json.loads(_cli(restored, "entity", "警察共通基盤", "--json").stdout)
    assert again_local["entity"] == local["entity"] and len(again_local["mentions"]) == len(local["mentions"])
    hits2 = json.loads(_cli(restored, "search", "マイナンバーカードと運転免許証の一体化", "--json").stdout)["hits"]
    # the same best passage (lower ranks may swap on exact score ties between index layouts)
    assert (hits2[0]["start"], hits2[0]["end"]) == (hits[0]["start"], hits[0]["end"])
