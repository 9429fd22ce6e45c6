"""Search latency at scale: a synthetic 100k-passage index (bench only, not a test).

Ingests the sample corpus as a user does (its entity catalog, graph and points), then
adds N synthetic passages to the same embedded Qdrant Edge index (dense vectors made from
the corpus passages' real embeddings plus noise, sparse vectors from the corpus's real
Sudachi terms, entity, agency and deadline payloads like real ones) as one synthetic
document in the graph, with no optimize() (the service never calls it), then measures
over Q queries:
* raw Qdrant time (dense + sparse searches, as the API issues them),
* the full API path (`GET /api/search` through FastAPI's TestClient: query embedding,
  fusion, graph/time candidates, version check, no_good_match, JSON),
* the queries that name a time (one in five) apart, and again with the date window
  filtered by Qdrant's nested condition (as a store written before stop 31 is),
and writes bench/results/search_scale.json with p50/p95 and the overhead ratio.

Run: .venv/bin/python bench/search_scale.py [--n 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], 2)


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    from fastapi.testclient import TestClient
    from rdflib import RDF, Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS

    from policygraph.api.app import create_app
    from policygraph.core.settings import Settings
    from policygraph.graph.namespace import PG
    from policygraph.indexes.items import deadline_fields
    from policygraph.indexes.sparse import SparseVec
    from policygraph.indexes.vector_index import IndexFilter, IndexItem
    from policygraph.ingest.pipeline import layout
    from policygraph.ingest.readers import read_file
    from policygraph.service.service import Service

    texts = [p.text for f in sorted((ROOT / "tests" / "data" / "corpus").glob("*.txt"))
             for p in layout(read_file(f)).passages]
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Settings(data=Path(tmp)))
        # the real corpus first, as a user ingests it: its entity catalog and graph are what
        # the API path's entity and time candidates run against
        svc.ingest_paths([ROOT / "tests" / "data" / "corpus"])
        keys = sorted(e["id"] for e in svc.catalog.entities.values())
        agencies = sorted(e["id"] for e in svc.catalog.entities.values() if e["type"] == "Agency")
        base = svc.embedder.embed_passages(texts[:64])
        sparse_base = svc.sparse.encode_documents(texts)
        rng = np.random.default_rng(7)
        svc.index.ensure_collection(svc.embedder.dim)
        doc_id, version = "synthetic", "v1"
        t0 = time.perf_counter()
        for start in range(0, args.n, 1000):
            items = []
            for i in range(start, min(args.n, start + 1000)):
                v = base[i % len(base)] + rng.normal(0, 0.05, base.shape[1]).astype(np.float32)
                v /= np.linalg.norm(v)
                sv: SparseVec = sparse_base[i % len(sparse_base)]
                items.append(IndexItem(id=f"{i:016x}", dense=v, sparse=sv, payload={
                    "doc": doc_id, "source": "synthetic.txt", "version": version, "section": ["1"],
                    "start": 0, "end": 10, "text": texts[i % len(texts)][:200], "heading": "",
                    "entities": [keys[i % len(keys)], keys[(i * 7) % len(keys)]],
                    "agencies": [agencies[i % len(agencies)]], "systems": [],
                    **deadline_fields([(f"{2020 + i % 10}-04-01", f"{2021 + i % 10}-03-31")])}))
            svc.index.upsert(items)
        build_s = time.perf_counter() - t0
        g = Graph(identifier=URIRef(svc.iris.graph(doc_id)))
        d = URIRef(svc.iris.doc(doc_id))
        g.add((d, RDF.type, PG.Document))
        g.add((d, PG.source, Literal("synthetic.txt")))
        g.add((d, PG.checksum, Literal(version)))
        g.add((d, DCTERMS.title, Literal("synthetic")))
        svc.graph.replace_document(svc.iris.graph(doc_id), g)
        svc.refresh()  # as a write publishes; no optimize(): the service never calls it
        client = TestClient(create_app(svc.settings, svc), base_url="http://127.0.0.1")
        queries = ["警察共通基盤による情報の利活用", "SNSで実行犯を募集する投稿", "税関の検査の高度化",
                   "運転免許の行政処分の手続", "令和8年度中に結論を得る取組"]
        raw, api, timed = [], [], []
        client.get("/api/search", params={"q": queries[0]})
        for i in range(args.queries):
            # a new query text every time, so the API path embeds it (no query-vector cache)
            q = f"{queries[i % len(queries)]} {i}"
            dv = svc.embedder.embed_queries([q])[0]
            sv = svc.sparse.encode_query(q)
            t0 = time.perf_counter()
            svc.index.search(dv, None, limit=40, filter=IndexFilter(), mode="dense")
            svc.index.search(None, sv, limit=40, filter=IndexFilter(), mode="sparse")
            raw.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            r = client.get("/api/search", params={"q": q, "limit": 10})
            api.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
            if i % len(queries) == len(queries) - 1:  # the query that names a time
                timed.append(api[-1])
        # the same time-naming queries with the window filtered by the nested condition, as
        # for a store written before the flat due pair (the path stop 30 always took)
        nested = []
        for i in range(len(queries) - 1, args.queries, len(queries)):
            q = f"{queries[i % len(queries)]} n{i}"
            svc.index._flat = False  # type: ignore[attr-defined]  # EdgeIndex only; bench only
            t0 = time.perf_counter()
            r = client.get("/api/search", params={"q": q, "limit": 10})
            nested.append((time.perf_counter() - t0) * 1000)
        svc.close()
    res = {
        "points": args.n, "build_s": round(build_s, 1), "queries": args.queries,
        "qdrant_p50_ms": pct(raw, 0.5), "qdrant_p95_ms": pct(raw, 0.95),
        "api_p50_ms": pct(api, 0.5), "api_p95_ms": pct(api, 0.95),
        "api_over_qdrant_p50": round(statistics.median(api) / max(statistics.median(raw), 1e-6), 1),
        "time_queries": len(timed), "api_time_p50_ms": pct(timed, 0.5), "api_time_p95_ms": pct(timed, 0.95),
        "api_time_nested_p50_ms": pct(nested, 0.5), "api_time_nested_p95_ms": pct(nested, 0.95),
    }
    out = ROOT / "bench" / "results" / "search_scale.json"
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
