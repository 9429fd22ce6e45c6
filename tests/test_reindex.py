"""`policygraph reindex`: the index is rebuilt from the graph alone (a new embedding
model without re-parsing), and what search answers is the same passages, with the
same offsets, payload and lead-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

QUERIES = ("交通反則金をクレジットカードで納付する", "警察共通基盤に情報システムを集約する", "マイナンバーカードと運転免許証の一体化")


def _view(res: dict) -> list[tuple]:
    return [(h["document"]["source"], h["start"], h["end"], h["text"], h["lead"], tuple(h["section"]),
             tuple(e["id"] for e in h["entities"])) for h in res["hits"]]


def _lexical(svc: object, q: str) -> list[tuple]:
    """The lexical list of a query straight from the index: ids, scores and payloads."""
    sparse = svc.reads.searcher.query_vectors(q)[1]  # type: ignore[attr-defined]
    hits = svc.index.search(None, sparse, limit=20, mode="sparse")  # type: ignore[attr-defined]
    def canon(v: object) -> str:  # lists as sets: the graph gives their members in no fixed order
        return str(sorted(map(str, v))) if isinstance(v, list) else str(v)

    return sorted(((h.id, round(h.score, 3), sorted((k, canon(v)) for k, v in h.payload.items() if k != "version"))
                   for h in hits), key=lambda r: (-r[1], r[0]))  # equal scores come in no fixed order


def test_reindex_rebuilds_the_same_index_from_the_graph(tmp_path: Path, corpus_dir: Path) -> None:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    src = corpus_dir / "001_214d2fa169fb0a94.txt"
    svc = Service(Settings(data=tmp_path / "data", ginza_processes=1))
    try:
        assert svc.ingest_paths([src])[0]["status"] == "added"
        before = {(q, m): _view(svc.search(q, limit=10, mode=m)) for q in QUERIES for m in ("sparse", "dense")}
        lexical_before = {q: _lexical(svc, q) for q in QUERIES}
        points = svc.index.count()
        out = svc.reindex()
        assert out["passages"] == points == svc.index.count() and out["dim"] == svc.embedder.dim
        after = {(q, m): _view(svc.search(q, limit=10, mode=m)) for q in QUERIES for m in ("sparse", "dense")}
        for q in QUERIES:
            # the sparse side is rebuilt bit for bit: the same points, scores and payloads
            # (what a search shows of them also depends on the dense side, through 該当なし)
            now = _lexical(svc, q)
            assert now == lexical_before[q], [(x[0], y[0], x[1], y[1], [f for f in x[2] if f not in y[2]],
                                               [f for f in y[2] if f not in x[2]])
                                              for x, y in zip(lexical_before[q], now, strict=False) if x != y][:2]
            assert {h[:3] for h in before[q, "sparse"]} & {h[:3] for h in after[q, "sparse"]}
            # dense vectors are re-embedded in other batches, so ranks may swap a little
            d0, d1 = before[q, "dense"], after[q, "dense"]
            # (the hits are those above the relevance floor: a one-document index has few)
            a, b = {h[:3] for h in d0}, {h[:3] for h in d1}
            assert d0[0] == d1[0] and len(a & b) >= 0.8 * max(len(a), len(b)), (len(a), len(b), len(a & b))
        text = src.read_text(encoding="utf-8")
        hits = [h for q in QUERIES for h in svc.search(q, limit=10)["hits"]]
        assert any(h["lead"] for h in hits)  # lead-ins survive the rebuild
        for h in hits:
            assert text[h["start"] : h["end"]] == h["text"]
    finally:
        svc.close()
