"""Normaliser, sections and passages on the corpus and on arbitrary text (hypothesis):
offsets always map back into the original, passages never exceed 1,200 characters."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph.ingest.normalise import join_soft_wraps, normalise
from policygraph.ingest.passages import LEAD, MAX_LEN, split_passages
from policygraph.ingest.sections import contents_spans, parse_sections

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
JA = st.text(alphabet=st.sampled_from(list("警察庁は、令和8年度中に検討する。（ア）(7)(4)アイ1２３ \n\t#-【】第条ＴＡＩ<sup>ふかん</sup>")),
             max_size=400)


@given(JA)
@settings(max_examples=200, deadline=None)
def test_normalise_maps_every_span_into_the_original(text: str) -> None:
    nt = normalise(text)
    assert len(nt.starts) == len(nt.text) == len(nt.ends)
    for a in range(len(nt.text)):
        s, e = nt.original_span(a, a + 1)
        assert 0 <= s < e <= len(text)
    assert list(nt.starts) == sorted(nt.starts)


WRAPPED = st.lists(st.text(alphabet=st.sampled_from(list("警察共通基盤を活用し、令和8年度に検討する。(1)アab ")),
                           min_size=10, max_size=40), min_size=8, max_size=30).map("\n".join)


@given(WRAPPED)
@settings(max_examples=200, deadline=None)
def test_joining_hard_wraps_keeps_the_map(text: str) -> None:
    nt = normalise(text)
    joined = join_soft_wraps(nt)
    assert len(joined.starts) == len(joined.text) == len(joined.ends)
    assert list(joined.starts) == sorted(joined.starts)
    # only line breaks (and the spaces around them) are deleted
    assert len(joined.text) <= len(nt.text) and "".join(joined.text.split()) == "".join(nt.text.split())
    for a, ch in enumerate(joined.text):  # every kept character is the one it maps to
        s, e = joined.original_span(a, a + 1)
        assert 0 <= s < e <= len(text)
        if ch.strip() and ch.isascii() is False:
            assert ch in normalise(text[s:e]).text


@given(JA)
@settings(max_examples=200, deadline=None)
def test_sections_and_passages_stay_inside_the_text(text: str) -> None:
    secs = parse_sections(text, normalise(text))
    for s in secs:
        assert 0 <= s.start <= s.end <= len(text)
    for p in split_passages("d", text, secs):
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.text and len(p.text) <= MAX_LEN
        assert text[p.start - len(p.lead) : p.start] == p.lead and len(p.lead + p.text) <= MAX_LEN


def test_corpus_headings_and_slip_repair() -> None:
    text = (CORPUS / "000_6cbd8586bd489b7f.txt").read_text(encoding="utf-8")
    secs = parse_sections(text, normalise(text))
    paths = [s.path for s in secs]
    assert ("3", "(1)", "イ", "(ア)") in paths  # printed (7) repaired
    assert ("1", "(2)", "イ", "(イ)") in paths  # printed (4) repaired
    printed = {s.path: s.printed_marker for s in secs}
    assert printed[("1", "(2)", "イ", "(イ)")] == "(4)"
    assert not any(p and p[0] == "目次" for p in paths)  # the table of contents is not a section
    assert sum(1 for p in paths if p == ("1",)) == 1


def test_corpus_passages_cover_sections_and_are_citable() -> None:
    for f in sorted(CORPUS.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        passages = split_passages(f.stem, text, parse_sections(text, normalise(text)))
        assert passages
        for p in passages:
            assert text[p.start : p.end] == p.text and 0 < len(p.text) <= MAX_LEN
        ids = [p.id for p in passages]
        assert len(ids) == len(set(ids))
        again = split_passages(f.stem, text, parse_sections(text, normalise(text)))
        assert [p.id for p in again] == ids  # same input, same ids


@pytest.mark.slow
def test_no_text_is_left_out_of_every_passage() -> None:
    """Every printed character of every sample document (corpus, public and blind
    documents, all formats) is in a passage: a title block too long to join the first
    passage after it (a cover over a table of contents) is a passage of its own."""
    from policygraph.ingest.pipeline import layout
    from policygraph.ingest.readers import read_file

    data = ROOT / "tests" / "data"
    files = [*sorted(CORPUS.glob("*.txt")), *sorted((data / "public").iterdir()), *sorted((data / "blind" / "docs").iterdir())]
    lost = {}
    for f in files:
        if f.suffix not in (".txt", ".md", ".html", ".pdf", ".docx", ".xml"):
            continue
        lay = layout(read_file(f))
        assert all(0 < len(p.text) <= MAX_LEN for p in lay.passages), f.name
        covered = bytearray(len(lay.doc.text))
        for p in lay.passages:
            covered[p.start : p.end] = b"\x01" * (p.end - p.start)
        missing = sum(1 for c, k in zip(lay.doc.text, covered, strict=True) if not k and not c.isspace())
        if missing:
            lost[f.name] = missing
    assert not lost


def test_corpus_leads_are_the_closing_paragraph_before() -> None:
    """A passage's lead is the short last paragraph of the passage before it, so a hit
    can start where a reader starts: 「加えて、…通知する。」 then 「(3) 青少年を…」."""
    with_lead = 0
    for f in sorted(CORPUS.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        passages = split_passages(f.stem, text, parse_sections(text, normalise(text)))
        assert passages[0].lead == ""
        for prev, p in zip(passages, passages[1:], strict=False):
            if not p.lead:
                continue
            with_lead += 1
            lead = p.lead.strip()
            assert prev.text.endswith(lead) and len(p.lead) <= LEAD  # the end of the passage before
            assert text[p.start - len(p.lead) : p.start] == p.lead and not text[prev.end : p.start].strip()
            assert "\n\n" not in lead  # one paragraph
            assert len(p.lead) + len(p.text) <= MAX_LEN
    assert with_lead > 20
    text = (CORPUS / "002_612a93dd4efe0060.txt").read_text(encoding="utf-8")
    youth = next(p for p in split_passages("002", text, parse_sections(text, normalise(text)))
                 if p.text.startswith("(3) 青少年をアルバイト感覚で"))
    assert youth.lead.startswith("加えて、都道府県労働局に対し") and "(2)" not in youth.lead


def test_a_table_of_contents_is_marked_and_lends_no_lead() -> None:
    """000's 目次 (after its title block) is marked ``contents``: kept in the document,
    left out of search. A passage that starts with a statute's 目次 but goes on to its
    first article is not (行政手続法 第一条)."""
    text = (CORPUS / "000_6cbd8586bd489b7f.txt").read_text(encoding="utf-8")
    nt = normalise(text)
    passages = split_passages("000", text, parse_sections(text, nt), contents_spans(nt))
    toc = [p for p in passages if p.contents]
    assert toc and all("目" in p.text or "....." in p.text for p in toc)
    assert any("ローン・オフエンダー対策における情報の集約・融合の推進\t5" in p.text for p in toc)
    assert not any(p.contents for p in passages if "。" in p.text and "\t" not in p.text)
    after = {passages[i + 1].id for i, p in enumerate(passages[:-1]) if p.contents}
    assert all(not p.lead for p in passages if p.id in after)
    from policygraph.ingest.pipeline import layout
    from policygraph.ingest.readers import read_file

    law = layout(read_file(ROOT / "tests" / "data" / "public" / "gyosei_tetsuzuki_hou.egov.xml"))
    first = next(p for p in law.passages if "この法律は" in p.text)
    assert "目次" in first.text and not first.contents


def test_markdown_chapters_and_numbered_siblings() -> None:
    """Several # headings are chapters (a Word document's Heading 1), one alone is the
    title; ## 1. after an unnumbered ## 改定履歴 is its sibling, not its child."""
    from policygraph.ingest.sections import parse_sections

    word = "# 日付及び曜日\n\n## 日付\n\n日付は西暦で書きます。\n\n# 時刻\n\n時刻は24時間制とします。\n"
    assert [s.path for s in parse_sections(word)] == [("日付及び曜日",), ("日付及び曜日", "日付"), ("時刻",)]
    guide = ("# ガイドブック <!-- omit in toc -->\n\n## 改定履歴 <!-- omit in toc -->\n\n表\n\n"
             "## 1. はじめに\n\n### 1.1. 背景\n\n本文。\n")
    paths = [s.path for s in parse_sections(guide)]
    assert ("改定履歴",) in paths and ("1.", "1.1.") in paths and not any("omit" in p for s in paths for p in s)


