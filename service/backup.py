"""Backup and restore of a data directory: both embedded stores, one consistent snapshot.

Format: one ``.tar.gz`` holding ``manifest.json`` (first), ``graph/`` (an Oxigraph
checkpoint) and ``qdrant/`` (the Qdrant Edge shard: ``edge_config.json``,
``segments/``, ``wal/``).  The manifest names the format (``policygraph-backup/1``),
the time, the software that wrote it, every document's version (id → checksum), the
triple and point counts, and the size and sha256 of every file in the two folders.

``backup(service, dest)`` holds the service's write lock while it copies, so no
document version is half in the snapshot (ingest and delete take the same lock; reads
go on): Oxigraph's own ``Store.backup`` makes a RocksDB checkpoint, and the Qdrant Edge
shard — which has no snapshot writer of its own (qdrant-edge-py 0.9 only unpacks and
applies server snapshots) and no background optimizer — is flushed and its folder
copied.  Compression happens after the lock is released.  The archive is written,
mode 0600, to a new file (``O_EXCL | O_NOFOLLOW``) in a private temporary folder next
to DEST and then hard-linked to DEST, which fails if anything — even a dangling
symlink — is there: the archive appears whole or not at all, and never through a
link someone planted.  A destination that cannot be written is bad input naming the
file.  Next to a running server, ``policygraph backup`` asks the server to do this (it
holds the stores), so the server keeps answering.

``restore(src, data, force)`` checks the archive (our manifest, members only inside
``graph/`` and ``qdrant/``, plain files and folders, every file's size and sha256) and
unpacks it in a temporary folder inside the data directory; there it opens the
unpacked stores and :func:`verify` compares them with the manifest (versions, triple
and point counts) and runs the graph ↔ index check.  Only an archive that passes
replaces the stores (two renames); one that does not leaves them as they were, and the
report says why.  Stores already there are replaced only with ``force``, and never
while a process holds them (a running server, or any process with the stores open).

External stores (a SPARQL server, a Qdrant server) have their own backup tools
(Virtuoso ``checkpoint`` + ``backup_online``, Qdrant snapshots); backup refuses them.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policygraph.core.errors import BadInput, StoreLocked

if TYPE_CHECKING:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

FORMAT = "policygraph-backup/1"
MANIFEST = "manifest.json"
PARTS = ("graph", "qdrant")
EXTERNAL = ("{cmd} covers the embedded stores only, and POLICYGRAPH_SPARQL_ENDPOINT / POLICYGRAPH_QDRANT_URL "
            "name external ones: {verb} the SPARQL server and the Qdrant server with their own tools "
            "(e.g. Virtuoso checkpoint + backup_online, Qdrant collection snapshots)")


def refuse_external(settings: Settings, cmd: str = "backup") -> None:
    if settings.sparql_endpoint or settings.qdrant_url:
        raise BadInput(EXTERNAL.format(cmd=cmd, verb="back up" if cmd == "backup" else cmd))


def software() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("policygraph", "pyoxigraph", "qdrant-edge-py"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under the parts of ``root``: relative path → size and sha256."""
    out = {}
    for part in PARTS:
        for f in sorted((root / part).rglob("*")):
            if f.is_file():
                out[f.relative_to(root).as_posix()] = {"size": f.stat().st_size, "sha256": _sha256(f)}
    return out


# ---- backup -------------------------------------------------------------------------

# a destination the caller cannot write is their input's problem, not ours
WRITE_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK}


def backup(service: Service, dest: Path) -> dict[str, Any]:
    from policygraph.graph.store import OxigraphStore
    from policygraph.indexes.edge import EdgeIndex

    if not isinstance(service.graph, OxigraphStore) or not isinstance(service.index, EdgeIndex):
        raise BadInput(EXTERNAL.format(cmd="backup", verb="back up"))
    dest = Path(dest)
    if os.path.lexists(dest):  # a dangling symlink too
        raise BadInput(f"{dest} exists: choose a new file name", source=str(dest))
    if not dest.parent.is_dir():
        raise BadInput(f"no such folder: {dest.parent}", source=str(dest))
    t0 = time.monotonic()
    try:
        # mode 0700, a name nobody can guess: what is written inside is ours alone
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".pg-backup-") as tmp:
            work = Path(tmp)
            manifest = _snapshot(service, work)
            locked_s = time.monotonic() - t0
            archive = work / "backup.tar.gz"
            _write_archive(archive, work, manifest)
            size = archive.stat().st_size
            _publish(archive, dest)
    except OSError as e:
        if e.errno not in WRITE_ERRORS:
            raise
        raise BadInput(f"cannot write {dest}: {e.strerror}", source=str(dest)) from None
    return {"backup": str(dest), "bytes": size, "documents": manifest["documents"], "triples": manifest["triples"],
            "points": manifest["points"], "files": len(manifest["files"]), "write_lock_s": round(locked_s, 3),
            "seconds": round(time.monotonic() - t0, 3)}


