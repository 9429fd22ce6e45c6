"""The write pipeline of a data directory: version check → analyse (GiNZA) → document
graph → SHACL → index rows → index upsert → graph swap → publish to readers → delete
the old version's points; delete, reindex, and the graph ↔ index check and repair.

Write order for a document version, so that a crash leaves nothing half-visible:
1. upsert the new version's points into the vector index (tagged with the version);
2. swap the document's named graph in one atomic SPARQL update;
3. delete the points of other versions.
Search only returns points whose version is the graph's current one, and
:meth:`WritePipeline.check` puts right what a crash left, from the graph.  Readers go by
the catalog's versions, so step 3 waits until the catalog has the new version and no
search that started before the switch is still running (:meth:`WritePipeline._publish`):
a search sees one version of a document, never a mix, and never none.

A batch is written in two halves.  :func:`policygraph.service.prepare.prepare_documents` is everything per document
that does not touch the stores (analyse → document graph → SHACL → index items with their
dense and sparse vectors), a plain function of the documents and the models: the local
path runs it here, ``--cluster`` on Ray workers (:mod:`policygraph.service.cluster`).  The
commit (:meth:`WritePipeline._write`: the steps above, under the write lock, after the
version check) is always this process's, the one writer.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from policygraph.core.errors import BadInput, IngestError, NotFound
from policygraph.core.memory import release_free_memory
from policygraph.core.records import SourceDocument, split_path
from policygraph.graph.store import named_node
from policygraph.service.catalog import CLASS_TYPE
from policygraph.service.prepare import (
    AnalysedDocument,
    PreparedDocument,
    analyse_documents,
    prepared,
)
from policygraph.service.state import State, open_vector_index

if TYPE_CHECKING:
    from concurrent.futures import Future

    from policygraph.graph.iris import Iris
    from policygraph.graph.store import GraphStore
    from policygraph.indexes.items import PassageRow
    from policygraph.ingest.pipeline import Analyzer

log = logging.getLogger("policygraph")
Progress = Callable[[str, int, int], None]


# the graph store's in-memory write buffers (RocksDB memtables) grow about 24 MB per 100
# documents: written to disk after this many (and when the store closes)
FLUSH_EVERY_DOCS = 32
C = TypeVar("C", AnalysedDocument, PreparedDocument)  # a document analysed, or prepared too, outside the lock

Step = tuple[list[dict[str, Any]], list[dict[str, Any]] | None]
"""One batch of a folder ingest: the files that could not be read (in the order met)
and what writing the documents read did (None: no document was read)."""


class WritePipeline:
    """Every write to a data directory's stores, one at a time (``State.write_lock``)."""

    def __init__(self, state: State) -> None:
        self.s = state

    def ingest_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> list[dict[str, Any]]:
        """Files and folders, streamed: read in batches of at most ``ingest_batch_docs``
        documents or ``ingest_batch_chars`` characters (settings), each batch parsed and written before the next is
        read.  Memory stays bounded by a batch, every document is committed as soon as its
        batch is written, and an interrupted folder ingest resumes where it stopped (what
        is in the store is unchanged, and skipped).  ``progress("documents", done, total)``
        after each batch, ``("characters", n, 0)`` for the text of each file read, and
        within a batch ``("parse", 0, passages)`` and ``("write", i, n)``.

        With ``cluster_address`` set (``--cluster``) the batches are prepared on a Ray
        cluster, a few at a time, and committed here, in order, as they come back
        (:func:`policygraph.service.cluster.cluster_steps`)."""
        files = expand(paths)
        if progress:
            progress("documents", 0, len(files))
        read = self.read_batches(files, progress)
        steps: Iterator[Step]
        if self.s.settings.cluster_address:
            from policygraph.service.cluster import cluster_steps

            steps = cluster_steps(self, self.s.settings.cluster_address, read)
        elif self.s.settings.ingest_overlap:
            steps = self._overlapped(read, progress)
        else:
            steps = ((errors, self.ingest_documents(docs, progress) if docs else None) for errors, docs in read)
        results: list[dict[str, Any]] = []
        batches = 0
        for errors, written in steps:
            results.extend(errors)
            if written is None:
                continue
            results.extend(written)
            batches += 1
            failpoint(f"after-batch-{batches}")
            if progress:
                progress("documents", len(results), len(files))
        if progress:
            progress("documents", len(results), len(files))
        return results

    def read_batches(self, files: list[Path], progress: Progress | None = None,
                     ) -> Iterator[tuple[list[dict[str, Any]], list[SourceDocument]]]:
        """The files read, in batches (``ingest_batch_docs``, ``ingest_batch_chars``), each
        with the files before it that could not be read (a result naming the file each)."""
        from policygraph.ingest.readers import read_file

        settings = self.s.settings
        errors: list[dict[str, Any]] = []
        batch: list[SourceDocument] = []
        chars = 0
        for path in files:
            try:
                doc = read_file(path, max_bytes=settings.max_upload_bytes, max_chars=settings.max_document_chars)
            except IngestError as e:
                errors.append({"source": path.name, "status": "error", "reason": e.detail})
                continue
            except Exception as e:  # noqa: BLE001 - one file's failure must not end the batch
                log.exception("%s: cannot read", path)
                errors.append({"source": path.name, "status": "error",
                               "reason": f"cannot read ({type(e).__name__})"})
                continue
            batch.append(doc)
            chars += len(doc.text)
            if progress:
                progress("characters", len(doc.text), 0)
            if len(batch) >= settings.ingest_batch_docs or chars >= settings.ingest_batch_chars:
                yield errors, batch
                errors, batch, chars = [], [], 0
        if errors or batch:
            yield errors, batch

    def ingest_documents(self, docs: list[SourceDocument], progress: Progress | None = None) -> list[dict[str, Any]]:
        with self.s.write_lock:
            current = self.s.versions()
            todo = [d for d in docs if current.get(d.id) != d.checksum]
            results = _unchanged([d for d in docs if d not in todo])
            if not todo:
                return results
            with self.s.parse_lock:
                analysed = analyse_documents(todo, self.s.iris, self.s.analyzer, progress, self._load_embedder)
            return results + self._write(prepared(analysed, self.s), len(todo), lambda: self.s.embedder.dim, current,
                                         progress)

    def _overlapped(self, read: Iterator[tuple[list[dict[str, Any]], list[SourceDocument]]],
                    progress: Progress | None) -> Iterator[Step]:
        """The batches of a local folder ingest, each one's analysis (GiNZA, document graph,
        SHACL: :func:`~policygraph.service.prepare.analyse_documents`) in a thread while the
        batch before it is embedded and written here.  The parse runs in that thread, not in
        forked workers (a fork while this process's torch threads are embedding is unsafe,
        and each fork's copy counted against memory), except the first batch's, which has
        nothing to overlap with: it is parsed at once by ``ginza_processes`` workers, as an
        upload is, so a small ingest (one batch) is as fast as before.  Parsing takes
        ``State.parse_lock`` (one tokenizer, one thread at a time).  The version check runs
        again under the write lock, as for a batch prepared on a cluster."""
        from concurrent.futures import ThreadPoolExecutor

        pending: tuple[list[dict[str, Any]], list[SourceDocument], Future[list[AnalysedDocument]] | None] | None = None
        first = True
        with ThreadPoolExecutor(1, thread_name_prefix="policygraph-analyse") as pool:
            for errors, docs in read:
                current = self.s.versions()
                todo = [d for d in docs if current.get(d.id) != d.checksum]
                job = None
                if todo and first:  # nothing to overlap with yet: parsed here, by ginza_processes workers
                    job = _now(self._analyse, todo, self.s.analyzer, progress, self._load_embedder)
                    first = False
                elif todo:
                    job = pool.submit(self._analyse, todo, replace(self.s.analyzer, processes=1), progress)
                if pending is not None:
                    yield self._finish(*pending, progress)
                pending = (errors, docs, job)
            if pending is not None:
                yield self._finish(*pending, progress)

    def _analyse(self, docs: list[SourceDocument], analyzer: Analyzer, progress: Progress | None,
                 started: Callable[[], None] | None = None) -> list[AnalysedDocument]:
        with self.s.parse_lock:  # an upload may be parsing in another thread
            return analyse_documents(docs, self.s.iris, analyzer, progress, started)

    def _load_embedder(self) -> None:
        """Load the embedder in a thread while the parse goes on (called once the parse's
        workers are forked, see :func:`~policygraph.ingest.extract.nlp.parse`): the first
        ingest of a process no longer waits for it after the parse (2.5 s of the corpus's
        20 s, bench/ingest_search.py).  A model that fails to load fails again, with its
        error, where the embedder is first used."""
        def load() -> None:
            try:
                self.s.embedder  # noqa: B018 - loads it (State._model: once, under its lock)
            except Exception:  # noqa: BLE001 - reported by the embedder's first use
                log.debug("embedder preload failed", exc_info=True)

        if not self.s.loaded("embedder"):  # (every later ingest finds it loaded: no thread)
            threading.Thread(target=load, name="policygraph-load-embedder", daemon=True).start()

    def _finish(self, errors: list[dict[str, Any]], docs: list[SourceDocument],
                job: Future[list[AnalysedDocument]] | None, progress: Progress | None) -> Step:
        """Embed and write one analysed batch (:meth:`_overlapped`)."""
        if not docs:
            return errors, None
        analysed = job.result() if job is not None else []
        return errors, self._write_fresh(docs, analysed, lambda fresh: prepared(fresh, self.s),
                                         lambda: self.s.embedder.dim, progress)

    def commit(self, docs: list[SourceDocument], prepared: list[PreparedDocument], dim: int) -> list[dict[str, Any]]:
        """Write a batch prepared elsewhere (a Ray worker): ``docs`` is the batch as read,
        ``prepared`` those of them that were not in the store when it was shipped.  The
        version check runs again here, under the write lock (a batch committed meanwhile
        may hold the same version), so an unchanged document is skipped as locally."""
        return self._write_fresh(docs, prepared, iter, lambda: dim)

    def _write_fresh(self, docs: list[SourceDocument], candidates: list[C],
                     to_prepared: Callable[[list[C]], Iterator[PreparedDocument]], dim: Callable[[], int],
                     progress: Progress | None = None) -> list[dict[str, Any]]:
        """Under the write lock, the version check again: the ``candidates`` (analysed or
        prepared outside the lock) whose version the store does not hold yet are written,
        the other documents of the batch are reported unchanged."""
        with self.s.write_lock:
            current = self.s.versions()
            fresh = [c for c in candidates if current.get(c.doc.id) != c.doc.checksum]
            keys = {(c.doc.id, c.doc.checksum) for c in fresh}
            results = _unchanged([d for d in docs if (d.id, d.checksum) not in keys])
            if fresh:
                results += self._write(to_prepared(fresh), len(fresh), dim, current, progress)
            return results

    def _write(self, prepared: Iterator[PreparedDocument], n: int, dim: Callable[[], int],
               current: dict[str, str], progress: Progress | None = None) -> list[dict[str, Any]]:
        """Steps 1-3 for each document of a batch, in order, under the write lock."""
        results: list[dict[str, Any]] = []
        stale: list[str] = []
        added: list[str] = []  # new documents written since readers last switched
        try:
            for i, p in enumerate(prepared):
                x = p.extracted
                stale.extend(self._write_version(p, dim()))
                # readers switch to a replaced document's new version as soon as it is whole,
                # to new documents at the end of the batch
                if x.doc.id in current:
                    self._publish(stale)  # the whole store read again: it has the added ones too
                    stale, added = [], []
                else:
                    added.append(x.doc.id)
                    if i == n - 1:
                        self._publish(stale, added)
                        stale, added = [], []
                status = "replaced" if x.doc.id in current else "added"
                results.append({
                    "source": x.doc.source, "id": x.doc.id, "status": status,
                    "passages": len(x.passages), "entities": len(x.entities),
                    "mentions": len(x.mentions), "measures": len(x.measures),
                })
                if progress:
                    progress("write", i + 1, n)
            # memory stays flat over a long folder: the graph store's write buffers go to
            # disk every few batches (a flush costs 50-70 ms, about one document's parse),
            # and the C heap's pages freed by the batch (parse, graphs, tensors) go back to
            # the system (a 400-document folder: see docs/benchmarks.md, stop 30)
            self.s.unflushed_docs += len(results)
            if self.s.unflushed_docs >= FLUSH_EVERY_DOCS:
                self.s.graph.flush()
                self.s.unflushed_docs = 0
            release_free_memory()
        except BaseException:
            # written documents not yet published may be missing from the catalog: the
            # next refresh reads the whole store (State.refresh)
            self.s.catalog_behind = True
            raise
        return results

    def _write_version(self, p: PreparedDocument, dim: int) -> set[str]:
        """Steps 1 and 2 for one version; returns the ids of the document's other points
        (step 3, :meth:`_publish`, deletes them once no reader can want them)."""
        doc_id = p.doc.id
        self.s.index.ensure_collection(dim)
        self.s.index.upsert(p.items)
        failpoint("after-index-upsert")
        self.s.graph.replace_document(self.s.iris.graph(doc_id), p.graph)
        stale: set[str] = self.s.index.ids_for_doc(doc_id) - {it.id for it in p.items}
        return stale

    def _publish(self, stale: list[str], added: list[str] | None = None) -> None:
        """Switch readers to the written versions, then delete the old versions' points.

        Until the catalog is refreshed, searches filter by the old versions, so the old
        points must still be there: deleting them first left a replaced document without
        a single hit from its swap to the end of the batch.  A passage the two versions
        share (same offsets and text, so the same id) has one point, tagged with the new
        version from step 1 on; it is hidden until this switch, which is why a replaced
        document is published at once, not at the end of the batch.  A search reads the
        index and the catalog's versions at different moments, so each switch also waits
        for the searches that started before it (they end in milliseconds)."""
        self.s.searching.drain()  # a search that read the index before the new points were in
        self.s.refresh(added)  # only new documents: the catalog extended by them alone
        self.s.searching.drain()  # a search that still filters by the old versions
        if stale:
            self.s.index.delete_ids(stale)

    def reindex(self, progress: Progress | None = None) -> dict[str, Any]:
        """Re-embed every passage with the configured model, from the graph alone
        (no re-parsing): the index is dropped and rebuilt."""
        from policygraph.indexes.items import items_of

        with self.s.write_lock:
            items = items_of(self.graph_rows(), self.s.embedder, self.s.sparse,
                             (lambda done, total: progress("embed", done, total)) if progress else None)
            self.s.index.drop()
            self.s.index = open_vector_index(self.s.settings)
            self.s.index.ensure_collection(self.s.embedder.dim)
            for i in range(0, len(items), 256):
                self.s.index.upsert(items[i : i + 256])
            self.s.index.flush()
            return {"passages": len(items), "model": self.s.settings.embedding_model, "dim": self.s.embedder.dim}

    def graph_rows(self, doc_iri: str | None = None) -> list[PassageRow]:
        """The index rows of the graph's searchable passages (of one document when given)."""
        return passage_rows(self.s.graph, self.s.iris, doc_iri)

    def delete_document(self, doc_id: str) -> dict[str, Any]:
        with self.s.write_lock:
            if doc_id not in self.s.versions():
                raise NotFound(f"no document {doc_id!r}")
            self.s.graph.replace_document(self.s.iris.graph(doc_id), None)
            self.s.index.delete_doc(doc_id)
            self.s.refresh()
        return {"id": doc_id, "status": "deleted"}

    def check(self, repair: bool = True) -> dict[str, Any]:
        """Graph ↔ index agreement, passage by passage: every searchable passage of a
        document's current version has its point, tagged with that version, and the index
        holds nothing else.

        ``repair`` puts it right from the graph, never the other way: points of documents
        or passages the graph does not hold are deleted, and a document whose passages
        lack their point, or whose point is tagged with another version (a crash between
        indexing a new version and swapping its graph retags the passages both versions
        share), has its points derived again from its current version in the graph."""
        from policygraph.service.queries import SEARCHABLE_PASSAGES

        versions = self.s.versions()
        points = self.s.index.point_versions() if self.s.index.exists() else {}
        expected: dict[str, str] = {}  # passage id → document id
        for r in self.s.graph.select(SEARCHABLE_PASSAGES):
            expected[(self.s.iris.local(r["p"]) or "").removeprefix("passage/")] = (
                (self.s.iris.local(r["doc"]) or "").removeprefix("doc/"))
        indexed: dict[str, set[str]] = {}
        for doc, version in points.values():
            indexed.setdefault(doc, set()).add(version)
        orphans = {d: v for d, v in indexed.items() if d not in versions}
        stale = {d: v - {versions[d]} for d, v in indexed.items() if d in versions and v - {versions[d]}}
        extra = sorted(pid for pid, (doc, _) in points.items() if expected.get(pid) != doc)
        unready: Counter[str] = Counter(  # passages without a point of the current version
            doc for pid, doc in expected.items() if points.get(pid) != (doc, versions.get(doc)))
        if repair:
            if extra:
                self.s.index.delete_ids(extra)
            if unready:
                self._rederive(sorted(unready))
        return {
            "documents": len(versions),
            "triples": self.s.graph.triple_count(),
            "passages": len(expected),
            "points": self.s.index.count() if self.s.index.exists() else 0,
            "orphan_documents": sorted(orphans),
            "stale_versions": {d: sorted(v) for d, v in stale.items()},
            "missing_in_index": sorted(unready),
            "passages_missing": dict(sorted(unready.items())),
            "points_extra": len(extra),
            "repaired": repair and bool(extra or unready),
            "ok": repair or not (extra or unready),
        }

    def _rederive(self, doc_ids: list[str]) -> None:
        """Write the points of these documents again from their current version in the graph."""
        from policygraph.indexes.items import items_of

        for doc_id in doc_ids:
            items = items_of(self.graph_rows(self.s.iris.doc(doc_id)), self.s.embedder, self.s.sparse)
            if items:
                self.s.index.ensure_collection(self.s.embedder.dim)
                self.s.index.upsert(items)
            log.warning("re-derived %d points of %s from the graph", len(items), doc_id)


