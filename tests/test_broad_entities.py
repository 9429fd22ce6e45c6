"""A broad entity named in a question about something else does not drown the answer
(issue 16): its passages vote in the fusion as one specific entity's would.

Invented documents through the real pipeline: fourteen notices in which デジタル庁 acts,
and one, naming no agency, that answers the question.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import policygraph.service.search as search

pytestmark = pytest.mark.slow

TOPICS = ["行政手続のオンライン化", "マイナンバーカードの利用拡大", "ガバメントクラウドへの移行",
          "地方公共団体の情報システムの標準化", "データ連携基盤の構築", "電子署名の普及", "オープンデータの公開",
          "デジタル人材の育成", "サイバーセキュリティの強化", "公金受取口座の登録", "電子調達システムの改善",
          "行政機関間の情報連携", "アクセシビリティの向上", "デジタル田園都市の推進"]
ANSWER = ("基本データの指定について\n\n1 国が整える基本データは、整備の進み具合に応じて、整備済みのもの、"
          "整備中のもの及び今後整備を検討するものの三つに分けて指定する。\n\n2 指定は、毎年度見直す。\n")
QUESTION = "デジタル庁が基本データを整備の進み具合に応じてどう分けて指定しているか"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    root = tmp_path_factory.mktemp("broad")
    docs = root / "docs"
    docs.mkdir()
    for i, t in enumerate(TOPICS):
        (docs / f"d{i:02d}.txt").write_text(
            f"{t}について\n\n1 デジタル庁は、{t}に関する取組を進め、関係府省と連携して令和{7 + i % 3}年度中に"
            f"方針を取りまとめる。\n\n2 デジタル庁は、{t}の進捗を毎年度公表する。\n", encoding="utf-8")
    (docs / "answer.txt").write_text(ANSWER, encoding="utf-8")
    service = Service(Settings(data=root / "data"))
    assert {r["status"] for r in service.ingest_paths([docs])} == {"added"}
    yield service


def _sources(svc: object, q: str) -> list[str]:
    return [h["document"]["source"] for h in svc.search(q, limit=5)["hits"]]  # type: ignore[attr-defined]


def test_the_answer_is_not_drowned_by_the_broad_entity(svc: object, monkeypatch: pytest.MonkeyPatch) -> None:
    named = svc.reads.searcher.named_entities(QUESTION)  # type: ignore[attr-defined]
    assert named, "デジタル庁 is an entity of the graph"
    assert "answer.txt" in _sources(svc, QUESTION)[:3]
    # every passage of the broad entity voting in full (the fusion before issue 16) pushes
    # the answer out of the first five
    monkeypatch.setattr(search, "ENTITY_SPECIFIC", 10**6)
    assert "answer.txt" not in _sources(svc, QUESTION)


def test_a_question_about_the_entity_keeps_its_passages(svc: object) -> None:
    hits = _sources(svc, "デジタル庁の取組")
    assert hits and all(s.startswith("d") for s in hits)  # 取組 of デジタル庁, not the answer


class Hit:
    def __init__(self, id_: str, entities: tuple[str, ...] = (), score: float = 0.0) -> None:
        self.id = id_
        self.payload = {"entities": entities}
        self.score = score


def test_equal_scores_rank_by_id_whatever_order_they_came_in() -> None:
    """Qdrant's ties come in an order that varies between processes; ranked by id, the
    fused list is the same every run."""
    x, y, z = Hit("x", score=0.5), Hit("y", score=0.5), Hit("z", score=0.9)
    for came in ([x, y, z], [y, x, z], [z, y, x]):
        assert [h.id for h in search._ties_by_id(came)] == ["z", "x", "y"]
    assert [h.id for h in search._ties_by_id([Hit("b", score=0.4), Hit("a", score=0.3)])] == ["b", "a"]


def test_weighted_rank_fusion() -> None:
    a, b, c, d = Hit("a"), Hit("b"), Hit("c"), Hit("d")
    # b, third of one list and first of another, leads in full and falls behind a when the
    # second list weighs a tenth
    assert [h.id for _, h in search._rrf([[a, c, b], [b]])][:2] == ["b", "a"]
    fused = search._rrf([[a, c, b], [b]], weights={1: lambda h: 0.1})
    assert [h.id for _, h in fused] == ["a", "b", "c"]
    assert fused[1][0] == pytest.approx(1 / 13 + 0.1 / 11)
    # a candidate only the deeper lists hold comes after, scored no higher than the last
    fused = search._rrf([[a], [b]], tail=[[a, d], [b]], weights={1: lambda h: 0.001})
    assert [h.id for _, h in fused] == ["a", "b", "d"]
    assert [s for s, _ in fused] == sorted((s for s, _ in fused), reverse=True)


def test_a_specific_entity_beside_a_broad_one_keeps_its_vote() -> None:
    broad = [Hit(f"b{i}", ("digital",)) for i in range(40)]
    both = Hit("x", ("digital", "kiban"))
    weight = search._specific_weight([*broad, both, Hit("k", ("kiban",))], ["digital", "kiban"])
    assert weight(broad[0]) == pytest.approx(search.ENTITY_SPECIFIC / 41)
    assert weight(both) == 1.0 and weight(Hit("k", ("kiban",))) == 1.0
