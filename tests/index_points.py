"""Every point of a data directory's embedded index, for tests that compare two ingests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def points(data: Path) -> dict[str, dict[str, Any]]:
    """Every point of a data directory's index: payload, dense and sparse vectors."""
    import qdrant_edge as qe

    from policygraph.indexes.edge import EdgeIndex

    with EdgeIndex(data / "qdrant") as idx:
        records, _ = idx._shard.scroll(qe.ScrollRequest(limit=10_000, with_payload=True, with_vector=True))
    out = {}
    for r in records:
        sparse = r.vector["lexical"]
        out[str(r.id)] = {"payload": r.payload, "dense": np.asarray(r.vector["dense"], dtype=np.float32),
                          "sparse": (list(sparse.indices), list(sparse.values))}
    return out


def same_index(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> None:
    """The same points with the same payloads and vectors, bit for bit."""
    assert a.keys() == b.keys() and a
    for pid in a:
        assert a[pid]["payload"] == b[pid]["payload"], pid
        assert np.array_equal(a[pid]["dense"], b[pid]["dense"]), (pid, np.abs(a[pid]["dense"] - b[pid]["dense"]).max())
        assert a[pid]["sparse"] == b[pid]["sparse"], pid
