"""The deadline normaliser: table-driven cases and properties (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policygraph.ingest.extract.deadlines import (
    era_to_western,
    find_deadlines,
    fiscal_year_interval,
    normalise,
    parse_bracket,
    split_bracket,
    western_to_era,
)

CASES = [
    ("令和8年度中に検討結果を取りまとめ", "fiscal_year", "2026-04-01", "2027-03-31"),
    ("令和８年度中", "fiscal_year", "2026-04-01", "2027-03-31"),
    ("令和元年度", "fiscal_year", "2019-04-01", "2020-03-31"),
    ("令和 10 年度までに結論", "by", None, "2029-03-31"),
    ("令和9年度末まで", "by", None, "2028-03-31"),
    ("令和8年度以降、順次実施", "ongoing", "2026-04-01", None),
    ("令和8年度以降", "ongoing", "2026-04-01", None),  # annotation.md: 以降 → ongoing from its 1 April
    ("令和8年度から実施", "ongoing", "2026-04-01", None),
    ("2022年4月以降", "ongoing", "2022-04-01", None),
    ("令和6年以降", "ongoing", "2024-01-01", None),
    ("令和7年度から継続的に実施", "ongoing", "2025-04-01", None),
    ("令和6年度から令和8年度まで", "period", "2024-04-01", "2027-03-31"),
    ("2025年度(令和7年度)", "fiscal_year", "2025-04-01", "2026-03-31"),
    ("【2023.10.1】", "date", "2023-10-01", "2023-10-01"),
    ("2022.2.6", "date", "2022-02-06", "2022-02-06"),
    ("令和5年2月15日", "date", "2023-02-15", "2023-02-15"),
    ("令和５年（2023年）１月", "date", "2023-01-01", "2023-01-31"),
    ("継続的に実施", "ongoing", None, None),
    ("引き続き推進", "ongoing", None, None),
    ("速やかに検討に着手", "promptly", None, None),
    ("直ちに", "promptly", None, None),
    ("早急に対策を講じる", "promptly", None, None),
    ("中長期的に検討", "unknown", None, None),
    # a month's or a year's end as the limit, a span of months, a season (annotation.md)
    ("令和４年９月末を目途に", "by", None, "2022-09-30"),
    ("令和6年度末を目途に", "by", None, "2025-03-31"),
    ("令和７年までに", "by", None, "2025-12-31"),
    ("2030年までに", "by", None, "2030-12-31"),
    ("令和4年7月から令和7年6月までの3年間", "period", "2022-07-01", "2025-06-30"),
    ("原則令和５年中", "period", "2023-01-01", "2023-12-31"),
    ("【令和５年夏】", "period", "2023-06-01", "2023-08-31"),
    ("令和８年夏頃までに", "by", None, "2026-08-31"),
    # a span of fiscal years printed once, also with an era's initial (roadmaps)
    ("令和6～8年度", "period", "2024-04-01", "2027-03-31"),
    ("令和6年度〜8年度", "period", "2024-04-01", "2027-03-31"),
    ("2024～2026年度", "period", "2024-04-01", "2027-03-31"),
    ("R6～R8", "period", "2024-04-01", "2027-03-31"),
    ("H30年度", "fiscal_year", "2018-04-01", "2019-03-31"),
    ("令和6年から令和8年まで", "period", "2024-01-01", "2026-12-31"),
    # a part of a fiscal year; its end as the limit
    ("令和8年度前半", "period", "2026-04-01", "2026-09-30"),
    ("令和8年度第4四半期", "period", "2027-01-01", "2027-03-31"),
    ("令和8年度上半期までに", "by", None, "2026-09-30"),
    ("令和6年度末", "by", None, "2025-03-31"),
    ("令和3年末", "by", None, "2021-12-31"),  # (a calendar year's end as a point, as 年度末 is)
    ("可能な限り早期に", "promptly", None, None),
    ("できるだけ早く", "promptly", None, None),
    ("令和6年4月1日以降、順次実施", "ongoing", "2024-04-01", None),
    ("令和8年度後半以降", "ongoing", "2026-10-01", None),
    ("令和6年度～", "ongoing", "2024-04-01", None),
    # dates as statutes print them, in kanji numerals
    ("令和九年三月三十一日までに", "by", None, "2027-03-31"),
    ("平成三十一年四月一日", "date", "2019-04-01", "2019-04-01"),
    ("令和五年十二月末まで", "by", None, "2023-12-31"),
    # from a calendar year to a month; 年内 as 年中; a year's 頃まで; FY2026
    ("令和6年から令和8年3月までの間", "period", "2024-01-01", "2026-03-31"),
    ("令和8年内に", "period", "2026-01-01", "2026-12-31"),
    ("2030年頃までに", "by", None, "2030-12-31"),
    ("FY2026中に", "fiscal_year", "2026-04-01", "2027-03-31"),
    ("令和6年から令和8年3月31日までに", "period", "2024-01-01", "2026-03-31"),
    ("令和7年内までに", "by", None, "2025-12-31"),
    ("FY2026-FY2028", "period", "2026-04-01", "2029-03-31"),
    # a western year with its era year in parentheses, as cabinet plans print them
    ("2024年度(令和6年度)末までに", "by", None, "2025-03-31"),
    ("2024年度（令和６年度）から", "ongoing", "2024-04-01", None),
    ("2026年（令和８年）中", "period", "2026-01-01", "2026-12-31"),
    ("2024年(令和6年)秋", "period", "2024-09-01", "2024-11-30"),
    # a length counted from an event's day, as a rule keeps a record for it: relative
    ("最終の記載をした日から起算して三年間", "relative", None, None),
    ("その作成の日から五年間", "relative", None, None),
    # (a date's day is no event: from that date on)
    ("令和七年四月一日から三年間", "ongoing", "2025-04-01", None),
]


@pytest.mark.parametrize(("text", "kind", "start", "end"), CASES)
def test_normalise(text: str, kind: str, start: str | None, end: str | None) -> None:
    d = normalise(text)
    assert (d.kind, d.start, d.end) == (kind, start, end)
    assert d.text == text.strip("【】")


def test_relative_has_duration() -> None:
    d = normalise("翌日から起算して10日以内")
    assert (d.kind, d.duration) == ("relative", "P10D")


def test_bracket_parts() -> None:
    parts = split_bracket("前段：継続的に実施、後段：令和8年度中に論点整理、令和9年度中に結論")
    assert parts == [("前段", "継続的に実施"), ("後段", "令和8年度中に論点整理"), ("後段", "令和9年度中に結論")]
    ds = parse_bracket("前段：速やかに検討に着手、後段：令和8年度中に検討結果を取りまとめ")
    assert [(d.part, d.kind) for d in ds] == [("前段", "promptly"), ("後段", "fiscal_year")]


def test_find_deadlines_offsets() -> None:
    text = "警察庁は、令和9年度中に結論を得て、事故の翌日から起算して10日以内に送付する。"
    found = find_deadlines(text)
    assert [d.kind for _, _, d in found] == ["fiscal_year", "relative"]
    for a, b, d in found:
        assert text[a:b] == d.text


@given(st.sampled_from(["令和", "平成", "昭和"]), st.integers(min_value=1, max_value=30))
def test_era_years_round_trip(era: str, year: int) -> None:
    if era == "昭和" and year > 63:
        return
    western = era_to_western(era, year)
    if era == "平成" and year == 31:
        return  # 平成31 = 令和1 (2019): the western year maps to the newer era
    assert western_to_era(western) == (era, year)


@given(st.integers(min_value=1, max_value=60))
def test_fiscal_years_never_straddle(year: int) -> None:
    start, end = fiscal_year_interval("令和", year)
    assert start == date(2018 + year, 4, 1) and end == date(2019 + year, 3, 31)
    d = normalise(f"令和{year}年度中")
    assert (d.start, d.end) == (start.isoformat(), end.isoformat())


@given(st.text(alphabet=st.sampled_from(list("令和平成年度月日中末までに以降0123456789０１２【】、。速やか継続的翌起算以内 .RH～〜-第四半期前後夏頃から早")), max_size=60))
@settings(max_examples=300, deadline=None)
def test_never_crashes_and_offsets_inside(text: str) -> None:
    normalise(text)
    parse_bracket(text)
    for a, b, d in find_deadlines(text):
        assert 0 <= a < b <= len(text) and text[a:b] == d.text
        for iso in (d.start, d.end):
            assert iso is None or date.fromisoformat(iso)


def test_limits_found_in_running_text() -> None:
    text = "各府省庁は、令和４年９月末を目途に提出し、令和７年までに原則オンライン化する。令和4年12月に公表された。"
    assert [(d.kind, d.end) for _, _, d in find_deadlines(text)] == [
        ("by", "2022-09-30"), ("by", "2025-12-31"), ("date", "2022-12-31")]



def test_span_of_glossed_fiscal_years() -> None:
    """A span from one fiscal year to another, each with its era year in parentheses, is
    one period, not two years (2024年度(令和6年度)から2026年度(令和8年度)まで)."""
    from policygraph.ingest.extract.measures import deadlines_of
    for text in ("2024年度(令和6年度)から2026年度(令和8年度)までに整備する。",
                 "令和6年度(2024年度)~令和8年度(2026年度)に整備する。"):
        found = [(d.kind, d.start, d.end) for _, _, d in find_deadlines(text)]
        assert found == [("period", "2024-04-01", "2027-03-31")], text
        assert [(d.kind, d.end) for d in deadlines_of(text)] == [("period", "2027-03-31")], text


def test_kanji_dates_in_running_text() -> None:
    """A statute's limit in kanji numerals is found with its offsets; the date of a cited
    law (…日法律第…号) is a citation, not the measure's deadline."""
    from policygraph.ingest.extract.measures import deadlines_of
    text = "国は、平成十五年五月三十日法律第五十七号に基づき、令和九年三月三十一日までに必要な措置を講ずる。"
    found = [(text[a:b], d.kind, d.end) for a, b, d in find_deadlines(text)]
    assert ("令和九年三月三十一日までに", "by", "2027-03-31") in found
    assert [(d.kind, d.end) for d in deadlines_of(text)] == [("by", "2027-03-31")]
    for cited in ("令和三年三月三十一日国家公安委員会規則第五号", "令和三年三月三十一日告示第十号"):
        assert deadlines_of(f"{cited}に基づき、措置を講ずる。") == [], cited


def test_what_is_no_deadline() -> None:
    """A statistic's date or span, a figure's label, early detection (review of stop 21)."""
    from policygraph.ingest.extract.measures import deadlines_of
    assert find_deadlines("令和5年度末時点で100件") == [] and find_deadlines("図表R1-R3") == []
    assert find_deadlines("令和5年末現在で100件") == []
    assert find_deadlines("早期の発見に努める") == []
    assert find_deadlines("令和8年内閣府令第1号") == [] and find_deadlines("SFY2026") == []
    # a form's blanks, a longer number (review of stop 22)
    assert find_deadlines("令和5年〇月〇日までに") == [] and find_deadlines("令和〇年度中") == []
    assert find_deadlines("FY20261") == []
    assert deadlines_of("認知件数は平成30年から令和4年までの5年間で約2倍に増加しており、対策を強化する。") == []
    assert deadlines_of("認知件数は2019年から2023年3月までの間に約2倍に増加しており、対策を強化する。") == []
