"""The vector index in-process: one Qdrant Edge shard (``qdrant-edge-py``) in a directory.

Persistence (checked against qdrant-edge-py 0.9):

* ``EdgeShard.create(path, config)`` writes ``edge_config.json``, ``segments/`` and
  ``wal/``; ``EdgeShard.load(path)`` reopens them.  Points, payload indexes and the
  vector configuration survive ``close()`` and a restart: nothing is re-embedded.
* Every update goes to the write-ahead log first (WAL on, the default), so an update
  that returned survives a crash even without ``flush()``: the WAL is replayed on the
  next ``load`` (checked by killing a process with ``os._exit`` after an upsert).
  ``flush()`` writes the segments and lets the WAL be truncated; ``close()`` flushes
  and releases the shard.
* There is no background optimizer: segments are optimised (HNSW built, deletions
  vacuumed) only when :meth:`EdgeIndex.optimize` runs ``EdgeShard.optimize()``.  Below
  the indexing threshold a plain segment is searched exactly.

Locking: ``load``/``create`` take an exclusive, non-blocking ``flock`` on the shard's
``wal/`` directory.  A second open of the same directory fails at once with
``Can't init WAL: Kind(WouldBlock)`` — from another process *and* from the same
process while the first handle is open — and is raised here as
:class:`indexes.base.IndexLocked` (a ``StoreLocked`` and a ``VectorIndexError``).  The
lock goes with ``close()``, with the shard object, or with the process (the kernel
drops it), so a crashed server never leaves the directory locked.  One process, one
``EdgeIndex`` per directory: share the instance between threads.  Reads and writes
from several threads at once are fine (checked: queries kept running during upserts).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from policygraph.core.errors import PolicygraphError, VectorIndexError
from policygraph.indexes.base import (
    DATETIME_FIELDS,
    DEADLINES,
    DENSE,
    DUE_FROM,
    DUE_TO,
    KEYWORD_FIELDS,
    LEXICAL,
    PAGE,
    PREFETCH_FACTOR,
    RRF_K,
    TAILS,
    IndexFilter,
    IndexHit,
    IndexItem,
    IndexLocked,
    SearchMode,
    best_of,
    check_search_args,
    dense_list,
    doc_versions,
    hit_of,
    iso_midnight_utc,
    note_nested_window,
    note_no_tails,
    passage_id,
    point_id,
    point_versions_of,
    stored_tails,
    tail_vectors,
    window_hits,
)
from policygraph.indexes.sparse import SparseVec

UPSERT_BATCH = 256


class EdgeIndex:
    """:class:`indexes.base.VectorIndex` over a Qdrant Edge shard at ``path``."""

    def __init__(self, path: str | Path, *, max_search_threads: int | None = None) -> None:
        self.path = Path(path)
        self.max_search_threads = max_search_threads
        self._shard: Any = None
        self._dim: int | None = None
        self._tails = True  # the shard has the tails field (False: a store made before stop 30)
        self._flat: bool | None = None  # every dated point has the due pair (None: not yet counted)
        self._life = threading.RLock()
        if (self.path / "edge_config.json").exists():
            self._load()

    def __repr__(self) -> str:
        return f"EdgeIndex({str(self.path)!r}, open={self._shard is not None})"

    def __enter__(self) -> EdgeIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- lifecycle ---------------------------------------------------------------------
    def _config(self, dim: int | None) -> Any:
        import qdrant_edge as qe

        max_sim = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
        return qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine),
                     TAILS: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, multivector_config=max_sim)}
            if dim else None,
            sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)} if dim else None,
            max_search_threads=self.max_search_threads,
        )

    def _load(self) -> None:
        import qdrant_edge as qe

        with self._life:
            if self._shard is not None:
                return
            with self._errors("open"):
                config = None if self.max_search_threads is None else self._config(None)
                self._shard = qe.EdgeShard.load(str(self.path), config)
            self._dim, self._tails = self._stored_layout()
            self._flat = None

    def _stored_layout(self) -> tuple[int | None, bool]:
        """The stored dense field's size, and whether the tails field is there."""
        try:
            with open(self.path / "edge_config.json", encoding="utf-8") as f:
                vectors = json.load(f)["vectors"]
            return int(vectors[DENSE]["size"]), stored_tails(vectors)
        except (OSError, ValueError, KeyError, TypeError):
            return None, True

    def exists(self) -> bool:
        return self._shard is not None

    def ensure_collection(self, dim: int) -> None:
        import qdrant_edge as qe

        if dim < 1:
            raise VectorIndexError(f"dimension must be positive, got {dim}")
        with self._life:
            if self._shard is None and (self.path / "edge_config.json").exists():
                self._load()
            if self._shard is None:
                with self._errors("create"):
                    self.path.mkdir(parents=True, exist_ok=True)
                    self._shard = qe.EdgeShard.create(str(self.path), self._config(dim))
                self._dim, self._tails = dim, True
            elif self._dim != dim:
                raise VectorIndexError(
                    f"the index holds {self._dim}-dimensional vectors and the embedder gives {dim}: "
                    "delete the index directory and ingest again to change the model",
                    source=str(self.path),
                )
            with self._errors("create payload indexes"):
                have = set(self._shard.info().payload_schema)
                for name in KEYWORD_FIELDS:
                    if name not in have:
                        self._update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
                for name in DATETIME_FIELDS:
                    if name not in have:
                        self._update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Datetime))

    def flush(self) -> None:
        shard = self._shard
        if shard is not None:
            with self._errors("flush"):
                shard.flush()

    def optimize(self) -> bool:
        """Merge segments, build the HNSW index, vacuum deletions (blocking)."""
        shard = self._shard
        if shard is None:
            return False
        with self._errors("optimize"):
            return bool(shard.optimize())

    def close(self) -> None:
        with self._life:
            shard, self._shard = self._shard, None
            if shard is not None:
                with self._errors("close"):
                    shard.flush()
                    shard.close()

    def drop(self) -> None:
        """Delete every point and the collection itself (to change the embedding model)."""
        import shutil

        self.close()
        with self._life:
            shutil.rmtree(self.path, ignore_errors=True)
            self._dim, self._tails, self._flat = None, True, None

    # ---- writes ------------------------------------------------------------------------
    def upsert(self, items: list[IndexItem]) -> None:
        import qdrant_edge as qe

        if not items:
            return
        self._need()
        if not self._tails and any(it.tails is not None for it in items):
            note_no_tails(str(self.path))
        for start in range(0, len(items), UPSERT_BATCH):
            points = []
            for it in items[start : start + UPSERT_BATCH]:
                vector: dict[str, Any] = {DENSE: dense_list(it.dense, self._dim)}
                tails = tail_vectors(it, self._dim) if self._tails else None
                if tails:
                    vector[TAILS] = tails
                if len(it.sparse):
                    vector[LEXICAL] = qe.SparseVector(indices=list(it.sparse.indices), values=list(it.sparse.values))
                points.append(qe.Point(id=point_id(it.id), vector=vector, payload=it.payload))
            with self._errors("upsert"):
                self._update(qe.UpdateOperation.upsert_points(points))

    def delete_doc(self, doc_id: str) -> None:
        import qdrant_edge as qe

        if self._shard is None:
            return
        with self._errors("delete"):
            self._update(qe.UpdateOperation.delete_points_by_filter(self._doc_filter(doc_id)))

    def delete_versions(self, doc_id: str, versions: Iterable[str]) -> None:
        import qdrant_edge as qe

        vs = sorted(set(versions))
        if self._shard is None or not vs:
            return
        flt = qe.Filter(must=[
            qe.FieldCondition(key="doc", match=qe.MatchValue(doc_id)),
            qe.FieldCondition(key="version", match=qe.MatchAny(any=vs)),
        ])
        with self._errors("delete"):
            self._update(qe.UpdateOperation.delete_points_by_filter(flt))

    def delete_ids(self, ids: Iterable[str]) -> None:
        import qdrant_edge as qe

        pids: list[Any] = [point_id(i) for i in ids]
        if self._shard is None or not pids:
            return
        with self._errors("delete"):
            for start in range(0, len(pids), PAGE):
                self._update(qe.UpdateOperation.delete_points(pids[start : start + PAGE]))

    # ---- reads -------------------------------------------------------------------------
    def count(self, doc_id: str | None = None) -> int:
        import qdrant_edge as qe

        shard = self._shard
        if shard is None:
            return 0
        flt = self._doc_filter(doc_id) if doc_id is not None else None
        with self._errors("count"):
            return int(shard.count(qe.CountRequest(exact=True, filter=flt)))

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return {passage_id(r.id) for r in self._scroll(self._doc_filter(doc_id), False)}

    def all_doc_versions(self) -> dict[str, set[str]]:
        import qdrant_edge as qe

        return doc_versions(self._scroll(None, qe.PayloadSelector.Include(["doc", "version"])))

    def point_versions(self) -> dict[str, tuple[str, str]]:
        import qdrant_edge as qe

        return point_versions_of(self._scroll(None, qe.PayloadSelector.Include(["doc", "version"])))

    def search(
        self,
        dense: NDArray[np.float32] | None,
        sparse: SparseVec | None,
        *,
        limit: int,
        filter: IndexFilter | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[IndexHit]:
        import qdrant_edge as qe

        use_dense, use_sparse = check_search_args(dense, sparse, limit, mode)
        shard = self._shard
        if shard is None or not (use_dense or use_sparse):
            return []
        qv = dense_list(dense, self._dim) if use_dense and dense is not None else None
        dq = qe.Query.Nearest(qv, using=DENSE) if qv is not None else None
        sq = (qe.Query.Nearest(qe.SparseVector(indices=list(sparse.indices), values=list(sparse.values)),
                               using=LEXICAL) if use_sparse and sparse is not None else None)
        if filter is not None and (filter.date_from or filter.date_to) and self._flat_window():
            return self._search_window(shard, dq, sq, qv, limit, filter)
        flt = edge_filter(filter)
        with self._errors("search"):
            if dq is not None and sq is not None:
                n = limit * PREFETCH_FACTOR
                fused = qe.QueryRequest(
                    limit=limit,
                    prefetches=[qe.Prefetch(limit=n, query=dq, filter=flt), qe.Prefetch(limit=n, query=sq, filter=flt)],
                    query=cast(Any, qe.Fusion.Rrf(k=RRF_K)),  # the stub misses Fusion.Rrf in ScoringQueryType
                    filter=flt,
                    with_payload=True,
                )
                lists = [qe.QueryRequest(limit=n, query=q, filter=flt, with_payload=False) for q in (dq, sq)]
                top, d_list, s_list = shard.query_batch(qe.QueryBatchRequest([fused, *lists]))
                d_rank = {passage_id(p.id): i + 1 for i, p in enumerate(d_list)}
                s_rank = {passage_id(p.id): i + 1 for i, p in enumerate(s_list)}
                return [hit_of(p, d_rank.get(passage_id(p.id)), s_rank.get(passage_id(p.id))) for p in top]
            if qv is not None and self._tails:  # a long passage scores by the best of its vectors
                tq = qe.Query.Nearest([qv], using=TAILS)
                d_points, t_points = shard.query_batch(qe.QueryBatchRequest(
                    [qe.QueryRequest(limit=limit, query=q, filter=flt, with_payload=True) for q in (dq, tq)]))
                return [hit_of(p, i + 1, None, score) for i, (p, score) in enumerate(best_of(d_points, t_points, limit))]
            query = dq if dq is not None else sq
            points = shard.query(qe.QueryRequest(limit=limit, query=query, filter=flt, with_payload=True))
            return [hit_of(p, i + 1 if dq is not None else None, i + 1 if dq is None else None)
                    for i, p in enumerate(points)]

    def _search_window(self, shard: Any, dq: Any, sq: Any, qv: list[float] | None, limit: int,
                       f: IndexFilter) -> list[IndexHit]:
        """:meth:`search` with a date window: each list filtered by the flat due pair and
        checked deadline by deadline (:func:`indexes.base.window_hits`); the same hits as a
        ``nested`` filter gives, several times faster."""
        import qdrant_edge as qe

        flt = edge_filter(f, flat=True)

        def first(q: Any, k: int) -> list[Any]:
            with self._errors("search"):
                return list(shard.query(qe.QueryRequest(limit=k, query=q, filter=flt, with_payload=True)))

        tq = qe.Query.Nearest([qv], using=TAILS) if qv is not None and self._tails else None
        return window_hits(first, f, dq, sq, tq, limit, hit_of)

    def _flat_window(self) -> bool:
        """Whether every point with a deadline has the flat due pair (a store written before
        stop 31 has none until reindexed, and is filtered by the ``nested`` condition)."""
        import qdrant_edge as qe

        if self._flat is None:
            shard = self._need()
            old = qe.Filter(must=[qe.IsEmptyCondition(DUE_FROM)], must_not=[qe.IsEmptyCondition(DEADLINES)])
            with self._errors("count"):
                self._flat = int(shard.count(qe.CountRequest(exact=True, filter=old))) == 0
            if not self._flat:
                note_nested_window(str(self.path))
        return self._flat

    # ---- internals ---------------------------------------------------------------------
    def _need(self) -> Any:
        shard = self._shard
        if shard is None:
            raise VectorIndexError("the index has no collection yet: call ensure_collection(dim) first",
                                   source=str(self.path))
        return shard

    def _update(self, op: Any) -> None:
        self._flat = None  # what is written may or may not carry the due pair: count again
        self._need().update(op)

    def _doc_filter(self, doc_id: str) -> Any:
        import qdrant_edge as qe

        return qe.Filter(must=[qe.FieldCondition(key="doc", match=qe.MatchValue(doc_id))])

    def _scroll(self, flt: Any, with_payload: Any) -> Iterator[Any]:
        import qdrant_edge as qe

        shard = self._shard
        if shard is None:
            return
        offset = None
        while True:
            with self._errors("scroll"):
                records, offset = shard.scroll(
                    qe.ScrollRequest(offset=offset, limit=PAGE, filter=flt, with_payload=with_payload,
                                     with_vector=False)
                )
            yield from records
            if offset is None or not records:
                return

    @contextmanager
    def _errors(self, op: str) -> Iterator[None]:
        try:
            yield
        except PolicygraphError:
            raise
        except Exception as e:  # the bindings raise plain Exception
            msg = str(e)
            if "WouldBlock" in msg or "Resource temporarily unavailable" in msg:
                raise IndexLocked(
                    "the vector index is open in another process (or another handle in this one): "
                    "stop the running server or use its API",
                    source=str(self.path),
                ) from e
            raise VectorIndexError(f"{op} failed: {msg}", source=str(self.path)) from e


def edge_filter(f: IndexFilter | None, *, flat: bool = False) -> Any:
    """IndexFilter → ``qdrant_edge.Filter`` (None when it filters nothing).  A date window
    is a ``nested`` condition on each deadline, or with ``flat`` a range on the due pair,
    which keeps a superset for :func:`indexes.base.window_search` to check."""
    import qdrant_edge as qe

    if f is None or f.is_empty():
        return None
    must: list[Any] = [qe.FieldCondition(key=k, match=qe.MatchAny(any=v)) for k, v in f.lists()]
    if f.date_from or f.date_to:  # one deadline of the passage overlaps the window
        window: list[Any] = []
        if f.date_to:
            window.append(qe.FieldCondition(key="from", range=qe.RangeDateTime(lte=iso_midnight_utc(f.date_to))))
        if f.date_from:
            window.append(qe.FieldCondition(key="to", range=qe.RangeDateTime(gte=iso_midnight_utc(f.date_from))))
        if flat:
            must.extend(qe.FieldCondition(key=DUE_FROM if c.key == "from" else DUE_TO, range=c.range)
                        for c in window)
        else:
            must.append(qe.NestedCondition(DEADLINES, qe.Filter(must=window)))
    return qe.Filter(must=must)