def test_a_web_pages_title_heading_is_not_a_section() -> None:
    """A web page whose site heading went with its chrome prints its title as ## over ###
    chapters (a tune-half document of the blind set): the title wraps the document, so the
    chapters are the sections' roots (第1 › …), as annotation.md writes a heading path."""
    from policygraph.ingest.pipeline import layout
    from policygraph.ingest.readers import read_file

    page = ROOT / "tests" / "data" / "blind" / "docs" / "guideline_ppc_kenko_joho_ryuijikou.html"
    paths = [s.path for s in layout(read_file(page)).sections]
    assert paths[:3] == [(), ("第1",), ("第2",)]
    assert all(p[0].startswith("第") for p in paths if p)
    # a page with two ## headings has no title heading: both are sections
    text = "## 概要\n本文。\n## 詳細\n本文。\n"
    assert [s.path for s in parse_sections(text)] == [("概要",), ("詳細",)]


def test_a_heading_over_a_cell_of_no_sentence_is_cited_with_what_follows() -> None:
    """A roadmap's ［関税局・税関におけるBCP対応］ over 「…体制を構築」 (a cell, no sentence)
    says too little to be found alone: it opens the passage of the items that follow,
    while a heading over a sentence keeps its own passage."""
    text = (CORPUS / "004_77231d5aa10e89b9.txt").read_text(encoding="utf-8")
    passages = split_passages("004", text, parse_sections(text, normalise(text)))
    bcp = next(p for p in passages if "BCP対応］" in p.text)
    assert "無人航空機(ドローン等)" in bcp.text and "災害発生時に" in bcp.text
    plain = "1. 見出し\n\n警察庁は、検討する。\n\n2. 次の見出し\n\n都道府県警察は、協力する。"
    got = split_passages("d", plain, parse_sections(plain, normalise(plain)))
    assert [p.text for p in got] == ["1. 見出し\n\n警察庁は、検討する。", "2. 次の見出し\n\n都道府県警察は、協力する。"]
