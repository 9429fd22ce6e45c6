"""Two small hand-made documents (no GiNZA): the records ingest would give, for fast tests
of the graph stores, the SPARQL endpoint and linked data.  tests/ is not a package:
test modules load this file by path (``importlib``)."""

from __future__ import annotations

from typing import Any

from policygraph.core.ids import sha
from policygraph.core.records import (
    Deadline,
    DocumentMeta,
    Entity,
    ExtractedDocument,
    Measure,
    Mention,
    Passage,
    Relation,
    Section,
    SourceDocument,
)

TEXT_A = """警察庁情報システム整備計画
第1 目的
警察庁は、警察共通基盤システムを令和8年度中に整備する。
第2 取組
(1) 都道府県警察は、共通基盤システムへの移行を速やかに進める。
(2) 警察庁は、令和9年3月31日までに運用方針を定める。
"""
TEXT_B = """闇バイト対策プラン
1 対策
警察庁は、SNS上の投稿への対策を令和7年度から令和9年度まで実施する。
警察共通基盤の活用を引き続き検討する。
"""


def _span(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return i, i + len(needle)


def _doc(doc_id: str, source: str, text: str) -> SourceDocument:
    return SourceDocument(id=doc_id, source=source, path=f"/corpus/{source}", text=text,
                          checksum=sha(text, n=64), format="txt")


ENTITIES = {
    "npa": Entity(key="npa", label="警察庁", type="Agency"),
    "pref-police": Entity(key="pref-police", label="都道府県警察", type="Agency", generic=True),
    "system-kiban": Entity(key="system-kiban", label="警察共通基盤", type="System",
                           aliases=("警察共通基盤システム", "共通基盤システム")),
}


def document_a() -> ExtractedDocument:
    t = TEXT_A
    doc = _doc("sample-a", "sample_a.txt", t)
    s1 = Section(("第1",), "目的", *_span(t, "第1 目的\n警察庁は、警察共通基盤システムを令和8年度中に整備する。\n"))
    s2 = Section(("第2",), "取組", t.index("第2"), len(t))
    s21 = Section(("第2", "(1)"), "", *_span(t, "(1) 都道府県警察は、共通基盤システムへの移行を速やかに進める。"))
    s22 = Section(("第2", "(2)"), "", *_span(t, "(2) 警察庁は、令和9年3月31日までに運用方針を定める。"))
    passages = []
    for i, s in enumerate((s1, s21, s22)):
        pid = sha(doc.id, s.start, s.end, n=16)
        passages.append(Passage(pid, doc.id, i, s.path, s.start, s.end, t[s.start:s.end], heading=s.title))
    p1, p21, p22 = passages
    m1 = Measure(sha("m1", n=16), doc.id, s1.path, *_span(t, "警察庁は、警察共通基盤システムを令和8年度中に整備する。"),
                 text="警察庁は、警察共通基盤システムを令和8年度中に整備する。", passage_id=p1.id,
                 actors=("npa",), systems=("system-kiban",),
                 deadlines=(Deadline("令和8年度中に整備", "fiscal_year", "2026-04-01", "2027-03-31"),))
    m2 = Measure(sha("m2", n=16), doc.id, s21.path, p21.start + 4, p21.end, text=p21.text[4:], passage_id=p21.id,
                 actors=("pref-police",), actor_text="都道府県警察", systems=("system-kiban",),
                 deadlines=(Deadline("速やかに", "promptly"),))
    m3 = Measure(sha("m3", n=16), doc.id, s22.path, p22.start + 4, p22.end, text=p22.text[4:], passage_id=p22.id,
                 actors=("npa",), deadlines=(Deadline("令和9年3月31日までに", "by", None, "2027-03-31", part="後段"),
                                             Deadline("通知の翌日から起算して10日以内", "relative", duration="P10D",
                                                      event="通知")))
    mentions = (
        Mention("npa", "警察庁", *_span(t, "警察庁", p1.start), p1.id),
        Mention("system-kiban", "警察共通基盤システム", *_span(t, "警察共通基盤システム"), p1.id),
        Mention("pref-police", "都道府県警察", *_span(t, "都道府県警察"), p21.id),
        Mention("system-kiban", "共通基盤システム", *_span(t, "共通基盤システムへ"), p21.id),
        Mention("npa", "警察庁", *_span(t, "警察庁", p22.start), p22.id),
    )
    meta = DocumentMeta(title="警察庁情報システム整備計画", doc_type="計画", date="2025-04-01",
                        numbers=("警察庁丙情第1号",), issuers=("警察庁",))
    return ExtractedDocument(doc, meta, (s1, s2, s21, s22), tuple(passages),
                             (ENTITIES["npa"], ENTITIES["pref-police"], ENTITIES["system-kiban"]), mentions,
                             (m1, m2, m3), (Relation("pref-police", "relatedTo", "npa"),))


def document_b() -> ExtractedDocument:
    t = TEXT_B
    doc = _doc("sample-b", "sample_b.txt", t)
    s1 = Section(("1",), "対策", t.index("1 対策"), len(t))
    pid = sha(doc.id, s1.start, s1.end, n=16)
    p = Passage(pid, doc.id, 0, s1.path, s1.start, s1.end, t[s1.start:], heading="対策")
    sent = "警察庁は、SNS上の投稿への対策を令和7年度から令和9年度まで実施する。"
    m = Measure(sha("b1", n=16), doc.id, s1.path, *_span(t, sent), text=sent, passage_id=p.id, actors=("npa",),
                deadlines=(Deadline("令和7年度から令和9年度まで", "period", "2025-04-01", "2028-03-31"),))
    mentions = (
        Mention("npa", "警察庁", *_span(t, "警察庁"), p.id),
        Mention("system-kiban", "警察共通基盤", *_span(t, "警察共通基盤"), p.id),
    )
    meta = DocumentMeta(title="闇バイト対策プラン", doc_type="計画", cites=("警察庁情報システム整備計画",))
    return ExtractedDocument(doc, meta, (s1,), (p,), (ENTITIES["npa"], ENTITIES["system-kiban"]), mentions, (m,))


def sample_documents() -> list[ExtractedDocument]:
    return [document_a(), document_b()]


def load_into(store: Any, base_iri: str) -> list[ExtractedDocument]:
    """Write both documents into a graph store (one named graph each); the documents."""
    from policygraph.graph.build import document_graph
    from policygraph.graph.iris import Iris

    iris = Iris(base_iri)
    docs = sample_documents()
    for x in docs:
        store.replace_document(iris.graph(x.doc.id), document_graph(x, iris))
    return docs
