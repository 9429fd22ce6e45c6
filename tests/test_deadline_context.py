"""Which time is a measure's own when its sentence or its document gives more than one
(issue 17, stop 28): the time of a clause that reports what was done is not the time of
the commitment after it; a month that dates an event is the month; how often within a
year (年2回) yields to the plan's fiscal year; 年度末 in an undated plan titled with its
fiscal year is that year's end; an opening that leads into the list below it lends the
list its time.  Every document here is constructed; the organisations are real kinds,
the names invented."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

pytestmark = pytest.mark.slow


def test_a_reported_clause_lends_no_time(service, tmp_path: Path) -> None:
    """…から…加えており、引き続き… and …に判明した…強化したところであり、引き続き… are
    ongoing from now, with no start; a plan stated with こととしており keeps its time."""
    x = analyse_text(service, tmp_path / "doc.txt", "あおば県の産業振興\n\n"
                     "　あおば産業振興機構は、2022年度から海外の製造事業を支援の対象に加えており、引き続き県内企業の参画を支援していく。\n"
                     "　県は、2021年度に判明した不適切な経理を踏まえ、監査体制を強化したところであり、引き続き再発防止に取り組む。\n"
                     "　県は、令和9年度までに新たな拠点を整備することとしており、用地の取得を進める。\n")
    assert measure_deadline(measure_with(x, "参画を支援")) == ("ongoing", None, None)
    assert measure_deadline(measure_with(x, "再発防止")) == ("ongoing", None, None)
    assert measure_deadline(measure_with(x, "新たな拠点")) == ("by", None, "2028-03-31")


def test_a_month_that_dates_an_event(service, tmp_path: Path) -> None:
    """令和8年10月の「…週間」において is that month, not a time tied to an event."""
    x = analyse_text(service, tmp_path / "doc.txt", "食品ロス削減の推進（抜粋）\n"
                     "(1) 消費者庁は、令和8年10月の「食品ロス削減推進週間」において、集中的な啓発を行う。\n"
                     "(2) 消費者庁は、「食品ロス削減推進週間」において、店頭での呼びかけを行う。\n")
    assert measure_deadline(measure_with(x, "集中的な啓発")) == ("date", "2026-10-01", "2026-10-31")
    assert measure_deadline(measure_with(x, "店頭での呼びかけ"))[0] == "relative"


def test_frequency_and_the_year_end_of_an_annual_plan(service, tmp_path: Path) -> None:
    """In a plan of one fiscal year, a meeting held 年2回 falls in that year and 年度末までに
    is its end, even where the plan prints no date; 毎年度 stays ongoing."""
    x = analyse_text(service, tmp_path / "doc.txt", "あさひ県交通安全推進プラン\n令和9年度実施計画\n\n"
                     "1　推進体制\n"
                     "(1) 県は、交通安全推進会議を年2回開催し、取組の進捗を確認する。\n"
                     "(2) 県は、交通安全アプリの登録者数を年度末までに5万人とする。\n"
                     "(3) 県は、交通事故の統計を毎年度公表する。\n")
    assert measure_deadline(measure_with(x, "推進会議を年2回")) == ("fiscal_year", "2027-04-01", "2028-03-31")
    assert measure_deadline(measure_with(x, "登録者数")) == ("by", None, "2028-03-31")
    assert measure_deadline(measure_with(x, "毎年度公表")) == ("ongoing", None, None)


def test_an_opening_that_leads_into_the_list(service, tmp_path: Path) -> None:
    """…令和10年度までの取組を着実に進めることとし、当面、以下の措置を講ずる: the items
    with no time of their own are due by then; an item's own time wins."""
    x = analyse_text(service, tmp_path / "doc.txt", "港湾の防災力強化に向けた取組について\n\n"
                     "令和8年6月1日\n港湾防災推進会議決定\n\n"
                     "　政府は、港湾の防災力強化方針（令和7年3月3日港湾防災推進会議決定）に基づき、"
                     "令和10年度までの取組を着実に進めることとし、当面、以下の措置を講ずる。\n\n"
                     "１　国土交通省は、港湾の耐震岸壁の整備を進め、令和9年度中に完了させる。\n"
                     "２　海上保安庁は、港湾の監視カメラの更新を実施する。\n")
    assert measure_deadline(measure_with(x, "監視カメラ")) == ("by", None, "2029-03-31")
    assert measure_deadline(measure_with(x, "耐震岸壁")) == ("fiscal_year", "2027-04-01", "2028-03-31")


