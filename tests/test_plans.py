"""A plan's prose: each sentence of a paragraph that commits to something is a measure
of its own, with its own deadline, and one without a subject acts for the paragraph's
first; the period a plan sets for itself is the deadline of the measures that print no
time (annotation.md: ``period``, the plan period)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file

pytestmark = pytest.mark.slow

PLAN = """規制見直しプラン

１．基本的な考え方
（１）集中改革期間
集中改革期間を令和4年7月から令和7年6月までの3年間とし、集中的に取り組む。
このため、「規制改革推進協議会」（以下「協議会」という。）を設置した。

２．具体的な取組
（１）通知の見直し
総務省は、まず点検リストを整理し、令和４年12月末までに見直し方針を公表する。その結果を踏まえ、原則令和５年中の見直しを目指す。なお、詳細は別紙のとおりである。
（２）手続のオンライン化
各府省庁は、申請手続のオンライン化を検討する。
（３）報告
協議会は、令和5年3月末までに報告書を取りまとめる。
"""


def test_sentences_that_commit_are_measures_with_their_own_deadlines(service, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(PLAN, encoding="utf-8")
    [x] = analyse([read_file(path)], service.analyzer)
    by_text = {"".join(m.text.split()): m for m in x.measures}
    publish = next(m for t, m in by_text.items() if t.startswith("総務省は、まず点検リスト"))
    review = next(m for t, m in by_text.items() if t.startswith("その結果を踏まえ"))
    assert publish is not review
    assert [(d.kind, d.end) for d in publish.deadlines] == [("by", "2022-12-31")]
    assert [(d.kind, d.start, d.end) for d in review.deadlines] == [("period", "2023-01-01", "2023-12-31")]
    assert review.text.rstrip().endswith("詳細は別紙のとおりである。")  # a なお stays with its commitment
    soumu = {e.key for e in x.entities if e.label == "総務省"}
    assert set(publish.actors) == set(review.actors) == soumu  # the second acts for the first's subject
    # a measure that prints no time falls within the plan's period
    online = next(m for t, m in by_text.items() if "オンライン化を検討する" in t)
    assert [(d.kind, d.start, d.end) for d in online.deadlines] == [("period", "2022-07-01", "2025-06-30")]
    # a term defined for a quoted name (「…協議会」（以下「協議会」という。）) names its actor
    report = next(m for t, m in by_text.items() if "報告書を取りまとめる" in t)
    [council] = [e for e in x.entities if e.label == "規制改革推進協議会"]
    assert report.actors == (council.key,) and "協議会" in council.aliases
    assert [(d.kind, d.end) for d in report.deadlines] == [("by", "2023-03-31")]


TOPIC_DE_WA = """推進計画（試作）

１．取組
デジタル庁では、令和６年度中に連携の指針を策定し、各府省と調整を進める。
本章では、令和７年度までに整える手続を定める。
規制の点検結果を踏まえ、提出する法律のリスト案を総務省において整理した上で、令和７年度中に公表する。
この計画の変更は、次の通常の国会において報告しなければならない。
"""


def test_an_agency_marked_by_de_wa_or_ni_oite_acts(service, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(TOPIC_DE_WA, encoding="utf-8")
    [x] = analyse([read_file(path)], service.analyzer)
    labels = {e.key: e.label for e in x.entities}
    guide = next(m for m in x.measures if "連携の指針を策定" in m.text)
    assert [labels[k] for k in guide.actors] == ["デジタル庁"]
    # a chapter is no actor: では names who acts only when it is an agency
    chapter = [m for m in x.measures if "本章では" in m.text and "デジタル庁では" not in m.text]
    assert chapter and all(m.actor_text != "本章" for m in chapter)
    # an agency marked by において, named bare, acts; a 国会 that is an occasion does not
    listed = next(m for m in x.measures if "リスト案を総務省において整理" in m.text)
    assert [labels[k] for k in listed.actors] == ["総務省"]
    report = next(m for m in x.measures if "国会において報告" in m.text)
    assert "国会" not in [labels[k] for k in report.actors]
