"""What a data directory's service holds: the settings, both stores, the models (loaded
once, lazily, each under its own lock), the write lock, the searches in flight and the
catalog of documents and entities read from the graph after every write."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from policygraph.core.settings import Settings
from policygraph.graph.iris import Iris
from policygraph.service.catalog import Catalog

if TYPE_CHECKING:
    from policygraph.graph.store import GraphStore
    from policygraph.indexes.embedder import Embedder
    from policygraph.indexes.sparse import SparseEncoder
    from policygraph.indexes.vector_index import VectorIndex
    from policygraph.ingest.pipeline import Analyzer

log = logging.getLogger("policygraph")
M = TypeVar("M")


class ReadEpochs:
    """Searches in flight, by the epoch they started in: a write's publish waits for those
    that started before it (they end in milliseconds)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._epoch = 0
        self._active: Counter[int] = Counter()

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            epoch = self._epoch
            self._active[epoch] += 1
        try:
            yield
        finally:
            with self._cond:
                self._active[epoch] -= 1
                if not self._active[epoch]:
                    del self._active[epoch]
                    self._cond.notify_all()

    def drain(self, timeout: float = 60.0) -> None:
        with self._cond:
            self._epoch += 1
            epoch = self._epoch
            if not self._cond.wait_for(lambda: all(e >= epoch for e in self._active), timeout):
                log.warning("searches still running after %.0f s; writing on", timeout)


class State:
    def __init__(self, settings: Settings, *, graph: GraphStore | None = None,
                 index: VectorIndex | None = None) -> None:
        self.settings = settings
        self.iris = Iris(settings.base_iri)
        self.graph = graph if graph is not None else open_graph(settings)
        self.index = index if index is not None else open_vector_index(settings)
        self._models: dict[str, Any] = {}  # embedder, sparse, analyzer: loaded on first use
        self.write_lock = threading.Lock()  # writes one at a time; reads go on
        # GiNZA (its Sudachi tokenizer) parses for one thread at a time: an upload's batch and a
        # folder ingest's next batch, analysed outside the write lock, take turns
        self.parse_lock = threading.Lock()
        # one lock per model: loading GiNZA for an upload must not hold up query embeddings
        self._model_locks = {name: threading.Lock() for name in ("embedder", "sparse", "analyzer")}
        self.searching = ReadEpochs()  # searches in flight
        self.catalog = Catalog.load(self.graph, self.iris)
        # a batch failed after writing documents it had not published: the catalog may lack
        # documents that are in the stores, and only a whole reading catches up
        self.catalog_behind = False
        self.unflushed_docs = 0  # documents written to the graph store since it last flushed

    def _model(self, name: str, load: Callable[[], M]) -> M:
        """A model loaded once, on first use, under its own lock."""
        with self._model_locks[name]:
            if name not in self._models:
                self._models[name] = load()
            return cast(M, self._models[name])

    def loaded(self, name: str) -> bool:
        """Whether the model ``name`` (embedder, sparse, analyzer) is loaded already."""
        return name in self._models

    @property
    def embedder(self) -> Embedder:
        from policygraph.indexes.embedder import embedder_for

        return self._model("embedder", lambda: embedder_for(self.settings))

    @property
    def sparse(self) -> SparseEncoder:
        from policygraph.indexes.sparse import SparseEncoder

        return self._model("sparse", SparseEncoder)

    @property
    def analyzer(self) -> Analyzer:
        from policygraph.ingest.pipeline import load_analyzer

        s = self.settings
        return self._model("analyzer", lambda: load_analyzer(s.ginza_model, s.ginza_processes, s.ginza_batch_size,
                                                             s.ginza_exclude))

    def versions(self) -> dict[str, str]:
        return {d["id"]: d["checksum"] for d in self.catalog.documents.values()}

    def refresh(self, added: list[str] | None = None) -> None:
        """Readers switch to what the graph holds now.  ``added``: the only change since
        the last refresh is these documents, new to the catalog, which is then extended
        by their rows alone (the whole store is read again when a document was replaced
        or removed, whose entities may have lost names, and after a batch that failed
        half-way, whose written documents were never added)."""
        cat = self.catalog
        if added and not self.catalog_behind and not any(self.iris.doc(d) in cat.documents for d in added):
            self.catalog = cat.with_documents(self.graph, self.iris, added)
        else:
            self.catalog = Catalog.load(self.graph, self.iris)
        self.catalog_behind = False

    def close(self) -> None:
        for obj in (self.index, self.graph):
            try:
                obj.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass


def open_graph(settings: Settings) -> GraphStore:
    from policygraph.graph.store import open_store

    return open_store(settings)


def open_vector_index(settings: Settings) -> VectorIndex:
    from policygraph.indexes.vector_index import open_index

    return open_index(settings)
