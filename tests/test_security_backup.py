"""Security regressions for backup, restore and the CLI's server file.  Each test makes
the attack through the public interface (the CLI, a real `policygraph serve`) and checks
the refusal and that nothing changed where nothing should:

* a `restore --force` whose archive does not match its manifest leaves the stores as
  they were (verified before the swap);
* `backup` never writes through a symlink (at ``DEST.partial`` or DEST), never replaces
  what is at DEST, writes 0600, and an unwritable folder is bad input naming the file
  (CLI exit 2, HTTP 400);
* `serve` writes ``server.json`` as a new 0600 file every start (an old file's mode or a
  symlink there does not matter) recording its data directory; the CLI ignores a server
  file copied from another directory or left by a dead server.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_run import one_line as _one_line
from cli_run import run_cli as _cli

from policygraph.core.errors import BadInput
from policygraph.core.settings import Settings
from policygraph.service import backup
from policygraph.service.service import Service


def _state(capsys: pytest.CaptureFixture[str], data: Path) -> tuple[Any, str]:
    """What the directory answers: its documents and its whole graph."""
    code, docs, err = _cli(capsys, "--data", str(data), "documents", "--json")
    assert code == 0, err
    code, dump, err = _cli(capsys, "--data", str(data), "export", "--format", "nquads")
    assert code == 0, err
    return json.loads(docs), "\n".join(sorted(dump.splitlines()))


def _ids(docs: Any) -> set[str]:
    return {d["id"] for d in docs["documents"]}


def _empty_store(data: Path) -> Path:
    Service(Settings(data=data)).close()
    return data


@pytest.fixture(scope="module")
def corpus_archive(service: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the session's ingested corpus (5 documents)."""
    dest = tmp_path_factory.mktemp("secbackup") / "corpus.tar.gz"
    backup.backup(service, dest)
    return dest


def _restored(capsys: pytest.CaptureFixture[str], archive: Path, data: Path) -> Path:
    code, _, err = _cli(capsys, "--data", str(data), "restore", str(archive))
    assert code == 0, err
    return data


def _rewrite_manifest(good: Path, bad: Path, **changes: Any) -> Path:
    """``good`` with its manifest's counts changed: the file hashes still match."""
    with tarfile.open(good, "r:*") as src, tarfile.open(bad, "w:gz") as dst:
        for m in src.getmembers():
            f = src.extractfile(m) if m.isfile() else None
            if m.name == backup.MANIFEST and f is not None:
                manifest = {**json.loads(f.read()), **changes}
                data = json.dumps(manifest).encode()
                m.size = len(data)
                dst.addfile(m, io.BytesIO(data))
            else:
                dst.addfile(m, f)
    return bad


# ---- item 7: verify before the swap ---------------------------------------------------

