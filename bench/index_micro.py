"""Micro-benchmark: Qdrant Edge vs qdrant-client local mode, random vectors.

Upserts N points (384-d dense + a 12-term sparse vector + a small payload) in batches,
then times single queries (dense, sparse, hybrid, hybrid with a filter) and prints the
upsert time and the p50 / p95 latency of each.  Not a test; a quick measurement:

    .venv/bin/python bench/index_micro.py [--points 1000] [--queries 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policygraph.indexes.base import IndexFilter, IndexItem, SearchMode, VectorIndex  # noqa: E402
from policygraph.indexes.client import ClientIndex  # noqa: E402
from policygraph.indexes.edge import EdgeIndex  # noqa: E402
from policygraph.indexes.sparse import SparseVec  # noqa: E402

DIM = 384
VOCAB = 5000


def make_items(n: int, rng: np.random.Generator) -> list[IndexItem]:
    dense = rng.standard_normal((n, DIM)).astype(np.float32)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    items = []
    for i in range(n):
        terms = rng.choice(VOCAB, 12, replace=False)
        sv = SparseVec.from_dict({int(t): float(rng.uniform(0.5, 2.0)) for t in terms})
        items.append(IndexItem(f"{i:016x}", dense[i], sv, {
            "doc": f"doc-{i % 20}", "version": "v1", "text": f"passage {i}",
            "agencies": [f"agency-{i % 7}"], "entities": [], "systems": [],
            "deadlines": [{"from": "2025-04-01", "to": "2026-03-31"}],
        }))
    return items


def time_queries(idx: VectorIndex, queries: list[tuple[np.ndarray, SparseVec]], mode: SearchMode,
                 flt: IndexFilter | None) -> list[float]:
    out = []
    for dense, sparse in queries:
        t = time.perf_counter()
        idx.search(dense, sparse, limit=10, filter=flt, mode=mode)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--batch", type=int, default=100, help="points per upsert call")
    args = ap.parse_args()

    rng = np.random.default_rng(7)
    items = make_items(args.points, rng)
    queries = [(it.dense, SparseVec(it.sparse.indices[:4], (1.0,) * 4)) for it in make_items(args.queries, rng)]
    flt = IndexFilter(agencies=["agency-1", "agency-2"], date_from="2025-06-01", date_to="2025-06-30")

    print(f"{args.points} points ({DIM}-d dense + 12-term sparse), upsert batches of {args.batch}, "
          f"{args.queries} queries, limit 10")
    print(f"{'backend':<22}{'upsert s':>10}  " + "  ".join(f"{m + ' p50/p95 ms':>24}" for m in
                                                           ("dense", "sparse", "hybrid", "hybrid+filter")))
    with tempfile.TemporaryDirectory() as tmp:
        backends: list[tuple[str, VectorIndex]] = [
            ("qdrant-edge", EdgeIndex(Path(tmp) / "edge")),
            ("qdrant-client local", ClientIndex(path=Path(tmp) / "local")),
        ]
        for name, idx in backends:
            idx.ensure_collection(DIM)
            t = time.perf_counter()
            for start in range(0, len(items), args.batch):
                idx.upsert(items[start : start + args.batch])
            idx.flush()
            upsert_s = time.perf_counter() - t
            cells = []
            for mode, f in (("dense", None), ("sparse", None), ("hybrid", None), ("hybrid", flt)):
                time_queries(idx, queries[:10], mode, f)  # warm-up
                lat = time_queries(idx, queries, mode, f)  # type: ignore[arg-type]
                p95 = statistics.quantiles(lat, n=20)[18]
                cells.append(f"{statistics.median(lat):>11.2f} / {p95:<9.2f}")
            print(f"{name:<22}{upsert_s:>10.2f}  " + "  ".join(f"{c:>24}" for c in cells))
            assert idx.count() == args.points
            idx.close()


if __name__ == "__main__":
    main()
