"""Sentence boundaries GiNZA is given before it parses (ingest/extract/nlp.line_breaks):
headings, an article's caption and the lines of a list are not parsed into the
statement below them, so the statement's subject is its actor; a line wrapped inside a
sentence still runs on."""

from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file

pytestmark = pytest.mark.slow

STATUTE = """データの保護に関する法律（試作）

第一章　総則

（目的）
第一条　この法律は、データ保護委員会（以下「委員会」という。）の任務及び権限を定めることを目的とする。

第二章　監督

第二節　監督及び監視

第一款　データ取扱事業者等の監督

（報告及び立入検査）
第十条　委員会は、第四章（第五節を除く。次条及び第十五条において同じ。）の規定の施行に必要な限度において、データ取扱事業者その他の関係者に対し、必要な報告を求めるものとする。
"""


def test_a_heading_above_an_article_is_not_its_subject(service, tmp_path: Path) -> None:
    path = tmp_path / "statute.txt"
    path.write_text(STATUTE, encoding="utf-8")
    [x] = analyse([read_file(path)], service.analyzer)
    labels = {e.key: e.label for e in x.entities}
    [report] = [m for m in x.measures if "必要な報告を求める" in m.text]
    # parsed as one sentence with the headings, the article's subject was the heading's
    # データ取扱事業者 (a generic 事業者)
    assert [labels[k] for k in report.actors] == ["データ保護委員会"]


def test_a_wrapped_line_runs_on(service) -> None:
    nlp = service.analyzer.nlp
    doc = nlp("調査会は、令和４年\n12 月末を目途に、見直し工程表を公表するものとする。\n（報告）\n各府省は、毎年度報告する。")
    sents = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert sents[0] == "調査会は、令和４年\n12 月末を目途に、見直し工程表を公表するものとする。"
    assert "（報告）" in sents and sents[-1] == "各府省は、毎年度報告する。"
