"""Backup and restore refuse bad input with a reason and change nothing; a backup of a
directory restores to the same stores.  (The round trip of a real ingested directory
through a running server is in tests/test_serve_process.py.)"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from api import backup
from api.cli import main
from api.service import Service
from core.errors import BadInput
from core.settings import Settings


def _empty_backup(tmp_path: Path) -> Path:
    svc = Service(Settings(data=tmp_path / "src"))
    try:
        dest = tmp_path / "b.tar.gz"
        res = backup.backup(svc, dest)
        assert res["documents"] == {} and dest.is_file()
        with pytest.raises(BadInput, match="exists"):
            backup.backup(svc, dest)  # never overwrites
        with pytest.raises(BadInput, match="no such folder"):
            backup.backup(svc, tmp_path / "nowhere" / "b.tar.gz")
    finally:
        svc.close()
    return dest


def test_backup_restore_round_trip_of_a_directory(tmp_path: Path) -> None:
    dest = _empty_backup(tmp_path)
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".pg-backup-*"))
    target = tmp_path / "restored"
    res = backup.restore(dest, target)
    assert res["documents"] == {} and (target / "graph").is_dir() and (target / "qdrant").is_dir()
    svc = Service(Settings(data=target))
    try:
        assert backup.verify(svc, backup.read_manifest(dest))["ok"]
    finally:
        svc.close()
    # a second restore into it needs --force
    with pytest.raises(BadInput, match="--force"):
        backup.restore(dest, target)
    backup.restore(dest, target, force=True)


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("case", ["missing", "not-tar", "no-manifest", "other-format", "escape", "absolute"])
def test_restore_refuses_bad_archives_and_changes_nothing(tmp_path: Path, case: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    manifest = json.dumps({"format": backup.FORMAT, "documents": {}, "triples": 0, "points": 0,
                           "created": "2026-01-01T00:00:00Z"}).encode()
    src = tmp_path / f"{case}.tar.gz"
    if case == "not-tar":
        src.write_bytes(b"just some bytes")
    elif case == "no-manifest":
        _tar(src, {"graph/x": b"1"})
    elif case == "other-format":
        _tar(src, {"manifest.json": b'{"format": "something-else"}'})
    elif case == "escape":
        _tar(src, {"manifest.json": manifest, "graph/../../evil": b"x"})
    elif case == "absolute":
        _tar(src, {"manifest.json": manifest, "/tmp/evil": b"x"})
    target = tmp_path / "target"
    code = main(["restore", str(src), "--data", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("policygraph: ") and len(err.strip().splitlines()) == 1, err
    assert not (target / "graph").exists() and not (target / "qdrant").exists()
    assert not (tmp_path / "evil").exists()


def test_restore_refuses_a_directory_a_server_holds(tmp_path: Path) -> None:
    dest = _empty_backup(tmp_path)
    target = tmp_path / "busy"
    target.mkdir()
    (target / "server.json").write_text("{}")
    with pytest.raises(BadInput, match="server"):
        backup.restore(dest, target)
