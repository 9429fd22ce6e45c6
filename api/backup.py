"""Backup and restore of a data directory: both embedded stores, one consistent snapshot.

``backup(service, dest)`` runs under the service's write lock, so no document version
is half-written: the Oxigraph store is checkpointed with its own ``Store.backup`` (a
RocksDB checkpoint) and the Qdrant Edge shard, flushed, is copied; with a manifest
(format, time, every document's version, triple and point counts) they go into one
``.tar.gz``.  Through a running server (``policygraph backup`` finds it by
``DATA/server.json``) the same happens inside the server, which keeps answering.

``restore(src, data, force)`` checks the archive (a manifest of our format, no member
outside the archive's own folders, no links), unpacks it next to the data directory
and moves it into place; an existing directory with stores in it is replaced only with
``force``.  The restored directory is then opened and checked (graph ↔ index).

External stores (a SPARQL server, a Qdrant server) have their own backup tools
(Virtuoso ``checkpoint`` + backup, Qdrant snapshots); backup refuses to pretend.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from core.errors import BadInput

FORMAT = "policygraph-backup/1"
MANIFEST = "manifest.json"
PARTS = ("graph", "qdrant")


def backup(service: Any, dest: Path) -> dict[str, Any]:
    from graph.store import OxigraphStore
    from indexes.edge import EdgeIndex

    s = service.settings
    if not isinstance(service.graph, OxigraphStore) or not isinstance(service.index, EdgeIndex):
        raise BadInput("backup covers the embedded stores only; back up the SPARQL server and the Qdrant "
                       "server with their own tools (Virtuoso checkpoint/backup, Qdrant snapshots)")
    dest = Path(dest)
    if dest.exists():
        raise BadInput(f"{dest} exists: choose a new file name", source=str(dest))
    if not dest.parent.is_dir():
        raise BadInput(f"no such folder: {dest.parent}", source=str(dest))
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".pg-backup-") as tmp:
        work = Path(tmp)
        with service._write:  # no document version is written while we copy
            versions = service.versions()
            triples = service.graph.triple_count()
            points = service.index.count() if service.index.exists() else 0
            service.graph.store.backup(str(work / "graph"))
            if service.index.exists():
                service.index.flush()
                shutil.copytree(s.qdrant_path, work / "qdrant")
            else:
                (work / "qdrant").mkdir()
        manifest = {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "documents": versions, "triples": triples, "points": points,
                    "embedding_model": s.embedding_model, "base_iri": s.base_iri}
        partial = dest.with_name(dest.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
            for part in PARTS:
                tar.add(work / part, arcname=part)
        partial.replace(dest)  # the archive appears whole or not at all
    return {"backup": str(dest), "bytes": dest.stat().st_size, **{k: manifest[k] for k in
                                                                   ("documents", "triples", "points")}}


def read_manifest(src: Path) -> dict[str, Any]:
    src = Path(src)
    if not src.is_file():
        raise BadInput(f"no such backup file: {src}", source=str(src))
    try:
        with tarfile.open(src, "r:*") as tar:
            names = tar.getnames()
            member = tar.extractfile(MANIFEST) if MANIFEST in names else None
            manifest = json.loads(member.read()) if member else None
    except tarfile.ReadError:
        raise BadInput("not a policygraph backup (not a tar archive)", source=src.name) from None
    except (tarfile.TarError, OSError, ValueError, EOFError) as e:
        raise BadInput(f"not a policygraph backup ({' '.join(str(e).split())})", source=src.name) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadInput(f"not a policygraph backup (no {FORMAT} manifest)", source=src.name)
    return manifest


def _safe_members(tar: tarfile.TarFile, name: str) -> list[tarfile.TarInfo]:
    out = []
    for m in tar.getmembers():
        parts = Path(m.name).parts
        if m.name == MANIFEST:
            continue
        if (not parts or parts[0] not in PARTS or Path(m.name).is_absolute() or ".." in parts
                or not (m.isfile() or m.isdir())):
            raise BadInput(f"unsafe or unexpected member {m.name!r} in the backup", source=name)
        out.append(m)
    return out


def restore(src: Path, data: Path, force: bool = False) -> dict[str, Any]:
    src, data = Path(src), Path(data)
    manifest = read_manifest(src)
    if (data / "server.json").exists():
        raise BadInput(f"a server may be running on {data} (server.json): stop it before restoring", source=str(data))
    present = [p for p in PARTS if (data / p).exists()]
    if present and not force:
        raise BadInput(f"{data} already holds stores ({', '.join(present)}): restore into a new directory "
                       "or pass --force to replace them", source=str(data))
    data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data, prefix=".pg-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(src, "r:*") as tar:
            members = _safe_members(tar, src.name)
            tar.extractall(work, members=members, filter="data")
        for part in PARTS:
            if not (work / part).is_dir():
                raise BadInput(f"the backup has no {part}/ folder", source=src.name)
        for part in PARTS:  # replace only after the archive unpacked whole
            if (data / part).exists():
                shutil.rmtree(data / part)
            (work / part).replace(data / part)
    return {"restored": str(data), "documents": manifest["documents"], "triples": manifest["triples"],
            "points": manifest["points"], "created": manifest["created"]}


def verify(service: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    """The restored directory answers as the backup says: versions, counts, graph ↔ index."""
    check = service.check(repair=False)
    same = (service.versions() == manifest["documents"] and service.graph.triple_count() == manifest["triples"]
            and (service.index.count() if service.index.exists() else 0) == manifest["points"])
    return {"ok": bool(check["ok"] and same), "matches_manifest": same, "check": check}
