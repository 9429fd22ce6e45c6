"""What a measure's context sets (annotation.md, issue 17): the deadline of a heading, a
budget document's own fiscal year; the actor a heading or the preface names. And spans of
fiscal years printed once, and 以降 as a continuing activity from its start. Every
document here is constructed; the names are invented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysed_text import analyse_text

pytestmark = pytest.mark.slow


def _extract(service, tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return analyse_text(service, tmp_path / "doc.md", text)


def _measures(service, tmp_path: Path, text: str) -> dict[str, list[tuple[str, str | None, str | None]]]:  # type: ignore[no-untyped-def]
    x = _extract(service, tmp_path, text)
    return {m.text.strip(): [(d.kind, d.start, d.end) for d in m.deadlines] for m in x.measures}


def _of(measures: dict[str, list[Any]], words: str) -> list[Any]:
    [hit] = [v for k, v in measures.items() if words in k]
    return hit


def test_a_heading_s_deadline_applies_to_the_measures_under_it(service, tmp_path: Path) -> None:
    m = _measures(service, tmp_path, "# みどり地域安全推進計画\n\n"
                  "## 1 令和9年度中に実施する事項\n\n"
                  "(1) みどり庁は、相談窓口の体制を強化する。\n\n"
                  "(2) みどり庁は、令和10年度までに新たな指針を策定する。\n\n"
                  "## 2 速やかに講ずべき施策\n\n"
                  "(1) みどり庁は、被害の実態を把握する。\n\n"
                  "## 3 その他の取組\n\n"
                  "(1) みどり庁は、各府省と連携し、広報啓発を行う。\n")
    assert _of(m, "相談窓口") == [("fiscal_year", "2027-04-01", "2028-03-31")]
    assert _of(m, "新たな指針") == [("by", None, "2029-03-31")]  # its own deadline wins
    assert _of(m, "被害の実態") == [("promptly", None, None)]
    assert _of(m, "広報啓発")[0][0] != "fiscal_year"  # another heading: not the first one's year


def test_a_budget_request_s_year_applies_to_its_items(service, tmp_path: Path) -> None:
    m = _measures(service, tmp_path, "# 令和9年度概算要求の概要\n\n"
                  "## 1 地域防犯の推進に要する経費\n\n"
                  "みどり庁は、防犯カメラの設置を支援する。\n\n"
                  "## 2 情報基盤の整備に要する経費\n\n"
                  "みどり庁は、令和11年度までに相談受付システムを更改する。\n")
    assert _of(m, "防犯カメラ") == [("fiscal_year", "2027-04-01", "2028-03-31")]
    assert _of(m, "相談受付システム") == [("by", None, "2030-03-31")]


def test_spans_and_from_on(service, tmp_path: Path) -> None:
    m = _measures(service, tmp_path, "# みどり庁の取組\n\n"
                  "1 みどり庁は、令和6〜8年度に実証事業を実施する。\n\n"
                  "2 みどり庁は、R7～R9に相談員を増員する。\n\n"
                  "3 みどり庁は、令和8年度以降、新たな制度を運用する。\n")
    assert _of(m, "実証事業") == [("period", "2024-04-01", "2027-03-31")]
    assert _of(m, "相談員") == [("period", "2025-04-01", "2028-03-31")]
    assert _of(m, "新たな制度") == [("ongoing", "2026-04-01", None)]


def _actors(service, tmp_path: Path, text: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    x = _extract(service, tmp_path, text)
    labels = {e.key: e.label for e in x.entities}
    return {m.text.strip(): [labels[k] for k in m.actors] for m in x.measures}


def test_a_heading_or_the_preface_names_who_acts(service, tmp_path: Path) -> None:
    m = _actors(service, tmp_path, "# みどり対策推進計画\n\n本計画に掲げる施策は、みどり庁が実施する。\n\n"
                "## 1 相談体制\n\n(1) 相談窓口の体制を強化する。\n\n"
                "## 2 総務省の取組\n\n(1) 電気通信事業者に対し、本人確認の徹底を要請する。\n\n"
                "## 3 警察庁との連携\n\n(1) 情報共有を進める。\n\n"
                "## 4 【総務省・警察庁】\n\n(1) 広報啓発を行う。\n\n(2) あおば庁は、指針を改定する。\n")
    assert _of(m, "相談窓口") == ["みどり庁"]  # the preface's
    assert _of(m, "本人確認") == ["総務省"]  # the heading's
    assert _of(m, "情報共有") == ["みどり庁"]  # a partner in the heading does not act
    assert sorted(_of(m, "広報啓発")) == ["総務省", "警察庁"]
    assert _of(m, "指針を改定") == ["あおば庁"]  # the measure's own topic wins


def test_years_named_from_the_document_s_date(service, tmp_path: Path) -> None:
    m = _measures(service, tmp_path, "令和7年5月12日\n\nみどり庁長官　殿\n\n# みどり対策の推進について\n\n"
                  "1 みどり庁は、本年度中に調査結果を取りまとめる。\n\n"
                  "2 みどり庁は、来年度までに指針を改定する。\n")
    assert _of(m, "調査結果") == [("fiscal_year", "2025-04-01", "2026-03-31")]
    assert _of(m, "指針を改定") == [("by", None, "2027-03-31")]


def test_the_actor_of_an_item_after_a_blank_line(service, tmp_path: Path) -> None:
    """GiNZA at times makes the blank line that opens a sentence the head of the item's
    topic (\\n\\n + (4) 各府省 + は, here): the topic is still the words before は."""
    m = _actors(service, tmp_path, "# 取組\n\n## 1 基盤\n\n"
                "(4) 各府省は、RPAを導入し、事務を効率化する。\n"
                "(5) 各府省は、事務を効率化する。\n")
    assert _of(m, "RPAを導入") == ["府省庁"]  # the generic actor's entry (annotation.md: 各府省)
    assert _of(m, "(5) 各府省") == ["府省庁"]


def test_the_actor_of_a_sentence_the_parse_cut_in_pieces(service, tmp_path: Path) -> None:
    """GiNZA at times gives one sentence several roots (デジタル庁は、…APIと | 電子申請等 |
    APIを拡充し…): the topic of a piece without a predicate is the next piece's; a name
    the parse cut (上川北部消防事務組合 | 音威子府消防支署は) is the actor whole."""
    m = _actors(service, tmp_path, "# 取組\n\n"
                "1 みどり庁は、マイナポータルAPIと電子申請等APIを拡充し、申請管理サーバを更新する。\n"
                "2 上川北部消防事務組合音威子府消防支署は、立入検査を実施する。\n")
    assert _of(m, "APIを拡充") == ["みどり庁"]
    assert _of(m, "立入検査") == ["上川北部消防事務組合音威子府消防支署"]


def _local_actors(service, tmp_path: Path, text: str) -> tuple[Any, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    x = _extract(service, tmp_path, text)
    label = {e.key: e.label for e in x.entities}
    return x, {m.text.strip(): [label[a] for a in m.actors] for m in x.measures}


def test_a_local_government_s_document_calls_itself_by_its_kind(service, tmp_path: Path) -> None:
    """村は / 村長は / 県と in a village's plan name that village and its prefecture
    (annotation.md: abbreviations a document defines for itself resolve inside it)."""
    x, acts = _local_actors(service, tmp_path, "# 東山田村地域防災計画\n\n"
                      "本計画は、青森県地域防災計画に基づき定める。\n\n"
                      "## 第1 応急対策\n\n"
                      "1 村は、県と連携し、避難所を開設する。\n\n"
                      "2 村長は、速やかに避難の指示を行う。\n\n"
                      "3 村災害対策本部は、被害状況を取りまとめる。\n\n"
                      "4 県及び村は、道の駅の被害を調べる。\n")
    assert _of(acts, "避難所を開設") == ["東山田村"]
    assert _of(acts, "避難の指示") == ["東山田村"]
    assert _of(acts, "被害状況を取りまとめる") == ["東山田村災害対策本部"]
    assert sorted(_of(acts, "道の駅")) == ["東山田村", "青森県"]
    [hq] = [e for e in x.entities if e.label == "東山田村災害対策本部"]
    assert "村災害対策本部" in hq.aliases
    assert not any(e.label == "北海道" for e in x.entities)  # 道の駅 names no prefecture


def test_a_kind_word_that_begins_another_word_is_not_the_government(service, tmp_path: Path) -> None:
    x, acts = _local_actors(service, tmp_path, "# 東山田町防災計画\n\n本計画は、北海道地域防災計画に基づく。\n\n"
                            "## 1 対策\n\n1 町及び道は、相互に連携する。\n\n2 道路管理課は、道路の被害を調べる。\n")
    assert sorted(_of(acts, "相互に連携")) == ["北海道", "東山田町"]
    assert "道路管理課" in {e.label for e in x.entities}  # not 北海道路管理課


def test_a_national_document_s_bare_kind_words_name_nobody(service, tmp_path: Path) -> None:
    _, acts = _local_actors(service, tmp_path, "# 地域防災対策の推進方針\n\n"
                      "1 市は、避難所の運営を支援する。\n")
    assert _of(acts, "避難所の運営") == []


def test_each_commitment_of_a_listed_item_is_a_measure(service, tmp_path: Path) -> None:
    """annotation.md: the unit is the smallest item or sentence that carries one
    commitment; an item with paragraphs under it gives one measure per commitment, each
    with its own deadline."""
    x, acts = _local_actors(service, tmp_path, "# みどり庁の重点施策\n\n## 1 行政手続の改善\n\n"
                            "みどり庁は、次の施策を推進する。\n\n"
                            "・手続のオンライン化の推進\n"
                            "2026年度（令和８年度）中に申請受付システムを更改する。"
                            "また、窓口での手数料の引下げを検討する。\n")
    assert _of(acts, "手数料の引下げ") == ["みどり庁"]  # the list's actor, through the item's first sentence
    m = _measures(service, tmp_path, "# みどり庁の重点施策\n\n## 1 行政手続の改善\n\n"
                  "みどり庁は、次の施策を推進する。\n\n"
                  "・手続のオンライン化の推進\n"
                  "2026年度（令和８年度）中に申請受付システムを更改する。"
                  "また、窓口での手数料の引下げを検討する。"
                  "さらに、2027年度（令和９年度）末までに全国展開を図る。\n")
    assert _of(m, "申請受付システム") == [("fiscal_year", "2026-04-01", "2027-03-31")]
    assert _of(m, "手数料の引下げ") == [("unknown", None, None)]  # one-off, no time word
    assert _of(m, "全国展開") == [("by", None, "2028-03-31")]