def _now(fn: Callable[..., list[AnalysedDocument]], *args: Any) -> Future[list[AnalysedDocument]]:
    """``fn(*args)`` run here, as a finished future (its exception raised at ``result()``,
    as a pooled job's would be)."""
    from concurrent.futures import Future

    done: Future[list[AnalysedDocument]] = Future()
    try:
        done.set_result(fn(*args))
    except Exception as e:  # noqa: BLE001 - handed over, raised where the batch is written
        done.set_exception(e)
    return done


def _unchanged(docs: list[SourceDocument]) -> list[dict[str, Any]]:
    return [{"source": d.source, "id": d.id, "status": "unchanged"} for d in docs]


def failpoint(name: str) -> None:
    """Crash tests: ``POLICYGRAPH_FAILPOINT=name`` kills the process (SIGKILL) here."""
    if os.environ.get("POLICYGRAPH_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _supported(f: Path) -> bool:
    """A folder entry a folder ingest takes: a known extension, or XML that is an e-Gov law
    (other XML in a folder is left alone rather than refused).  An entry with a known
    extension that is not a regular file (a FIFO, a device, a dangling link) or cannot be
    read is taken too, for the reader to refuse by name; nothing here blocks or opens a
    device."""
    import stat

    from policygraph.ingest.readers import SUPPORTED, read_head

    try:
        mode: int | None = f.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        return False
    suffix = f.suffix.lower()
    if suffix == ".xml":
        from policygraph.ingest.readers.egov import is_egov_xml

        if mode is None or not stat.S_ISREG(mode):
            return False
        try:
            return is_egov_xml(read_head(f, 4096))
        except IngestError:
            return True  # unreadable: the reader says why
    return suffix in SUPPORTED


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the supported files inside folders named (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if _supported(f)))
        elif p.exists() or p.is_symlink():  # a dangling link: the reader says so, by name
            out.append(p)
        else:
            raise BadInput(f"no such file or folder: {p}")
    return out


