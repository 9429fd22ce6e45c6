"""The service: one object that owns the stores and models of a data directory.

Both the HTTP API and the CLI (when no server holds the data directory) call it.
Writes (ingest, delete) are serialised by a lock; reads go on meanwhile and see the
previous version of a document until its new version is complete in both stores.

Write order for a document version, so that a crash leaves nothing half-visible:
1. upsert the new version's points into the vector index (tagged with the version);
2. swap the document's named graph in one atomic SPARQL update;
3. delete the points of other versions.
Search only returns points whose version is the graph's current one, and
:meth:`Service.check` removes points a crash left behind.  Readers go by the catalog's
versions, so step 3 waits until the catalog has the new version and no search that
started before the switch is still running (:meth:`Service._publish`): a search sees
one version of a document, never a mix, and never none.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policygraph.api.catalog import CLASS_TYPE, Catalog
from policygraph.api.measures import measure_rows, overlaps
from policygraph.api.search import Searcher
from policygraph.core.errors import BadInput, IngestError, NotFound
from policygraph.core.records import ExtractedDocument, SourceDocument, split_path
from policygraph.core.settings import Settings
from policygraph.graph.build import document_graph
from policygraph.graph.iris import Iris
from policygraph.graph.store import named_node
from policygraph.graph.validate import check_document

if TYPE_CHECKING:
    from rdflib import Graph

    from policygraph.graph.store import GraphStore
    from policygraph.indexes.embedder import Embedder
    from policygraph.indexes.items import PassageRow
    from policygraph.indexes.sparse import SparseEncoder
    from policygraph.indexes.vector_index import VectorIndex
    from policygraph.ingest.pipeline import Analyzer

log = logging.getLogger("policygraph")
SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
Progress = Callable[[str, int, int], None]


class Service:
    """``repair=True`` (the server, write commands) first brings the index back to the
    graph's versions (:meth:`check`); opening to read changes nothing."""

    def __init__(self, settings: Settings, *, graph: GraphStore | None = None, index: VectorIndex | None = None,
                 repair: bool = False) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self.graph = graph if graph is not None else open_graph(settings)
        self.index = index if index is not None else open_vector_index(settings)
        self._embedder: Embedder | None = None
        self._sparse: SparseEncoder | None = None
        self._analyzer: Analyzer | None = None
        self._write = threading.Lock()
        # one lock per model: loading GiNZA for an upload must not hold up query embeddings
        self._model_locks = {name: threading.Lock() for name in ("embedder", "sparse", "analyzer")}
        self._reads = threading.Condition()  # searches in flight, by the epoch they started in
        self._epoch = 0
        self._active: Counter[int] = Counter()
        self.catalog = Catalog.load(self.graph, self.iris)
        self._measures: tuple[Catalog, list[dict[str, Any]]] | None = None
        self._passage_deadlines: tuple[Catalog, dict[str, list[dict[str, Any]]]] | None = None
        self.searcher = Searcher(self)
        # what a crash left (points of a version the graph does not hold) is put right now
        self.startup_check = self.check(repair=True) if repair and self.index.exists() else None
        if self.startup_check and self.startup_check["repaired"]:
            log.warning("start-up check repaired the index: %s", self.startup_check)

    # ---- heavy models, loaded once, lazily -------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._model_locks["embedder"]:
            if self._embedder is None:
                from policygraph.indexes.embedder import load_embedder

                s = self.settings
                self._embedder = load_embedder(s.embedding_model, s.query_prefix, s.passage_prefix)
            return self._embedder

    @property
    def sparse(self) -> SparseEncoder:
        with self._model_locks["sparse"]:
            if self._sparse is None:
                from policygraph.indexes.sparse import SparseEncoder

                self._sparse = SparseEncoder()
            return self._sparse

    @property
    def analyzer(self) -> Analyzer:
        with self._model_locks["analyzer"]:
            if self._analyzer is None:
                from policygraph.ingest.pipeline import load_analyzer

                s = self.settings
                self._analyzer = load_analyzer(s.ginza_model, s.ginza_processes, s.ginza_batch_size)
            return self._analyzer

    def warm(self, analyzer: bool = True) -> threading.Thread:
        """Load the models in a background thread (the query models first, then GiNZA),
        so neither the first search nor the first upload waits for a load.  A request
        that needs a model before it is loaded waits for that model alone."""

        def load() -> None:
            try:
                self.searcher.query_vectors("警察庁")  # loads and exercises both query models
                if analyzer:
                    _ = self.analyzer
            except Exception:  # noqa: BLE001 - the request that needs the model reports it
                log.exception("warming the models failed")

        t = threading.Thread(target=load, name="policygraph-warm", daemon=True)
        t.start()
        return t

    def close(self) -> None:
        for obj in (self.index, self.graph):
            try:
                obj.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    # ---- writes ------------------------------------------------------------------------
    def versions(self) -> dict[str, str]:
        return {d["id"]: d["checksum"] for d in self.catalog.documents.values()}

    def ingest_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> list[dict[str, Any]]:
        from policygraph.ingest.readers import read_file

        results: list[dict[str, Any]] = []
        docs: list[SourceDocument] = []
        for path in expand(paths):
            try:
                docs.append(read_file(path, max_bytes=self.settings.max_upload_bytes,
                                      max_chars=self.settings.max_document_chars))
            except IngestError as e:
                results.append({"source": path.name, "status": "error", "reason": e.detail})
            except Exception as e:  # noqa: BLE001 - one file's failure must not end the batch
                log.exception("%s: cannot read", path)
                results.append({"source": path.name, "status": "error",
                                "reason": f"cannot read ({type(e).__name__})"})
        results.extend(self.ingest_documents(docs, progress))
        return results

    def ingest_documents(self, docs: list[SourceDocument], progress: Progress | None = None) -> list[dict[str, Any]]:
        with self._write:
            current = self.versions()
            todo = [d for d in docs if current.get(d.id) != d.checksum]
            results: list[dict[str, Any]] = [
                {"source": d.source, "id": d.id, "status": "unchanged"} for d in docs if d not in todo
            ]
            if not todo:
                return results
            from policygraph.ingest.pipeline import analyse

            extracted = analyse(todo, self.analyzer, (lambda stage, n: progress(stage, 0, n)) if progress else None)
            graphs = [document_graph(x, self.iris) for x in extracted]
            for x, g in zip(extracted, graphs, strict=True):
                check_document(g, x.doc.source)  # SHACL, before either store changes
            stale: list[str] = []
            for i, (x, g) in enumerate(zip(extracted, graphs, strict=True)):
                stale.extend(self._write_version(x, g))
                # readers switch to a replaced document's new version as soon as it is whole,
                # to new documents at the end of the batch
                if x.doc.id in current or i == len(extracted) - 1:
                    self._publish(stale)
                    stale = []
                status = "replaced" if x.doc.id in current else "added"
                results.append({
                    "source": x.doc.source, "id": x.doc.id, "status": status,
                    "passages": len(x.passages), "entities": len(x.entities),
                    "mentions": len(x.mentions), "measures": len(x.measures),
                })
                if progress:
                    progress("write", i + 1, len(extracted))
            return results

    def _write_version(self, x: ExtractedDocument, graph: Graph) -> set[str]:
        """Steps 1 and 2 for one version (``graph``: its document graph); returns the ids
        of the document's other points (step 3, :meth:`_publish`, deletes them once no
        reader can want them)."""
        from policygraph.indexes.items import index_items

        items = index_items(x, self.embedder, self.sparse)
        self.index.ensure_collection(self.embedder.dim)
        self.index.upsert(items)
        failpoint("after-index-upsert")
        self.graph.replace_document(self.iris.graph(x.doc.id), graph)
        stale: set[str] = self.index.ids_for_doc(x.doc.id) - {it.id for it in items}
        return stale

    def _publish(self, stale: list[str]) -> None:
        """Switch readers to the written versions, then delete the old versions' points.

        Until the catalog is refreshed, searches filter by the old versions, so the old
        points must still be there: deleting them first left a replaced document without
        a single hit from its swap to the end of the batch.  A passage the two versions
        share (same offsets and text, so the same id) has one point, tagged with the new
        version from step 1 on; it is hidden until this switch, which is why a replaced
        document is published at once, not at the end of the batch.  A search reads the
        index and the catalog's versions at different moments, so each switch also waits
        for the searches that started before it (they end in milliseconds)."""
        self._drain_reads()  # a search that read the index before the new points were in
        self.refresh()
        self._drain_reads()  # a search that still filters by the old versions
        if stale:
            self.index.delete_ids(stale)

    def _drain_reads(self, timeout: float = 60.0) -> None:
        with self._reads:
            self._epoch += 1
            epoch = self._epoch
            if not self._reads.wait_for(lambda: all(e >= epoch for e in self._active), timeout):
                log.warning("searches still running after %.0f s; writing on", timeout)

    def reindex(self, progress: Progress | None = None) -> dict[str, Any]:
        """Re-embed every passage with the configured model, from the graph alone
        (no re-parsing): the index is dropped and rebuilt."""
        from policygraph.indexes.items import items_of

        with self._write:
            items = items_of(self._graph_rows(), self.embedder, self.sparse,
                             (lambda done, total: progress("embed", done, total)) if progress else None)
            self.index.drop()
            self.index = open_vector_index(self.settings)
            self.index.ensure_collection(self.embedder.dim)
            for i in range(0, len(items), 256):
                self.index.upsert(items[i : i + 256])
            self.index.flush()
            return {"passages": len(items), "model": self.settings.embedding_model, "dim": self.embedder.dim}

    def _graph_rows(self, doc_iri: str | None = None) -> list[PassageRow]:
        """The index rows of every searchable passage in the graph (of one document when
        ``doc_iri`` is given), as ingest makes them from the record."""
        from policygraph.api import queries as Q
        from policygraph.core.records import deadline_interval
        from policygraph.indexes.items import PassageRow

        bind = {"doc": named_node(doc_iri)} if doc_iri else None
        rows: dict[str, PassageRow] = {}
        for r in self.graph.select(Q.REINDEX_PASSAGES, bind=bind):
            pid = self.iris.local(r["p"]) or ""
            rows[r["p"]] = PassageRow(
                pid.removeprefix("passage/"), (self.iris.local(r["doc"]) or "").removeprefix("doc/"),
                r["source"], r["checksum"], r["title"], split_path(r["path"]), r["start"], r["end"],
                r["text"], r.get("heading") or "", page=r.get("page"), end_page=r.get("endPage") or r.get("page"),
                lead=r.get("lead") or "")
        for r in self.graph.select(Q.REINDEX_MENTIONS, bind=bind):
            row = rows.get(r["p"])
            if row is not None and r["key"] not in row.entities:
                row.entities.append(r["key"])
                type_ = CLASS_TYPE.get(r["class"])
                if type_ == "Agency":
                    row.agencies.append(r["key"])
                elif type_ == "System":
                    row.systems.append(r["key"])
        for r in self.graph.select(Q.REINDEX_DEADLINES, bind=bind):
            rng = deadline_interval(r["kind"], r.get("start"), r.get("end"))
            if rng and r["p"] in rows:
                rows[r["p"]].deadlines.append(rng)
        return list(rows.values())

    def delete_document(self, doc_id: str) -> dict[str, Any]:
        with self._write:
            if doc_id not in self.versions():
                raise NotFound(f"no document {doc_id!r}")
            self.graph.replace_document(self.iris.graph(doc_id), None)
            self.index.delete_doc(doc_id)
            self.refresh()
        return {"id": doc_id, "status": "deleted"}

    def refresh(self) -> None:
        self.catalog = Catalog.load(self.graph, self.iris)

    def check(self, repair: bool = True) -> dict[str, Any]:
        """Graph ↔ index agreement, passage by passage: every searchable passage of a
        document's current version has its point, tagged with that version, and the index
        holds nothing else.

        ``repair`` puts it right from the graph, never the other way: points of documents
        or passages the graph does not hold are deleted, and a document whose passages
        lack their point, or whose point is tagged with another version (a crash between
        indexing a new version and swapping its graph retags the passages both versions
        share), has its points derived again from its current version in the graph."""
        from policygraph.api.queries import SEARCHABLE_PASSAGES

        versions = self.versions()
        points = self.index.point_versions() if self.index.exists() else {}
        expected: dict[str, str] = {}  # passage id → document id
        for r in self.graph.select(SEARCHABLE_PASSAGES):
            expected[(self.iris.local(r["p"]) or "").removeprefix("passage/")] = (
                (self.iris.local(r["doc"]) or "").removeprefix("doc/"))
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
                self.index.delete_ids(extra)
            if unready:
                self._rederive(sorted(unready))
        return {
            "documents": len(versions),
            "triples": self.graph.triple_count(),
            "passages": len(expected),
            "points": self.index.count() if self.index.exists() else 0,
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
            items = items_of(self._graph_rows(self.iris.doc(doc_id)), self.embedder, self.sparse)
            if items:
                self.index.ensure_collection(self.embedder.dim)
                self.index.upsert(items)
            log.warning("re-derived %d points of %s from the graph", len(items), doc_id)

    # ---- reads -------------------------------------------------------------------------
    def search(self, q: str, **kw: Any) -> dict[str, Any]:
        with self._reads:
            epoch = self._epoch
            self._active[epoch] += 1
        try:
            return self.searcher.search(q, **kw)
        finally:
            with self._reads:
                self._active[epoch] -= 1
                if not self._active[epoch]:
                    del self._active[epoch]
                    self._reads.notify_all()

    def info(self) -> dict[str, Any]:
        from policygraph.api.queries import PASSAGE_COUNT

        rows = self.graph.select(PASSAGE_COUNT)
        return {
            "base_iri": self.settings.base_iri.rstrip("/"),
            "documents": len(self.catalog.documents),
            "passages": int(rows[0]["n"]) if rows else 0,
            "measures": len(self.measure_list()),
            "entities": len(self.catalog.entities),
        }

    def documents(self) -> dict[str, Any]:
        docs = sorted(self.catalog.documents.values(), key=lambda d: d["source"])
        return {"documents": docs, "total": len(docs)}

    def document(self, doc_id: str) -> dict[str, Any]:
        for d in self.catalog.documents.values():
            if d["id"] == doc_id:
                from policygraph.api.queries import PASSAGE_TEXT

                rows = self.graph.select(PASSAGE_TEXT, bind={"doc": named_node(d["iri"])})
                passages = [
                    {"iri": r["p"], "section": split_path(r["path"]), "start": r["start"], "end": r["end"],
                     "text": r["text"], "heading": r.get("heading") or "", "page": r.get("page"),
                     "end_page": r.get("endPage") or r.get("page")}
                    for r in rows
                ]
                return {**d, "passages": passages}
        raise NotFound(f"no document {doc_id!r}")

    def entities(self, q: str | None = None, type_: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        if q:
            iris = self.catalog.lookup(q)
        else:
            iris = sorted(self.catalog.entities, key=lambda i: (self.catalog.entities[i]["type"], self.catalog.entities[i]["label"]))
        if type_:
            iris = [i for i in iris if self.catalog.entities[i]["type"] == type_]
        page = iris[offset : offset + limit]
        return {"entities": [self.catalog.public(i) for i in page], "total": len(iris)}

    def entity_by_name(self, name: str) -> dict[str, Any]:
        iris = self.catalog.lookup(name)
        if not iris:
            raise NotFound(f"no entity named {name!r}", suggestions=self.catalog.suggestions(name))
        return self._entity(iris[0])

    def entity(self, entity_id: str) -> dict[str, Any]:
        iri = self.catalog.by_key.get(entity_id)
        if iri is None:
            raise NotFound(f"no entity {entity_id!r}", suggestions=self.catalog.suggestions(entity_id))
        return self._entity(iri)

    def _entity(self, iri: str) -> dict[str, Any]:
        from policygraph.api.queries import MENTIONS

        rows = self.graph.select(MENTIONS, bind={"entity": named_node(iri)})
        by_passage: dict[str, dict[str, Any]] = {}
        for r in rows:
            m = by_passage.get(r["p"])
            if m is None:
                m = by_passage[r["p"]] = {
                    "document": self.catalog.doc_ref(r["doc"]), "section": split_path(r["path"]),
                    "text": r["text"], "start": r["ps"], "end": r["pe"], "passage": r["p"], "surfaces": [],
                }
            m["surfaces"].append({"surface": r["surface"], "start": r["ms"], "end": r["me"]})
        measures = [m for m in self.measure_list() if iri in _measure_iris(m)]
        return {
            "entity": self.catalog.public(iri),
            "mentions": list(by_passage.values()),
            "measures": measures,
            "related": self._related(iri, measures),
            "articles": self._articles(iri),
        }

    def _articles(self, iri: str) -> list[dict[str, Any]]:
        """A law's articles cited anywhere (第103条第3項), each with its citations."""
        from policygraph.api.queries import ARTICLES

        arts: dict[str, dict[str, Any]] = {}
        for r in self.graph.select(ARTICLES, bind={"entity": named_node(iri)}):
            a = arts.setdefault(r["art"], {"iri": r["art"], "article": r["article"], "citations": []})
            a["citations"].append({"document": self.catalog.doc_ref(r["doc"]), "section": split_path(r["path"]),
                                   "surface": r["surface"], "start": r["cs"], "end": r["ce"], "passage": r["p"]})
        return sorted(arts.values(), key=lambda a: [int(n) for n in re.findall(r"[0-9]+", a["article"])])

    def _related(self, iri: str, measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}

        def add(other: str, relation: str) -> None:
            ref = self.catalog.entity_ref(other)
            if ref and other != iri and other not in out:
                out[other] = {**ref, "relation": relation}

        if iri in self.catalog.parents:
            add(self.catalog.parents[iri], "subOrganizationOf")
        from policygraph.api.queries import RUNS_ON

        for r in self.graph.select(RUNS_ON, bind={"entity": named_node(iri)}):
            if r["s"] == iri:
                add(r["o"], "runsOn")
            else:
                add(r["s"], "hostsSystem")
        for child, parent in self.catalog.parents.items():
            if parent == iri:
                add(child, "hasSubOrganization")
        for m in measures:
            for a in m["actors"]:
                add(a["iri"], "actorInSameMeasure")
            for s in m["systems"]:
                add(s["iri"], "systemInSameMeasure")
            for r in m.get("related", []):
                add(r["iri"], "citedInSameMeasure")
        return list(out.values())

    def measure_list(self) -> list[dict[str, Any]]:
        """Every measure, read once per catalog (rebuilt after each write)."""
        cat = self.catalog
        cached = self._measures
        if cached is None or cached[0] is not cat:
            cached = self._measures = (cat, measure_rows(self.graph, cat))
        return cached[1]

    def passage_deadlines(self) -> dict[str, list[dict[str, Any]]]:
        """Passage IRI → the deadlines of the measures in it (for search hits' badges)."""
        cat = self.catalog
        cached = self._passage_deadlines
        if cached is None or cached[0] is not cat:
            out: dict[str, list[dict[str, Any]]] = {}
            for m in self.measure_list():
                out.setdefault(m["passage"], []).extend(m["deadlines"])
            cached = self._passage_deadlines = (cat, out)
        return cached[1]

    def measures(self, date_from: str | None = None, date_to: str | None = None, agency: str | None = None,
                 doc: str | None = None, limit: int = 1000, offset: int = 0) -> dict[str, Any]:
        items = self.measure_list()
        if date_from or date_to:
            items = [m for m in items if any(overlaps(d, date_from, date_to) for d in m["deadlines"])]
        if agency:
            wanted = set(self.catalog.lookup(agency))
            if not wanted:
                raise NotFound(f"no agency named {agency!r}", suggestions=self.catalog.suggestions(agency))
            items = [m for m in items if wanted & {a["iri"] for a in m["actors"]}]
        if doc:
            items = [m for m in items if doc in (m["document"]["id"], m["document"]["source"])]
        return {"measures": items[offset : offset + limit], "total": len(items)}

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]:
        from policygraph.api.sparql import execute  # the protocol's rules and limits, also for the CLI

        return execute(self.graph, self.settings, query, accept)


def failpoint(name: str) -> None:
    """Crash tests: ``POLICYGRAPH_FAILPOINT=name`` kills the process (SIGKILL) here."""
    if os.environ.get("POLICYGRAPH_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _measure_iris(m: dict[str, Any]) -> set[str]:
    return {x["iri"] for k in ("actors", "systems", "related") for x in m.get(k, [])}


def _supported(f: Path) -> bool:
    """A folder entry a folder ingest takes: a known extension, or XML that is an e-Gov law
    (other XML in a folder is left alone rather than refused).  An entry with a known
    extension that is not a regular file (a FIFO, a device, a dangling link) or cannot be
    read is taken too, for the reader to refuse by name; nothing here blocks or opens a
    device."""
    import stat

    from policygraph.ingest.readers import read_head

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


def open_graph(settings: Settings) -> GraphStore:
    from policygraph.graph.store import open_store

    return open_store(settings)


def open_vector_index(settings: Settings) -> VectorIndex:
    from policygraph.indexes.vector_index import open_index

    return open_index(settings)