def _snapshot(service: Service, work: Path) -> dict[str, Any]:
    """Both stores copied into ``work`` under the write lock; the manifest describing them."""
    from policygraph.graph.store import OxigraphStore

    s, graph = service.settings, service.graph
    if not isinstance(graph, OxigraphStore):
        raise BadInput(EXTERNAL.format(cmd="backup", verb="back up"))
    with service.exclusive():  # ingest and delete wait; no document version is half copied
        versions = service.versions()
        triples = graph.triple_count()
        points = service.index.count() if service.index.exists() else 0
        graph.store.backup(str(work / "graph"))
        if service.index.exists():
            service.index.flush()
            shutil.copytree(s.qdrant_path, work / "qdrant")
        else:
            (work / "qdrant").mkdir()
    return {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "software": software(), "documents": versions, "triples": triples, "points": points,
            "embedding_model": s.embedding_model, "base_iri": s.base_iri, "files": _files(work)}


def _write_archive(archive: Path, work: Path, manifest: dict[str, Any]) -> None:
    """The archive as a new file, mode 0600: never an existing one, never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(archive, flags, 0o600), "wb") as f:
        with tarfile.open(fileobj=f, mode="w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, io.BytesIO(data))  # first, so restore reads it without the rest
            for part in PARTS:
                tar.add(work / part, arcname=part)
        f.flush()
        os.fsync(f.fileno())


def _publish(archive: Path, dest: Path) -> None:
    """``archive`` appears at ``dest`` whole, and only if nothing has appeared there meanwhile."""
    try:
        os.link(archive, dest)  # never replaces anything, never follows a link at dest
    except FileExistsError:
        raise BadInput(f"{dest} exists: choose a new file name", source=str(dest)) from None
    except OSError as e:
        if e.errno not in NO_HARD_LINKS:
            raise
        # a filesystem without hard links: look, then rename (a window of microseconds)
        if os.path.lexists(dest):
            raise BadInput(f"{dest} exists: choose a new file name", source=str(dest)) from None
        os.replace(archive, dest)


# ---- restore ------------------------------------------------------------------------

def read_manifest(src: Path) -> dict[str, Any]:
    src = Path(src)
    if not src.is_file():
        raise BadInput(f"no such backup file: {src}", source=str(src))
    try:
        with tarfile.open(src, "r:*") as tar:
            member = tar.next()  # the manifest is the first member
            f = tar.extractfile(member) if member is not None and member.name == MANIFEST else None
            manifest = json.loads(f.read()) if f is not None else None
    except tarfile.ReadError:
        raise BadInput("not a policygraph backup (not a tar archive)", source=str(src)) from None
    except (tarfile.TarError, OSError, ValueError, EOFError) as e:
        raise BadInput(f"not a policygraph backup ({' '.join(str(e).split())})", source=str(src)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadInput(f"not a policygraph backup (no {FORMAT} manifest)", source=str(src))
    for key, type_ in (("documents", dict), ("triples", int), ("points", int), ("files", dict)):
        if not isinstance(manifest.get(key), type_):
            raise BadInput(f"damaged backup manifest (no {key})", source=str(src))
    return manifest


def _safe_members(tar: tarfile.TarFile, name: str) -> list[tarfile.TarInfo]:
    out = []
    for m in tar.getmembers():
        if m.name == MANIFEST:
            continue
        parts = Path(m.name).parts
        if (not parts or parts[0] not in PARTS or Path(m.name).is_absolute() or ".." in parts
                or not (m.isfile() or m.isdir())):
            raise BadInput(f"unsafe or unexpected member {m.name!r} in the backup", source=name)
        out.append(m)
    return out


def _server_running(data: Path) -> str | None:
    """The address of a server that holds ``data`` and answers, if any: only a server
    file that records this very directory and a live pid counts (a copied or stale one
    names some other server)."""
    from policygraph.service.server_file import read_server_file

    info, _ = read_server_file(data)
    if info is None:
        return None
    import httpx

    try:
        alive = httpx.get(f"{info['url']}/healthz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        alive = False
    return f"{info['url']} (pid {info.get('pid')})" if alive else None


def _not_held(data: Path) -> None:
    """Fail if any process has the stores in ``data`` open (both take a lock: open and
    close them).  A store that does not open for another reason (damaged) may be replaced."""
    from policygraph.graph.store import OxigraphStore
    from policygraph.indexes.edge import EdgeIndex

    try:
        if (data / "graph").is_dir():
            OxigraphStore(data / "graph").close()
        if (data / "qdrant" / "edge_config.json").exists():
            EdgeIndex(data / "qdrant").close()
    except StoreLocked as e:
        raise BadInput(f"the stores are in use by another process ({e.detail}): stop it, then restore",
                       source=str(data)) from None
    except Exception:  # noqa: BLE001 - damaged stores are what a restore replaces
        pass


def restore(src: Path, data: Path, force: bool = False, *, settings: Settings | None = None) -> dict[str, Any]:
    """Restore ``src`` into ``data`` if the unpacked stores answer as the manifest says;
    else leave ``data`` as it was (``ok`` false, ``reason`` why).  ``settings`` (base IRI)
    are the ones the restored directory will be opened with."""
    src, data = Path(src), Path(data)
    manifest = read_manifest(src)
    server = _server_running(data)
    if server:
        raise BadInput(f"a server holds {data} at {server}: stop it, then restore", source=str(data))
    present = [p for p in PARTS if (data / p).exists()]
    if present and not force:
        raise BadInput(f"{data} already holds stores ({', '.join(present)}): restore into a new directory "
                       "or pass --force to replace them", source=str(data))
    if present:
        _not_held(data)
    created = not data.exists()
    data.mkdir(parents=True, exist_ok=True)
    try:
        report = _unpack(src, data, manifest, settings)
    finally:
        if created and not any(data.iterdir()):
            data.rmdir()  # a refused archive leaves no trace
    return {"restored": str(data) if report["ok"] else None, "created": manifest["created"],
            "software": manifest.get("software"), "documents": manifest["documents"],
            "triples": manifest["triples"], "points": manifest["points"], "files": len(manifest["files"]),
            **report}


def _unpack(src: Path, data: Path, manifest: dict[str, Any], settings: Settings | None) -> dict[str, Any]:
    """Unpack, check and open the archive's stores in a temporary folder; only if they
    pass, move them into place.  Returns :func:`verify`'s report."""
    with tempfile.TemporaryDirectory(dir=data, prefix=".pg-restore-") as tmp:
        work = Path(tmp) / "new"
        _extract(src, work, manifest)
        report = _verify_unpacked(work, manifest, settings)
        if not report["ok"]:
            report["reason"] = f"{report['reason']}: nothing was restored, {data} is as it was"
            return report
        if any((data / p).exists() for p in PARTS):
            _not_held(data)  # nobody opened them while we unpacked
        # only now, with the archive unpacked whole and checked, replace the stores:
        # old folders aside, new ones in (renames inside one filesystem), old ones dropped
        _swap(work, data, Path(tmp) / "old")
        return report


