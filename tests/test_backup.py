"""Backup and restore.  A backup of the ingested corpus (the session `service`: the real
pipeline) restored into a new directory answers as the original: same documents and
versions, same graph, same entity, same best hit, a clean check.  Bad input is refused
with exit 2, one line, and nothing changed.  (Backup through a running server is in
tests/test_serve_process.py.)"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from cli_run import one_line as _one_line
from cli_run import run_cli as _cli

from policygraph.core.errors import BadInput
from policygraph.core.settings import Settings
from policygraph.service import backup
from policygraph.service.service import Service

QUERY = "マイナンバーカードと運転免許証の一体化"


def _nquads(svc: Any) -> set[str]:
    return set(svc.graph.dump("nquads").decode("utf-8").splitlines())


@pytest.fixture(scope="module")
def corpus_backup(service: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the session's ingested corpus (read only: the backup writes no document)."""
    dest = tmp_path_factory.mktemp("backup") / "corpus.tar.gz"
    t0 = time.monotonic()
    res = backup.backup(service, dest)
    print(f"\nbackup of {len(res['documents'])} documents: {res['bytes']} bytes in "
          f"{time.monotonic() - t0:.2f} s (write lock held {res['write_lock_s']} s)")
    assert res["documents"] == service.versions() and len(res["documents"]) == 5
    assert res["triples"] == service.graph.triple_count() and res["points"] == service.index.count()
    assert not list(dest.parent.glob("*.partial")) and not list(dest.parent.glob(".pg-backup-*"))
    return dest