@pytest.mark.slow
def test_restore_force_of_a_mismatching_archive_leaves_the_stores(
        corpus_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = backup.read_manifest(corpus_archive)
    data = _restored(capsys, corpus_archive, tmp_path / "data")
    gone = sorted(manifest["documents"])[0]
    code, _, err = _cli(capsys, "--data", str(data), "delete", gone)  # now it differs from the archive
    assert code == 0, err
    before = _state(capsys, data)
    assert _ids(before[0]) == set(manifest["documents"]) - {gone}

    wrong = {"triples": manifest["triples"] + 1, "points": manifest["points"] + 1,
             "documents": {**manifest["documents"], gone: "0" * 64}}
    for field, value in wrong.items():
        bad = _rewrite_manifest(corpus_archive, tmp_path / f"bad-{field}.tar.gz", **{field: value})
        code, out, err = _cli(capsys, "--data", str(data), "restore", str(bad), "--force")
        assert code == 1, (field, err)
        line = _one_line(err)
        assert "do not match its manifest" in line and "nothing was restored" in line, line
        report = json.loads(out)
        assert report["ok"] is False and report["restored"] is None and not report["matches_manifest"]
        assert _state(capsys, data) == before, field  # the same documents, the same graph
        assert not list(data.glob(".pg-restore-*"))
    code, out, err = _cli(capsys, "--data", str(data), "check", "--no-repair")
    assert code == 0 and json.loads(out)["ok"], out + err

    # the good archive still replaces them, verified the same way
    code, out, err = _cli(capsys, "--data", str(data), "restore", str(corpus_archive), "--force")
    assert code == 0 and json.loads(out)["ok"], err
    assert _ids(_state(capsys, data)[0]) == set(manifest["documents"])


def test_a_mismatching_archive_into_a_new_directory_leaves_no_trace(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.tar.gz"
    svc = Service(Settings(data=tmp_path / "src"))
    try:
        backup.backup(svc, good)
    finally:
        svc.close()
    triples = backup.read_manifest(good)["triples"]
    bad = _rewrite_manifest(good, tmp_path / "bad.tar.gz", triples=triples + 7)
    target = tmp_path / "new"
    code, out, err = _cli(capsys, "--data", str(target), "restore", str(bad))
    assert code == 1 and f"triples {triples}, manifest {triples + 7}" in _one_line(err)
    assert not json.loads(out)["ok"]
    assert not target.exists()


# ---- item 8 and 13: how backup writes its file ---------------------------------------

def test_backup_does_not_follow_a_symlink_at_partial(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _empty_store(tmp_path / "data")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dest = out_dir / "b.tar.gz"
    planted = out_dir / "b.tar.gz.partial"
    planted.symlink_to(victim)
    code, out, err = _cli(capsys, "--data", str(data), "backup", str(dest))
    assert code == 0, err
    assert victim.read_text() == "precious" and planted.is_symlink() and planted.readlink() == victim
    st = os.lstat(dest)
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    assert backup.read_manifest(dest)["documents"] == {} and json.loads(out)["backup"] == str(dest)
    assert sorted(p.name for p in out_dir.iterdir()) == ["b.tar.gz", "b.tar.gz.partial"]


def test_backup_never_replaces_what_is_at_dest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _empty_store(tmp_path / "data")
    victim = tmp_path / "victim.txt"  # not there yet: the link at DEST dangles
    dest = tmp_path / "b.tar.gz"
    dest.symlink_to(victim)
    code, _, err = _cli(capsys, "--data", str(data), "backup", str(dest))
    assert code == 2 and "exists" in _one_line(err)
    assert not victim.exists() and dest.is_symlink()
    # the server route's way in (no CLI pre-check) refuses it too
    svc = Service(Settings(data=data))
    try:
        with pytest.raises(BadInput, match="exists"):
            backup.backup(svc, dest)
    finally:
        svc.close()
    assert not victim.exists() and dest.is_symlink()
    # something that appears at DEST while the archive is written is not replaced either
    archive, other = tmp_path / "archive", tmp_path / "other.tar.gz"
    archive.write_bytes(b"new")
    other.write_bytes(b"someone else's")
    with pytest.raises(BadInput, match="exists"):
        backup._publish(archive, other)
    assert other.read_bytes() == b"someone else's"


def _refuses_new_files(folder: Path) -> bool:
    try:
        (folder / "pg-probe").touch()
    except OSError:
        return True
    (folder / "pg-probe").unlink()
    return False


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write (root ignores mode bits: then sysfs)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if _refuses_new_files(folder):
            yield folder
        elif Path("/sys").is_dir() and _refuses_new_files(Path("/sys")):
            yield Path("/sys")
        else:
            pytest.skip("no folder here refuses this process a new file")
    finally:
        folder.chmod(0o700)


def test_backup_to_an_unwritable_folder_is_bad_input(tmp_path: Path, unwritable: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = _empty_store(tmp_path / "data")
    dest = unwritable / "pg-backup.tar.gz"
    code, _, err = _cli(capsys, "--data", str(data), "backup", str(dest))
    assert code == 2 and f"cannot write {dest}" in _one_line(err), err
    assert not dest.exists()


# ---- items 10, 11 and 13: a real server and its server.json ----------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(data: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "POLICYGRAPH_GINZA_PROCESSES": "1"}
    server = subprocess.Popen([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("before", ["readable-file", "symlink"])
def test_server_file_is_a_new_private_file_every_start(tmp_path: Path, before: str) -> None:
    data = _empty_store(tmp_path / "data")
    decoy = tmp_path / "decoy.json"
    decoy.write_text("decoy")
    decoy.chmod(0o644)
    info_path = data / "server.json"
    if before == "symlink":
        info_path.symlink_to(decoy)
    else:
        info_path.write_text('{"old": true}')
        info_path.chmod(0o644)
    with _serving(data) as (server, url):
        st = os.lstat(info_path)
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
        info = json.loads(info_path.read_text())
        assert info["pid"] == server.pid and info["url"] == url and info["token"]
        assert info["data"] == str(data.resolve())
        assert decoy.read_text() == "decoy" and stat.S_IMODE(decoy.stat().st_mode) == 0o644
        assert sorted(p.name for p in data.iterdir() if p.name.startswith(".server")) == []
    assert not os.path.lexists(info_path)


@pytest.mark.slow
def test_a_server_file_of_another_directory_is_ignored(corpus_archive: Path, tmp_path: Path, unwritable: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    a = _restored(capsys, corpus_archive, tmp_path / "a")
    b = _restored(capsys, corpus_archive, tmp_path / "b")
    doc = sorted(backup.read_manifest(corpus_archive)["documents"])[0]
    with _serving(a) as (_, url):
        real = json.loads((a / "server.json").read_text())
        shutil.copy(a / "server.json", b / "server.json")  # the attack: a copied server file
        code, out, err = _cli(capsys, "--data", str(b), "delete", doc)
        assert code == 0 and json.loads(out)["status"] == "deleted", err
        assert "ignoring" in _one_line(err) and "another data directory" in err
        on_a = httpx.get(f"{url}/api/documents").json()
        assert doc in _ids(on_a)  # the live server of a was not touched
        assert doc not in _ids(_state(capsys, b)[0])  # b, the directory named, was

        # one that names b but a server that is gone: ignored too (b is backed up itself)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (b / "server.json").write_text(json.dumps({**real, "pid": dead.pid, "data": str(b.resolve())}))
        code, out, err = _cli(capsys, "--data", str(b), "backup", str(tmp_path / "b.tar.gz"))
        assert code == 0 and doc not in json.loads(out)["documents"], err
        assert "not running" in _one_line(err)

        # restore applies the same rule: a's server does not hold b; it does hold a
        shutil.copy(a / "server.json", b / "server.json")
        code, out, err = _cli(capsys, "--data", str(b), "restore", str(corpus_archive), "--force")
        assert code == 0 and json.loads(out)["ok"], err
        code, _, err = _cli(capsys, "--data", str(a), "restore", str(corpus_archive), "--force")
        assert code == 2 and "stop it" in _one_line(err) and url in err

        # item 13 through the server: an unwritable destination is bad input naming the file
        dest = unwritable / "pg-backup.tar.gz"
        code, _, err = _cli(capsys, "--data", str(a), "backup", str(dest))
        assert code == 2 and f"cannot write {dest}" in _one_line(err), err
        r = httpx.post(f"{url}/api/backup", data={"path": str(dest)},
                       headers={"Authorization": f"Bearer {real['token']}"})
        assert r.status_code == 400 and str(dest) in r.json()["detail"], r.text
        assert doc in _ids(httpx.get(f"{url}/api/documents").json())


@pytest.mark.parametrize("args", [["search", "警察"], ["entity", "警察庁"], ["measures"], ["documents"],
                                  ["sparql", "ASK {}"], ["export"], ["check"]])
def test_a_read_on_a_directory_without_data_names_it_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    """The interface's "data directory mistakes": a mistyped --data exits 2 naming the
    directory, never opening (and so creating) an empty store there."""
    missing = tmp_path / "mistyped"
    code, out, err = _cli(capsys, "--data", str(missing), *args)
    assert code == 2 and str(missing) in _one_line(err) and "no policygraph data" in err, (args, err)
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _cli(capsys, "--data", str(empty), *args)
    assert code == 2 and str(empty) in err
    assert list(empty.iterdir()) == []
