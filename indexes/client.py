"""The vector index through ``qdrant-client``: a Qdrant server, or local mode in a directory.

* Server (``POLICYGRAPH_QDRANT_URL``, optional ``POLICYGRAPH_QDRANT_API_KEY``): one
  collection (``POLICYGRAPH_QDRANT_COLLECTION``) with the same named vectors, payload
  indexes and queries as the Edge shard.
* Local mode (``QdrantClient(path=...)``): qdrant-client's pure-Python engine,
  persisted in SQLite; used by the tests as a second, independent implementation of the
  same Query API.  It takes a ``portalocker`` lock on the directory (a second client
  fails at once) and has no payload indexes (filters scan), so none are created.

Hybrid search uses the Query API exactly as :mod:`indexes.edge` does: a dense and a
sparse prefetch of ``limit * 4`` each, fused by RRF (k = 2, Qdrant's default), with
the filter on both prefetches and on the fusion.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    midnight_utc,
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
QDRANT_DEFAULT_RRF_K = 2
FLAT_TTL = 60.0  # seconds a count of the points without the due pair holds (a server has other writers)


class ClientIndex:
    """:class:`indexes.base.VectorIndex` over ``qdrant-client`` (server ``url`` or local ``path``)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        api_key: str | None = None,
        path: str | Path | None = None,
        collection: str = "passages",
        timeout: int = 30,
    ) -> None:
        from qdrant_client import QdrantClient

        if (url is None) == (path is None):
            raise ValueError("give exactly one of url (server) or path (local mode)")
        self.collection = collection
        self.local = path is not None
        self.where = str(path) if path is not None else str(url)
        self._exists = False
        self._dim: int | None = None
        self._tails = True  # the collection has the tails field (False: one made before stop 30)
        # every dated point has the due pair, as counted at a time (None: not yet); a server may
        # be written by other processes, so the count is taken again after FLAT_TTL seconds
        self._flat: tuple[bool, float] | None = None
        with self._errors("open"):
            if path is not None:
                Path(path).mkdir(parents=True, exist_ok=True)
                self.client = QdrantClient(path=str(path))
            else:
                self.client = QdrantClient(url=url, api_key=api_key, timeout=timeout)

    def __repr__(self) -> str:
        kind = "local" if self.local else "server"
        return f"ClientIndex({kind} {self.where!r}, collection={self.collection!r})"

    def __enter__(self) -> ClientIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- lifecycle ---------------------------------------------------------------------
    def exists(self) -> bool:
        if not self._exists:
            with self._errors("exists"):
                self._exists = bool(self.client.collection_exists(self.collection))
        return self._exists

    def ensure_collection(self, dim: int) -> None:
        from qdrant_client import models

        if dim < 1:
            raise VectorIndexError(f"dimension must be positive, got {dim}")
        with self._errors("create collection"):
            if self.client.collection_exists(self.collection):
                info = self.client.get_collection(self.collection)
                have, tails = self._layout(info)
                if have != dim:
                    raise VectorIndexError(
                        f"collection {self.collection!r} holds {have}-dimensional vectors and the embedder "
                        f"gives {dim}: delete the collection and ingest again to change the model",
                        source=self.where,
                    )
                schema = set((info.payload_schema or {}).keys())
            else:
                tails = True
                max_sim = models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM)
                self.client.create_collection(
                    self.collection,
                    vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE),
                                    TAILS: models.VectorParams(size=dim, distance=models.Distance.COSINE,
                                                               multivector_config=max_sim)},
                    sparse_vectors_config={LEXICAL: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                )
                schema = set()
            self._exists = True
            self._dim, self._tails = dim, tails
            if self.local:
                return  # local mode has no payload indexes
            for name in KEYWORD_FIELDS:
                if name not in schema:
                    self.client.create_payload_index(self.collection, name, models.PayloadSchemaType.KEYWORD)
            for name in DATETIME_FIELDS:
                if name not in schema:
                    self.client.create_payload_index(self.collection, name, models.PayloadSchemaType.DATETIME)

    def flush(self) -> None:
        """Nothing to do: the server and local mode persist every acknowledged write."""

    def drop(self) -> None:
        """Delete the collection (to change the embedding model)."""
        with self._errors("delete collection"):
            if self.client.collection_exists(self.collection):
                self.client.delete_collection(self.collection)
            self._exists, self._flat = False, None

    def close(self) -> None:
        with self._errors("close"):
            self.client.close()

    # ---- writes ------------------------------------------------------------------------
    def upsert(self, items: list[IndexItem]) -> None:
        from qdrant_client import models

        if not items:
            return
        dim = self._need_dim()
        if not self._tails and any(it.tails is not None for it in items):
            note_no_tails(f"{self.where} ({self.collection})")
        for start in range(0, len(items), UPSERT_BATCH):
            points = []
            for it in items[start : start + UPSERT_BATCH]:
                vector: dict[str, Any] = {DENSE: dense_list(it.dense, dim)}
                tails = tail_vectors(it, dim) if self._tails else None
                if tails:
                    vector[TAILS] = tails
                if len(it.sparse):
                    vector[LEXICAL] = models.SparseVector(indices=list(it.sparse.indices),
                                                          values=list(it.sparse.values))
                points.append(models.PointStruct(id=point_id(it.id), vector=vector, payload=it.payload))
            with self._errors("upsert"):
                self.client.upsert(self.collection, points=points, wait=True)
            self._flat = None

    def delete_doc(self, doc_id: str) -> None:
        from qdrant_client import models

        if not self.exists():
            return
        with self._errors("delete"):
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=_doc_filter(doc_id)),
                               wait=True)
        self._flat = None

    def delete_versions(self, doc_id: str, versions: Iterable[str]) -> None:
        from qdrant_client import models

        vs = sorted(set(versions))
        if not vs or not self.exists():
            return
        flt = models.Filter(must=[
            models.FieldCondition(key="doc", match=models.MatchValue(value=doc_id)),
            models.FieldCondition(key="version", match=models.MatchAny(any=vs)),
        ])
        with self._errors("delete"):
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=flt), wait=True)
        self._flat = None

    def delete_ids(self, ids: Iterable[str]) -> None:
        from qdrant_client import models

        pids: list[Any] = [point_id(i) for i in ids]
        if not pids or not self.exists():
            return
        with self._errors("delete"):
            for start in range(0, len(pids), PAGE):
                self.client.delete(self.collection,
                                   points_selector=models.PointIdsList(points=pids[start : start + PAGE]),
                                   wait=True)
        self._flat = None

    # ---- reads -------------------------------------------------------------------------
    def count(self, doc_id: str | None = None) -> int:
        if not self.exists():
            return 0
        with self._errors("count"):
            flt = _doc_filter(doc_id) if doc_id is not None else None
            return int(self.client.count(self.collection, count_filter=flt, exact=True).count)

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return {passage_id(r.id) for r in self._scroll(_doc_filter(doc_id), False)}

    def all_doc_versions(self) -> dict[str, set[str]]:
        return doc_versions(self._scroll(None, ["doc", "version"]))

    def point_versions(self) -> dict[str, tuple[str, str]]:
        return point_versions_of(self._scroll(None, ["doc", "version"]))

    def search(
        self,
        dense: NDArray[np.float32] | None,
        sparse: SparseVec | None,
        *,
        limit: int,
        filter: IndexFilter | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[IndexHit]:
        from qdrant_client import models

        use_dense, use_sparse = check_search_args(dense, sparse, limit, mode)
        if not (use_dense or use_sparse) or not self.exists():
            return []
        dq = dense_list(dense, self._need_dim()) if use_dense and dense is not None else None
        sq = (models.SparseVector(indices=list(sparse.indices), values=list(sparse.values))
              if use_sparse and sparse is not None else None)
        if filter is not None and (filter.date_from or filter.date_to) and self._flat_window():
            return self._search_window(dq, sq, limit, filter)
        flt = client_filter(filter)
        with self._errors("search"):
            if dq is not None and sq is not None:
                n = limit * PREFETCH_FACTOR
                fusion: Any = (models.FusionQuery(fusion=models.Fusion.RRF) if RRF_K == QDRANT_DEFAULT_RRF_K
                               else models.RrfQuery(rrf=models.Rrf(k=RRF_K)))
                requests = [
                    models.QueryRequest(
                        prefetch=[models.Prefetch(query=dq, using=DENSE, limit=n, filter=flt),
                                  models.Prefetch(query=sq, using=LEXICAL, limit=n, filter=flt)],
                        query=fusion, filter=flt, limit=limit, with_payload=True,
                    ),
                    models.QueryRequest(query=dq, using=DENSE, filter=flt, limit=n, with_payload=False),
                    models.QueryRequest(query=sq, using=LEXICAL, filter=flt, limit=n, with_payload=False),
                ]
                top, d_list, s_list = (r.points for r in self.client.query_batch_points(self.collection, requests))
                d_rank = {passage_id(p.id): i + 1 for i, p in enumerate(d_list)}
                s_rank = {passage_id(p.id): i + 1 for i, p in enumerate(s_list)}
                return [hit_of(p, d_rank.get(passage_id(p.id)), s_rank.get(passage_id(p.id))) for p in top]
            if dq is not None and self._tails:  # a long passage scores by the best of its vectors
                d_res, t_res = self.client.query_batch_points(self.collection, [
                    models.QueryRequest(query=dq, using=DENSE, filter=flt, limit=limit, with_payload=True),
                    models.QueryRequest(query=[dq], using=TAILS, filter=flt, limit=limit, with_payload=True)])
                return [hit_of(p, i + 1, None, score)
                        for i, (p, score) in enumerate(best_of(d_res.points, t_res.points, limit))]
            query: Any = dq if dq is not None else sq
            res = self.client.query_points(self.collection, query=query, using=DENSE if dq is not None else LEXICAL,
                                           query_filter=flt, limit=limit, with_payload=True)
            return [hit_of(p, i + 1 if dq is not None else None, i + 1 if dq is None else None)
                    for i, p in enumerate(res.points)]

    def _search_window(self, dq: Any, sq: Any, limit: int, f: IndexFilter) -> list[IndexHit]:
        """:meth:`search` with a date window, as Qdrant Edge's: each list filtered by the flat
        due pair, checked deadline by deadline (:func:`indexes.base.window_hits`)."""
        flt = client_filter(f, flat=True)

        def first(q: tuple[Any, str], k: int) -> list[Any]:
            query, using = q
            with self._errors("search"):
                return list(self.client.query_points(self.collection, query=query, using=using, query_filter=flt,
                                                     limit=k, with_payload=True).points)

        return window_hits(first, f, (dq, DENSE) if dq is not None else None, (sq, LEXICAL) if sq is not None else None,
                           ([dq], TAILS) if dq is not None and self._tails else None, limit, hit_of)

    def _flat_window(self) -> bool:
        """Whether every point with a deadline has the flat due pair (points written before
        stop 31 have none until reindexed, and are filtered by the ``nested`` condition)."""
        from qdrant_client import models

        now = time.monotonic()
        if self._flat is None or now - self._flat[1] > FLAT_TTL:
            old = models.Filter(must=[models.IsEmptyCondition(is_empty=models.PayloadField(key=DUE_FROM))],
                                must_not=[models.IsEmptyCondition(is_empty=models.PayloadField(key=DEADLINES))])
            with self._errors("count"):
                flat = self.client.count(self.collection, count_filter=old, exact=True).count == 0
            self._flat = (flat, now)
            if not flat:
                note_nested_window(f"{self.where} ({self.collection})")
        return self._flat[0]

    # ---- internals ---------------------------------------------------------------------
    def _need_dim(self) -> int:
        if self._dim is None:
            with self._errors("collection info"):
                if self.client.collection_exists(self.collection):
                    self._dim, self._tails = self._layout(self.client.get_collection(self.collection))
                    self._exists = True
        if self._dim is None:
            raise VectorIndexError("the index has no collection yet: call ensure_collection(dim) first",
                                   source=self.where)
        return self._dim

    @staticmethod
    def _layout(info: Any) -> tuple[int | None, bool]:
        """The collection's dense size, and whether it has the tails field."""
        vectors = info.config.params.vectors
        params = vectors.get(DENSE) if isinstance(vectors, dict) else None
        return (int(params.size) if params is not None else None), stored_tails(vectors)

    def _scroll(self, flt: Any, with_payload: Any) -> Iterator[Any]:
        if not self.exists():
            return
        offset = None
        while True:
            with self._errors("scroll"):
                records, offset = self.client.scroll(self.collection, scroll_filter=flt, limit=PAGE, offset=offset,
                                                     with_payload=with_payload, with_vectors=False)
            yield from records
            if offset is None or not records:
                return

    @contextmanager
    def _errors(self, op: str) -> Iterator[None]:
        try:
            yield
        except PolicygraphError:
            raise
        except Exception as e:  # qdrant-client raises many types (HTTP, gRPC, RuntimeError, ValueError)
            msg = str(e)
            if "already accessed by another instance" in msg:
                raise IndexLocked("the vector index directory is open in another process or client",
                                  source=self.where) from e
            raise VectorIndexError(f"{op} failed: {msg}", source=self.where) from e


def client_filter(f: IndexFilter | None, *, flat: bool = False) -> Any:
    """IndexFilter → ``qdrant_client.models.Filter`` (None when it filters nothing); with
    ``flat`` a date window is a range on the due pair (see :func:`indexes.edge.edge_filter`)."""
    from qdrant_client import models

    if f is None or f.is_empty():
        return None
    must: list[Any] = [models.FieldCondition(key=k, match=models.MatchAny(any=v)) for k, v in f.lists()]
    if f.date_from or f.date_to:  # one deadline of the passage overlaps the window
        window: list[Any] = []
        if f.date_to:
            window.append(models.FieldCondition(key="from", range=models.DatetimeRange(lte=midnight_utc(f.date_to))))
        if f.date_from:
            window.append(models.FieldCondition(key="to", range=models.DatetimeRange(gte=midnight_utc(f.date_from))))
        if flat:
            must.extend(models.FieldCondition(key=DUE_FROM if c.key == "from" else DUE_TO, range=c.range)
                        for c in window)
        else:
            must.append(models.NestedCondition(nested=models.Nested(key=DEADLINES, filter=models.Filter(must=window))))
    return models.Filter(must=must)


def _doc_filter(doc_id: str) -> Any:
    from qdrant_client import models

    return models.Filter(must=[models.FieldCondition(key="doc", match=models.MatchValue(value=doc_id))])