def _extract(src: Path, work: Path, manifest: dict[str, Any]) -> None:
    try:
        with tarfile.open(src, "r:*") as tar:
            members = _safe_members(tar, str(src))
            tar.extractall(work, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise BadInput(f"damaged backup ({' '.join(str(e).split())})", source=str(src)) from None
    for part in PARTS:
        if not (work / part).is_dir():
            raise BadInput(f"damaged backup (no {part}/ folder)", source=str(src))
    got = _files(work)
    if got != manifest["files"]:
        bad = sorted(set(got) ^ set(manifest["files"])) or sorted(
            k for k in got if got[k] != manifest["files"][k])
        raise BadInput(f"damaged backup: {len(bad)} files differ from the manifest (first: {bad[0]})",
                       source=str(src))


def _verify_unpacked(work: Path, manifest: dict[str, Any], settings: Settings | None) -> dict[str, Any]:
    """Open the unpacked stores where they are (no start-up repair: they are checked as
    the archive holds them) and :func:`verify` them."""
    from policygraph.core.settings import Settings
    from policygraph.graph.store import OxigraphStore
    from policygraph.indexes.edge import EdgeIndex
    from policygraph.service.service import Service

    s = (settings or Settings(data=work)).model_copy(update={"data": work})
    graph = OxigraphStore(work / "graph")
    try:
        index = EdgeIndex(work / "qdrant")
    except BaseException:
        graph.close()
        raise
    try:
        svc = Service(s, graph=graph, index=index, repair=False)
    except BaseException:
        index.close()
        graph.close()
        raise
    try:
        return verify(svc, manifest)
    finally:
        svc.close()


def _swap(work: Path, data: Path, old: Path) -> None:
    old.mkdir()
    moved: list[str] = []
    try:
        for part in PARTS:
            if (data / part).exists():
                (data / part).replace(old / part)
                moved.append(part)
            (work / part).replace(data / part)
    except OSError:
        for part in PARTS:  # put back what was there
            if (data / part).exists() and (part in moved or not (work / part).exists()):
                shutil.rmtree(data / part)
            if part in moved:
                (old / part).replace(data / part)
        raise


def verify(service: Service, manifest: dict[str, Any]) -> dict[str, Any]:
    """The stores answer as the backup says: versions, counts, graph ↔ index (with
    ``reason`` when they do not)."""
    check = service.check(repair=False)
    versions, listed = service.versions(), manifest["documents"]
    differ = sorted(d for d in set(versions) | set(listed) if versions.get(d) != listed.get(d))
    wrong = [f"{len(differ)} documents differ, first {differ[0]}"] if differ else []
    wrong += [f"{k} {check[k]}, manifest {manifest[k]}" for k in ("triples", "points") if check[k] != manifest[k]]
    same = not wrong
    out: dict[str, Any] = {"ok": bool(check["ok"] and same), "matches_manifest": same, "check": check}
    if not same:
        out["reason"] = "the backup's stores do not match its manifest (" + "; ".join(wrong) + ")"
    elif not check["ok"]:
        out["reason"] = ("the backup's graph and index disagree (" + ", ".join(
            f"{k}: {check.get(k)}" for k in ("missing_in_index", "orphan_documents", "stale_versions", "points_extra")
            if check.get(k)) + ")")
    return out