def passage_rows(store: GraphStore, iris: Iris, doc_iri: str | None = None) -> list[PassageRow]:
    """The index rows of the searchable passages in a graph store (of one document when
    ``doc_iri`` is given): the one derivation of a passage's index row, at ingest (from the
    document graph about to be written) and at reindex and repair (from the store)."""
    from policygraph.core.records import deadline_interval
    from policygraph.indexes.items import PassageRow
    from policygraph.service import queries as Q

    bind = {"doc": named_node(doc_iri)} if doc_iri else None
    rows: dict[str, PassageRow] = {}
    for r in store.select(Q.REINDEX_PASSAGES, bind=bind):
        pid = iris.local(r["p"]) or ""
        rows[r["p"]] = PassageRow(
            pid.removeprefix("passage/"), (iris.local(r["doc"]) or "").removeprefix("doc/"),
            r["source"], r["checksum"], r["title"], split_path(r["path"]), r["start"], r["end"],
            r["text"], r.get("heading") or "", page=r.get("page"), end_page=r.get("endPage") or r.get("page"),
            lead=r.get("lead") or "")
    for r in store.select(Q.REINDEX_MENTIONS, bind=bind):
        row = rows.get(r["p"])
        if row is not None and r["key"] not in row.entities:
            row.entities.append(r["key"])
            type_ = CLASS_TYPE.get(r["class"])
            if type_ == "Agency":
                row.agencies.append(r["key"])
            elif type_ == "System":
                row.systems.append(r["key"])
    for r in store.select(Q.REINDEX_ACTORS, bind=bind):  # who acts in the passage's measures
        if r["p"] in rows and r["key"] not in rows[r["p"]].actors:
            rows[r["p"]].actors.append(r["key"])
    for r in store.select(Q.REINDEX_DEADLINES, bind=bind):
        rng = deadline_interval(r["kind"], r.get("start"), r.get("end"))
        if rng and r["p"] in rows:
            rows[r["p"]].deadlines.append(rng)
    for row in rows.values():  # those two queries have no order: it followed the graph's insertion
        row.actors.sort()  # order, which varies with Python's per-process string hashing
        row.deadlines.sort()
    return list(rows.values())