@pytest.mark.slow
def test_round_trip_of_the_ingested_corpus(service: Any, corpus_backup: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    manifest = backup.read_manifest(corpus_backup)
    assert manifest["format"] == backup.FORMAT and manifest["software"]["pyoxigraph"]
    assert {f.split("/")[0] for f in manifest["files"]} == {"graph", "qdrant"}
    target = tmp_path / "restored"
    t0 = time.monotonic()
    code, out, err = _cli(capsys, "restore", str(corpus_backup), "--data", str(target))
    print(f"restore + check: {time.monotonic() - t0:.2f} s")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["matches_manifest"] and report["check"]["ok"]
    assert report["documents"] == service.versions()
    assert not list(target.glob(".pg-restore-*"))

    svc = Service(Settings(data=target))
    try:
        assert svc.versions() == service.versions()
        assert svc.documents() == service.documents()
        assert _nquads(svc) == _nquads(service)
        assert svc.entity_by_name("警察共通基盤") == service.entity_by_name("警察共通基盤")
        before, after = service.search(QUERY)["hits"], svc.search(QUERY)["hits"]
        assert before and after
        # the same best passage (lower ranks may swap on exact score ties between index layouts)
        assert after[0]["text"] == before[0]["text"] and after[0]["document"] == before[0]["document"]
        assert (after[0]["start"], after[0]["end"]) == (before[0]["start"], before[0]["end"])
        check = svc.check(repair=False)
        assert check["ok"] and not check["stale_versions"] and not check["orphan_documents"]
        assert check["points"] == svc.info()["passages"]

        # a process holds the restored stores: even --force refuses and changes nothing
        code, _, err = _cli(capsys, "restore", str(corpus_backup), "--data", str(target), "--force")
        assert code == 2 and "in use" in _one_line(err)
        assert svc.search(QUERY)["hits"][0]["text"] == before[0]["text"]
    finally:
        svc.close()

    # not empty: refused without --force, replaced with it
    code, _, err = _cli(capsys, "restore", str(corpus_backup), "--data", str(target))
    assert code == 2 and "--force" in _one_line(err)
    code, out, err = _cli(capsys, "restore", str(corpus_backup), "--data", str(target), "--force")
    assert code == 0 and json.loads(out)["ok"], err

    # the CLI's own backup (no server: it opens the directory) of the restored directory
    again = tmp_path / "again.tar.gz"
    code, out, err = _cli(capsys, "backup", str(again), "--data", str(target))
    assert code == 0, err
    assert json.loads(out)["documents"] == service.versions()
    m2 = backup.read_manifest(again)
    assert (m2["documents"], m2["triples"], m2["points"]) == (manifest["documents"], manifest["triples"],
                                                              manifest["points"])
    code, _, err = _cli(capsys, "backup", str(again), "--data", str(target))
    assert code == 2 and "exists" in _one_line(err)  # never overwrites


def _tar(path: Path, members: dict[str, bytes], link: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


def _manifest(files: dict[str, bytes] | None = None, **kw: Any) -> bytes:
    listed = {k: {"size": len(v), "sha256": hashlib.sha256(v).hexdigest()} for k, v in (files or {}).items()}
    return json.dumps({"format": backup.FORMAT, "created": "2026-01-01T00:00:00Z", "documents": {},
                       "triples": 0, "points": 0, "files": listed, **kw}).encode()


CASES = {
    "missing": ("no such backup file", None),
    "not-tar": ("not a tar archive", None),
    "truncated": ("not a policygraph backup", None),
    "no-manifest": ("manifest", {"graph/x": b"1"}),
    "other-format": ("manifest", {"manifest.json": b'{"format": "something-else"}'}),
    "manifest-not-json": ("not a policygraph backup", {"manifest.json": b"{"}),
    "manifest-no-counts": ("damaged backup manifest", {"manifest.json": b'{"format": "policygraph-backup/1"}'}),
    "escape": ("unsafe", {"manifest.json": _manifest(), "graph/../../evil": b"x"}),
    "absolute": ("unsafe", {"manifest.json": _manifest(), "/tmp/evil": b"x"}),
    "other-folder": ("unsafe", {"manifest.json": _manifest(), "evil/x": b"x"}),
    "symlink": ("unsafe", {"manifest.json": _manifest()}),
    "no-qdrant": ("no qdrant/", {"manifest.json": _manifest({"graph/x": b"1"}), "graph/x": b"1"}),
    "bad-checksum": ("damaged backup", {"manifest.json": _manifest({"graph/x": b"1", "qdrant/y": b"2"}),
                                        "graph/x": b"9", "qdrant/y": b"2"}),
    "file-not-listed": ("damaged backup", {"manifest.json": _manifest({"qdrant/y": b"2"}),
                                           "graph/x": b"1", "qdrant/y": b"2"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_restore_refuses_bad_archives_and_changes_nothing(tmp_path: Path, case: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    reason, members = CASES[case]
    src = tmp_path / f"{case}.tar.gz"
    if case == "not-tar":
        src.write_bytes(b"just some bytes")
    elif case == "truncated":
        _tar(src, {"manifest.json": _manifest(), "graph/x": b"1" * 100_000})
        src.write_bytes(src.read_bytes()[:60])
    elif members is not None:
        _tar(src, members, link="graph/link" if case == "symlink" else None)
    target = tmp_path / "target"
    code, out, err = _cli(capsys, "restore", str(src), "--data", str(target))
    assert code == 2 and reason in _one_line(err) and not out, err
    assert not target.exists()  # not even the directory
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()


def test_backup_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    code, _, err = _cli(capsys, "backup", str(tmp_path / "b.tar.gz"), "--data", str(empty))
    assert code == 2 and "nothing to back up" in _one_line(err)
    assert not empty.exists()  # looking did not create a store
    svc = Service(Settings(data=tmp_path / "src"))  # an empty store
    try:
        with pytest.raises(BadInput, match="no such folder"):
            backup.backup(svc, tmp_path / "nowhere" / "b.tar.gz")
        # the directory is held (here by this process, as a server would): refused, named
        code, _, err = _cli(capsys, "backup", str(tmp_path / "b.tar.gz"), "--data", str(tmp_path / "src"))
        assert code == 2 and "in use" in _one_line(err)
    finally:
        svc.close()
    # an empty directory round-trips too
    code, out, err = _cli(capsys, "backup", str(tmp_path / "b.tar.gz"), "--data", str(tmp_path / "src"))
    assert code == 0 and json.loads(out)["documents"] == {}, err
    code, out, err = _cli(capsys, "restore", str(tmp_path / "b.tar.gz"), "--data", str(tmp_path / "new"))
    assert code == 0 and json.loads(out)["ok"], err


@pytest.mark.parametrize("var", ["POLICYGRAPH_SPARQL_ENDPOINT", "POLICYGRAPH_QDRANT_URL"])
def test_external_stores_are_refused(tmp_path: Path, var: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(var, "http://127.0.0.1:9")  # nothing is contacted
    data = tmp_path / f"ext-{var}"  # a fresh Settings (they are cached per data directory)
    code, _, err = _cli(capsys, "backup", str(tmp_path / "b.tar.gz"), "--data", str(data))
    assert code == 2 and "their own tools" in _one_line(err) and "back up" in err
    (tmp_path / "x.tar.gz").write_bytes(b"")
    code, _, err = _cli(capsys, "restore", str(tmp_path / "x.tar.gz"), "--data", str(data))
    assert code == 2 and "their own tools" in _one_line(err) and "restore the SPARQL" in err
    assert not data.exists()


@pytest.fixture
def healthy_server() -> Iterator[str]:
    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Ok)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_restore_refuses_a_directory_a_running_server_holds(tmp_path: Path, healthy_server: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    svc = Service(Settings(data=tmp_path / "src"))
    try:
        dest = tmp_path / "b.tar.gz"
        backup.backup(svc, dest)
    finally:
        svc.close()
    busy = tmp_path / "busy"
    busy.mkdir()
    # a server file counts when it records this directory and a live pid (here: this process)
    mine = {"url": healthy_server, "pid": os.getpid(), "token": "t", "data": str(busy.resolve())}
    (busy / "server.json").write_text(json.dumps(mine))
    code, _, err = _cli(capsys, "restore", str(dest), "--data", str(busy))
    assert code == 2 and "stop it" in _one_line(err) and healthy_server in err
    assert not (busy / "graph").exists()
    # a server file left by a server that is gone does not block a restore
    (busy / "server.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 4242, "token": "t"}))
    code, out, err = _cli(capsys, "restore", str(dest), "--data", str(busy))
    assert code == 0 and json.loads(out)["ok"], err
    # nor does one copied from another directory, one recording none, or one naming a pid that is gone
    for other in ({"data": str(tmp_path / "src")}, {"data": None}, {"pid": 2**22 + 12345}):
        (busy / "server.json").write_text(json.dumps({**mine, **other}))
        code, out, err = _cli(capsys, "restore", str(dest), "--data", str(busy), "--force")
        assert code == 0 and json.loads(out)["ok"], err
