"""A long passage's tail windows: cut from its sentences, embedded by the real e5-small
model, stored as one multi-vector point in real Qdrant Edge and qdrant-client local
mode, and scored by the best of its vectors; stores made before them still work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from policygraph.indexes.base import DENSE, LEXICAL, IndexItem  # noqa: E402
from policygraph.indexes.client import ClientIndex  # noqa: E402
from policygraph.indexes.edge import EdgeIndex  # noqa: E402
from policygraph.indexes.items import PassageRow, context_text, items_of, tails_of  # noqa: E402
from policygraph.indexes.windows import WINDOW_TOKENS, pack, sentences, tail_windows  # noqa: E402


def test_windows_cover_the_tail_in_order_within_the_budget() -> None:
    text = "".join(f"第{i}文は{'あ' * (i % 7 + 3)}。" for i in range(40)) + "\n最後の行"
    count = lambda texts: [len(t) for t in texts]  # noqa: E731  (a character a token)
    windows = tail_windows("題\n見出し", text, count, window=60)
    assert len(windows) >= 5
    assert all(w.startswith("題\n見出し\n") for w in windows)
    assert all(len(w) <= 60 for w in windows)  # no sentence here is longer than a window
    bodies = [w.removeprefix("題\n見出し\n") for w in windows]
    first = text[: len(text) - len("".join(bodies))]
    assert first and text == first + "".join(bodies)  # the first window is left to the passage's own vector
    assert 0 < len("題\n見出し\n" + first) <= 60
    assert tail_windows("題", "短い。", count, window=60) == []
    assert tail_windows("", "", count) == []


def test_a_sentence_longer_than_a_window_is_cut_to_fit() -> None:
    assert pack([2, 50, 2, 2], 10) == [(0, 1), (1, 2), (2, 4)]
    assert sentences("一。\n\n二") == ["一。", "\n", "\n", "二"]
    count = lambda texts: [len(t) for t in texts]  # noqa: E731
    row = "、".join(f"項目{i}" for i in range(60))  # a table row: no 。, no line break
    windows = tail_windows("表", row, count, window=50)
    assert len(windows) >= 6 and all(len(w) <= 50 for w in windows)
    assert "".join(w.removeprefix("表\n") for w in windows) == row[len(row) - sum(len(w) - 2 for w in windows):]


GUIDE = Path(__file__).parent / "data" / "public" / "ds465-1_datamanagement_guidebook_intro.md"


@pytest.fixture(scope="module")
def rows() -> list[PassageRow]:
    """Passages of a real public guidebook, its paragraphs gathered into passages of
    about 2,500 characters (past the model's 512 tokens) and of single short ones."""
    paras = [p.strip() for p in GUIDE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    texts, cur = [], ""
    for para in paras[:120]:
        cur = f"{cur}\n{para}" if cur else para
        if len(cur) >= (2500 if len(texts) % 2 == 0 else 150):
            texts.append(cur)
            cur = ""
    return [PassageRow(id=f"{i:016x}", doc="guide", source=GUIDE.name, version="v1",
                       title="データマネジメント・ガイドブック", section=[str(i)], start=0, end=len(t), text=t,
                       heading=f"第{i}節")
            for i, t in enumerate(texts)]


def test_long_passages_get_tail_vectors_and_short_ones_none(service: Any, rows: list[PassageRow]) -> None:
    emb = service.embedder  # the default model, e5-small, as the service loads it
    assert emb.window_tokens == WINDOW_TOKENS and emb.max_tokens == 512
    counts = emb.count_tokens([context_text(r.title, r.heading, r.text) for r in rows], passages=True)
    items = items_of(rows, emb, service.sparse)
    assert sum(n > 512 for n in counts) >= 4 and sum(n <= 512 for n in counts) >= 4
    for it, n in zip(items, counts, strict=True):
        if n <= 512:
            assert it.tails is None
            continue
        assert it.tails is not None and it.tails.shape == (len(it.tails), emb.dim) and len(it.tails) >= 1
        assert np.allclose(np.linalg.norm(it.tails, axis=1), 1.0, atol=1e-4)
        assert float(np.max(it.tails @ it.dense)) < 0.99  # not the passage's own vector again
    # the windows are cut from the passage's own text, in order, under its title and heading
    r = max(rows, key=lambda r: len(r.text))
    windows = tails_of([r], [context_text(r.title, r.heading, r.text)], emb)[0]
    head = context_text(r.title, r.heading, "")
    assert len(windows) >= 2 and all(w.startswith(head + "\n") for w in windows)
    assert r.text.endswith("".join(w.removeprefix(head + "\n") for w in windows))
    for n in emb.count_tokens(windows):  # (a few tokens' slack: counted by parts)
        assert n <= WINDOW_TOKENS + 8


@pytest.fixture(scope="module")
def tail_case(service: Any, rows: list[PassageRow]) -> tuple[list[IndexItem], np.ndarray, str]:
    """The passages' items, and a query: the last sentences of the long passage whose last
    window its own first-512-token vector matches worst."""
    emb = service.embedder
    items = items_of(rows, emb, service.sparse)
    best = min((it for it in items if it.tails is not None), key=lambda it: float(it.tails[-1] @ it.dense))
    row = next(r for r in rows if r.id == best.id)
    query = emb.embed_queries(["".join(sentences(row.text)[-3:])])[0]
    return items, query, best.id


@pytest.mark.parametrize("which", ["edge", "client"])
def test_a_passage_is_scored_by_its_best_vector(tmp_path: Path, tail_case: tuple[list[IndexItem], np.ndarray, str],
                                                which: str) -> None:
    items, query, pid = tail_case
    idx: Any = EdgeIndex(tmp_path / "e") if which == "edge" else ClientIndex(path=tmp_path / "c")
    with idx:
        idx.ensure_collection(len(query))
        idx.upsert(items)
        hits = idx.search(query, None, limit=len(items), mode="dense")
    want = {it.id: float(np.max(np.vstack([it.dense, *([] if it.tails is None else [it.tails])]) @ query))
            for it in items}
    assert {h.id for h in hits} == want.keys()
    for h in hits:
        assert h.score == pytest.approx(want[h.id], abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    mine = next(it for it in items if it.id == pid)
    assert want[pid] > float(mine.dense @ query) + 0.02  # its tail scored it, not its first 512 tokens
    alone = sorted(items, key=lambda it: -float(it.dense @ query))  # as a store without windows ranks them
    assert [h.id for h in hits].index(pid) < [it.id for it in alone].index(pid)  # its tail brought it up


def _single_vector_edge(path: Path, dim: int) -> None:
    """A shard laid out as before stop 30: ``dense`` one plain vector a point."""
    import qdrant_edge as qe

    cfg = qe.EdgeConfig(vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
                        sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)})
    path.mkdir(parents=True)
    qe.EdgeShard.create(str(path), cfg).close()


def _single_vector_collection(path: Path, dim: int) -> None:
    from qdrant_client import QdrantClient, models

    client = QdrantClient(path=str(path))
    client.create_collection(
        "passages", vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
        sparse_vectors_config={LEXICAL: models.SparseVectorParams(modifier=models.Modifier.IDF)})
    client.close()


@pytest.mark.parametrize("which", ["edge", "client"])
def test_a_store_made_before_windows_keeps_working(tmp_path: Path, tail_case: tuple[list[IndexItem], np.ndarray, str],
                                                   which: str, caplog: pytest.LogCaptureFixture) -> None:
    """Its points keep one vector each (the tails are left out until a reindex, which the
    log says once) and its searches score by it, across a reopen."""
    items, query, _ = tail_case
    path = tmp_path / which
    (_single_vector_edge if which == "edge" else _single_vector_collection)(path, len(query))
    for _ in range(2):
        idx: Any = EdgeIndex(path) if which == "edge" else ClientIndex(path=path)
        with idx:
            idx.ensure_collection(len(query))
            idx.upsert(items)
            hits = idx.search(query, None, limit=len(items), mode="dense")
            assert idx.count() == len(items)
        for h in hits:
            it = next(i for i in items if i.id == h.id)
            assert h.score == pytest.approx(float(it.dense @ query), abs=1e-4)
    said = [r.getMessage() for r in caplog.records if "policygraph reindex" in r.getMessage()]
    assert len(said) == 1 and str(path) in said[0]


def test_best_of_keeps_each_point_once_with_its_better_score() -> None:
    from types import SimpleNamespace as P

    from policygraph.indexes.base import best_of

    dense = [P(id="a", score=0.9), P(id="b", score=0.8), P(id="c", score=0.8)]
    tails = [P(id="c", score=0.95), P(id="d", score=0.85), P(id="a", score=0.5)]
    merged = best_of(dense, tails, 3)
    assert [(p.id, s) for p, s in merged] == [("c", 0.95), ("a", 0.9), ("d", 0.85)]
    assert [p.id for p, _ in best_of(dense, [], 5)] == ["a", "b", "c"]  # ties keep the dense list's order