def test_what_an_untimed_item_of_a_scheduled_plan_is(service, tmp_path: Path) -> None:
    """In a plan that dates its items, an untimed item is ``unknown`` when it is a thing to
    make once, and ``ongoing`` when it is an activity: one told as under way (…を支援して
    います), one done item by item (順次…作成する), or one whose commitment is followed by a
    note (…周知を図ること。なお、…)."""
    x = analyse_text(service, tmp_path / "doc.txt", "みなと市の防災の取組\n\n"
                     "１　市は、令和8年度中に避難所の運営マニュアルを改定する。\n"
                     "２　市は、令和9年度までに防災倉庫を増設する。\n"
                     "３　市は、地域の防災訓練に要する経費を支援しています。\n"
                     "４　市は、浸水想定区域に住む要支援者から順次個別避難計画を作成する。\n"
                     "５　市は、防災無線の更新について住民への周知を図ること。なお、詳細は別紙のとおりである。\n"
                     "６　市は、新たな防災拠点の基本構想を策定する。\n")
    assert measure_deadline(measure_with(x, "経費を支援")) == ("ongoing", None, None)
    assert measure_deadline(measure_with(x, "順次個別避難計画")) == ("ongoing", None, None)
    assert measure_deadline(measure_with(x, "周知を図ること")) == ("ongoing", None, None)
    assert measure_deadline(measure_with(x, "基本構想を策定")) == ("unknown", None, None)


def test_times_tied_to_an_event(service, tmp_path: Path) -> None:
    """…に先立ち, 次回の…において, 次期通常国会, …審査前までに are tied to an event the text
    names (relative); 次回以降も引き続き is ongoing."""
    x = analyse_text(service, tmp_path / "doc.txt", "規制見直しの進め方\n\n"
                     "１　各府省庁は、新システムの稼働に先立ち、既存の業務手順を点検する。\n"
                     "２　事務局は、次回の推進会議において、点検の状況を報告する。\n"
                     "３　所管省庁は、次期通常国会への法案提出を目指す。\n"
                     "４　デジタル庁は、法律案について法制局審査前までに原則への適合を確認する。\n"
                     "５　推進会議は、次回以降も引き続き議論する。\n")
    for words in ("既存の業務手順", "点検の状況", "法案提出", "原則への適合"):
        assert measure_deadline(measure_with(x, words))[0] == "relative", words
    assert measure_deadline(measure_with(x, "議論する"))[0] == "ongoing"


def test_a_roadmap_pages_time_label_and_a_date_that_names_a_body(service, tmp_path: Path) -> None:
    """A roadmap's text page lists its items under a time label (2030年以降の主な取組(1))
    and a bracketed label: the items with no time of their own are ongoing from the label's
    year; the label of what was done (…までの取組状況) lends none.  A day on which a body was
    set up (1月31日に設置した「…本部」の下で) is the day of that body, not of the measure."""
    x = analyse_text(service, tmp_path / "roadmap.txt", "宇宙輸送の工程表\n\n"
                     "1. 宇宙輸送\n2029年末までの取組状況\n【事業支援】\n・ 試験場の詳細設計を進めた。\n"
                     "2030年以降の主な取組(1)\n【事業支援】\n"
                     "・ 文部科学省は、国内の民間ロケットによる輸送サービスを活用する。\n"
                     "・ 経済産業省は、2032年度までに試験設備を整備する。\n\n"
                     "2. 復旧支援\n"
                     "政府は、1月31日に設置した「あおば地震復旧・復興支援本部」の下で復旧・復興に取り組んでいく。\n")
    assert measure_deadline(measure_with(x, "輸送サービスを活用")) == ("ongoing", "2030-01-01", None)
    assert measure_deadline(measure_with(x, "試験設備を整備")) == ("by", None, "2033-03-31")
    assert measure_deadline(measure_with(x, "復旧・復興に取り組んでいく")) == ("ongoing", None, None)
