"""The service of a data directory, which the HTTP API and the CLI (when no server holds
the directory) both call: a :class:`~policygraph.service.state.State` (stores, models,
locks, catalog) with its write pipeline (:mod:`policygraph.service.writes`) and its read
model (:mod:`policygraph.service.reads`).  Writes are serialised by a lock; reads go on
meanwhile and see the previous version of a document until its new version is complete
in both stores.

Opening changes nothing: ``repair=True`` (the server, the write commands) first puts
right what a crash left (:meth:`WritePipeline.check`), as an explicit step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policygraph.core.records import SourceDocument
from policygraph.core.settings import Settings
from policygraph.service.reads import ReadModel
from policygraph.service.state import State
from policygraph.service.writes import Progress, WritePipeline

if TYPE_CHECKING:
    from policygraph.graph.store import GraphStore
    from policygraph.indexes.vector_index import VectorIndex

log = logging.getLogger("policygraph")


class Service(State):
    def __init__(self, settings: Settings, *, graph: GraphStore | None = None, index: VectorIndex | None = None,
                 repair: bool = False) -> None:
        super().__init__(settings, graph=graph, index=index)
        self.writes = WritePipeline(self)
        self.reads = ReadModel(self)
        self.searcher = self.reads.searcher
        self.startup_check = self.check(repair=True) if repair and self.index.exists() else None
        if self.startup_check and self.startup_check["repaired"]:
            log.warning("start-up check repaired the index: %s", self.startup_check)

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

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No write runs meanwhile (a backup copies the stores under it); reads go on."""
        with self.write_lock:
            yield

    # ---- writes ------------------------------------------------------------------------
    def ingest_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> list[dict[str, Any]]:
        return self.writes.ingest_paths(paths, progress)

    def ingest_documents(self, docs: list[SourceDocument], progress: Progress | None = None) -> list[dict[str, Any]]:
        return self.writes.ingest_documents(docs, progress)

    def delete_document(self, doc_id: str) -> dict[str, Any]:
        return self.writes.delete_document(doc_id)

    def reindex(self, progress: Progress | None = None) -> dict[str, Any]:
        return self.writes.reindex(progress)

    def check(self, repair: bool = True) -> dict[str, Any]:
        return self.writes.check(repair)

    # ---- reads -------------------------------------------------------------------------
    def search(self, q: str, **kw: Any) -> dict[str, Any]:
        return self.reads.search(q, **kw)

    def info(self) -> dict[str, Any]:
        return self.reads.info()

    def documents(self) -> dict[str, Any]:
        return self.reads.documents()

    def document(self, doc_id: str) -> dict[str, Any]:
        return self.reads.document(doc_id)

    def entities(self, q: str | None = None, type_: str | None = None, limit: int = 100,
                 offset: int = 0) -> dict[str, Any]:
        return self.reads.entities(q, type_, limit, offset)

    def entity_by_name(self, name: str) -> dict[str, Any]:
        return self.reads.entity_by_name(name)

    def entity(self, entity_id: str) -> dict[str, Any]:
        return self.reads.entity(entity_id)

    def measure_list(self) -> list[dict[str, Any]]:
        return self.reads.measure_list()

    def passage_deadlines(self) -> dict[str, list[dict[str, Any]]]:
        return self.reads.passage_deadlines()

    def measures(self, date_from: str | None = None, date_to: str | None = None, agency: str | None = None,
                 doc: str | None = None, limit: int = 1000, offset: int = 0) -> dict[str, Any]:
        return self.reads.measures(date_from, date_to, agency, doc, limit, offset)

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]:
        return self.reads.sparql(query, accept)
