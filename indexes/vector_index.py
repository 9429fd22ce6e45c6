"""The vector index: ``open_index(settings)`` and the records it takes and gives.

* ``Settings.qdrant_url`` set → a Qdrant server through qdrant-client
  (:class:`indexes.client.ClientIndex`, collection ``Settings.qdrant_collection``).
* otherwise → Qdrant Edge in-process at ``Settings.qdrant_path`` (``data/qdrant``,
  :class:`indexes.edge.EdgeIndex`; see that module for how it persists and locks).
* ``client_path=...`` → qdrant-client local mode in that directory (tests, comparisons).

Both implement :class:`indexes.base.VectorIndex`: named vectors ``dense`` (cosine),
``tails`` (a long passage's tail windows, multi-vector MAX_SIM; a dense search keeps each
passage's better score of the two) and ``lexical`` (sparse, Qdrant IDF), payload filters
(any-of per list, deadline overlap), and hybrid search by the Query API (dense + sparse
prefetch, RRF).
"""

from __future__ import annotations

from pathlib import Path

from policygraph.core.settings import Settings
from policygraph.indexes.base import (
    DENSE,
    LEXICAL,
    IndexFilter,
    IndexHit,
    IndexItem,
    IndexLocked,
    SearchMode,
    VectorIndex,
    passage_id,
    point_id,
)
from policygraph.indexes.sparse import SparseVec

__all__ = [
    "DENSE",
    "LEXICAL",
    "IndexFilter",
    "IndexHit",
    "IndexItem",
    "IndexLocked",
    "SearchMode",
    "SparseVec",
    "VectorIndex",
    "open_index",
    "passage_id",
    "point_id",
]


def open_index(settings: Settings, *, client_path: str | Path | None = None) -> VectorIndex:
    """The index the settings name (see the module docstring)."""
    if settings.qdrant_url:
        from policygraph.indexes.client import ClientIndex

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return ClientIndex(url=settings.qdrant_url, api_key=key, collection=settings.qdrant_collection)
    if client_path is not None:
        from policygraph.indexes.client import ClientIndex

        return ClientIndex(path=client_path, collection=settings.qdrant_collection)
    from policygraph.indexes.edge import EdgeIndex

    return EdgeIndex(settings.qdrant_path)
