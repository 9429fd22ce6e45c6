"""Deadline normaliser: Japanese time expressions → OWL-Time style intervals.

The text is kept verbatim; ``kind`` says how to read ``start``/``end``:
令和N年度(中) → ``fiscal_year`` 1 April – 31 March (令和1 = 2019);
令和N年度末まで / までに → ``by`` (end only); 令和N年度以降(、順次) / 令和N年度から (carried out
from then on) → ``ongoing`` from 1 April of N (annotation.md); 令和6〜8年度 / R6~R8 → ``period``;
【2023.10.1】 / 令和5年2月15日 → ``date``; 令和5年（2023年）1月 → ``date`` spanning the month;
継続的に実施 → ``ongoing``; 速やかに / 直ちに / 早急に → ``promptly``;
翌日から起算して10日以内 → ``relative`` (P10D from an event); 当該期日までに / その受理の日又は
その翌日までに → ``relative`` (by an event, no duration); 平素から → ``ongoing``;
迅速かつ確実に → ``promptly``; anything else → ``unknown``.

>>> normalise("令和8年度中に検討結果を取りまとめ").kind, normalise("令和8年度中").start
('fiscal_year', '2026-04-01')
>>> d = normalise("令和10年度までに結論"); (d.kind, d.start, d.end)
('by', None, '2029-03-31')
>>> normalise("【2023.10.1】").start
'2023-10-01'
>>> d = normalise("翌日から起算して10日以内"); (d.kind, d.duration)
('relative', 'P10D')
>>> d = normalise("その受理の日又はその翌日(当該日が休日に当たる場合は、その翌日)までに"); (d.kind, d.event)
('relative', 'その受理の日又はその翌日')
>>> d = normalise("令和8年度以降、順次実施"); (d.kind, d.start, d.end)
('ongoing', '2026-04-01', None)
>>> d = normalise("令和6～8年度"); (d.kind, d.start, d.end), normalise("R6~R8").end
(('period', '2024-04-01', '2027-03-31'), '2027-03-31')
>>> d = normalise("2023.6~"); (d.kind, d.start, d.end), normalise("2022.10").end
(('ongoing', '2023-06-01', None), '2022-10-31')
>>> normalise("令和5年3月31日までに").kind, normalise("迅速かつ確実に").kind, normalise("平素から").kind
('by', 'promptly', 'ongoing')
>>> d = normalise("令和4年7月から令和7年6月までの3年間"); (d.kind, d.start, d.end)
('period', '2022-07-01', '2025-06-30')
>>> [(d.kind, d.end) for d in map(normalise, ("令和4年12月末を目途に", "令和7年までに", "令和6年度末を目途に"))]
[('by', '2022-12-31'), ('by', '2025-12-31'), ('by', '2025-03-31')]
>>> d = normalise("【令和5年夏】"); (d.kind, d.start, d.end), normalise("令和5年冬").end
(('period', '2023-06-01', '2023-08-31'), '2024-02-29')
>>> d = normalise("令和4年7月から12月までに"); (d.kind, d.start, d.end)
('period', '2022-07-01', '2022-12-31')
>>> [normalise(t).kind for t in ("令和5年中", "2025年中")], find_deadlines("令和5年中間とりまとめを踏まえ")
(['period', 'period'], [])
>>> [(d.kind, d.start, d.end) for _, _, d in find_deadlines("令和8年2月16日(月)から3月16日(月)まで配付し、令和7年6月1日から運用する。")]
[('period', '2026-02-16', '2026-03-16'), ('ongoing', '2025-06-01', None)]
>>> [(d.kind, d.end) for _, _, d in find_deadlines("令和6年5月31日(金)17時までに申請し、法定納期限(令和8年3月16日)までに納付する。")]
[('by', '2024-05-31'), ('by', '2026-03-16')]
>>> [(d.kind, d.event) for _, _, d in find_deadlines("農林水産省令で定める期限までに報告し、知事が別に定める日までに提出する。")]
[('relative', '農林水産省令で定める期限'), ('relative', '知事が別に定める日')]
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import replace
from datetime import date

from policygraph.core.records import Deadline
from policygraph.ingest.numerals import KANJI_0_9, KANJI_DIGITS

ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
# an era's initial as roadmaps and tables print it (R6年度, H30年度, R6~R8): only before a digit,
# and not inside a Latin word or code
_ERA_LETTERS = {"R": "令和", "H": "平成"}
_ERA = "(明治|大正|昭和|平成|令和|(?<![A-Za-z0-9図表])[RH](?=[0-9]))"
_K = KANJI_DIGITS[:-1]  # years, months, durations: up to 百
_N = rf"(\d{{1,2}}|元|(?!〇)[{_K}]{{1,3}})"  # (〇 alone is a form's blank: 令和〇年)
# a month or a day as printed after an era's year: digits, or kanji as statutes print them
# (令和九年三月三十一日)
_MD = rf"(?:\d{{1,2}}|(?!〇)[{_K}]{{1,3}})"
_FY = re.compile(rf"{_ERA}{_N}年度|(\d{{4}})年度")
_DATE = re.compile(rf"{_ERA}{_N}年(?:\(\d{{4}}年\))?(\d{{1,2}})月(\d{{1,2}})日|(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日|(\d{{4}})[./](\d{{1,2}})[./](\d{{1,2}})")
_MONTH = re.compile(rf"{_ERA}{_N}年(?:\((\d{{4}})年\))?(\d{{1,2}})月(?!\d*日)|(\d{{4}})年(\d{{1,2}})月(?!\d*日)"
                    r"|(?<![\d.])(\d{4})\.(\d{1,2})(?![\d.])")
_YEAR = re.compile(rf"{_ERA}{_N}年(?!度)|(\d{{4}})年(?!度)")
_RELATIVE = re.compile(rf"(?:(.{{0,30}}?)(?:の翌日|から)(?:起算して)?)?(?<![和成治正])(\d{{1,3}}|[{_K}]{{1,3}})\s*(日|週間|か月|箇月|ヶ月|月|年)以内")
# a length from now or from an event, in which something is to be done (今後10年程度で,
# 法改正からおおむね5年程度で, 今後3年間で): relative (annotation.md: tied to a length)
_LENGTH_AHEAD = re.compile(rf"(?:(今後)|([^\s、。()「」0-9]{{1,12}}?)から)(?:おおむね|概ね|約)?(\d{{1,2}}|[{_K}]{{1,3}})"
                           r"(年|か年|カ年|ヵ年|ヶ年|箇年|か月|箇月|ヶ月)(?:間|程度|間程度)?(?:で|のうちに|以内に?|を目[途処]に?)")
# a length counted from an event's day, for which something is kept or lasts (その作成の日から
#五年間保存しなければならない, 最終の記載をした日から起算して三年間): relative to that day
_KEPT_FOR = re.compile(rf"([^\s、。()「」0-9０-９]{{1,20}}?(?<![0-9０-９{_K}])日)から(?:起算して)?"
                       rf"(\d{{1,3}}|[{_K}]{{1,3}})\s*(年|か月|箇月|ヶ月|月|日)間")
# an event whose day a span counts from or to, its date printed in parentheses after it
# (施行日(令和7年4月1日)以降)
_EVENT_DAY = r"(?:施行日|施行の日|適用日|適用の日|公布日|公布の日)"
# any day or limit named with its date in parentheses (法定納期限(令和8年3月16日)までに)
_DAY_NOUN = rf"(?:{_EVENT_DAY}|[^\s、。()「」0-9]{{0,10}}(?:期限|期日|開始日|終了日|締切日?))"
# the day of the week and the hour printed after a date: (月), (金曜日), 17時, 17時30分
_WEEKDAY = r"(?:\([月火水木金土日](?:曜日?)?\))?(?:[0-9]{1,2}時(?:[0-9]{1,2}分)?)?"
# a length before an event (その5日前までに, 開催日の2週間前までに)
_BEFORE = re.compile(rf"(その|当該|同)?(\d{{1,3}}|[{_K}]{{1,3}})(日|週間|か月|箇月|ヶ月)前まで")
_ONGOING = re.compile(r"継続的|引き続き|随時|常時|継続して|継続|平素から|日頃から")
# 早期に alone is prompt only before an act of getting something done (早期に導入する), not in
# 早期に発見する (finding early)
_EARLY = (r"(?:可能な限り|できる限り|できるだけ|なるべく)早(?:期に|く|い時期に)|一刻も早く|早急な"
          r"|早期(?:に|の)(?=実現|実施|導入|策定|整備|構築|開始|成立|施行|提出|取りまとめ|改正|見直|解決|運用|結論)")
# (early alone only as the inline finder took it, its verb outside the text: 早期に + 実現)
_PROMPTLY = re.compile(r"速やかに|直ちに|早急に|遅滞なく|至急|即時|迅速(?:かつ(?:確実|適正|的確))?[にな]|" + _EARLY + r"|^早期[にの]$")
# a span of fiscal years printed once (令和6〜8年度, 令和6年度～8年度, 2024～2026年度, R6～R8)
_RANGE = r"(?:から|[~〜～\-‐])"
_FY_SPAN_ERA = re.compile(rf"{_ERA}{_N}(?:年度)?{_RANGE}{_ERA}?{_N}年度")
_FY_SPAN_WEST = re.compile(rf"(\d{{4}})(?:年度)?{_RANGE}(\d{{4}})年度")
_FY_SPAN_LETTERS = re.compile(rf"{_ERA}{_N}[~〜～-]{_ERA}{_N}(?![0-9年月.])")
# a part of a fiscal year: its halves and quarters, as (first month, last month)
_FY_PARTS = {"前半": (4, 9), "上半期": (4, 9), "上期": (4, 9), "後半": (10, 3), "下半期": (10, 3), "下期": (10, 3),
             "第1四半期": (4, 6), "第2四半期": (7, 9), "第3四半期": (10, 12), "第4四半期": (1, 3)}
# how a part is printed after its year (令和8年度前半, 令和8年度の第三四半期): the half's name, or the quarter's number
_FY_PART = r"の?(前半|上半期|上期|後半|下半期|下期|第([1-4一二三四])四半期)"
# a time limit set by an event, not a date: 当該期日までに, その受理の日又はその翌日（…）までに
# counted from a statute's own events: 施行後三年を目途として, 公布の日から起算して一年以内,
# 施行後三年ごとに, 施行日までに, 政令で定める日
_STATUTE_EVENT = re.compile(
    rf"(?:この法律の|この条例の|この規則の)?(施行|公布)(?:の日)?(?:後|から)(?:起算して)?"
    rf"(\d{{1,3}}|[{_K}]{{1,3}})\s*(年|か月|箇月|ヶ月|月|日)(?:以内|ごとに|を経過)?"
    # (…公布の日から施行する, 同法の施行の日から施行する: takes effect on that event's day)
    r"|(施行日|施行の日|公布の日)(?:までに|から(?:施行|適用))"
    # a day or limit another instrument or authority sets (農林水産省令で定める期限, 知事が別に定める日)
    r"|((?:政令|[^\s、。()「」]{0,10}?(?:省令|府令|規則|条例|告示))で定める(?:日|期限|期日)"
    r"|[^\s、。()「」はが]{1,8}?が(?:別に)?定める(?:日|期限|期日))")
_BEFOREHAND = re.compile(r"あらかじめ|予め")
# a campaign's period: 「…全国強調月間」において, 今後実施する「…PR月間」を通じ (annotation.md: relative,
# tied to an event)
_CAMPAIGN = re.compile(r"「([^「」]{2,40}?(?:月間|週間|旬間|運動|キャンペーン))」(?:において|を通じ(?:て)?|の期間中に?|期間中に?)")
# a time tied to an event the text names, not to a date (annotation.md: relative):
# …開設に先立ち / これに先立ち, 次回の検討会に / において, 次期通常国会, 内閣法制局予備審査前までに
_EVENT_TIED = re.compile(
    r"(これ|それ|[^\s、。()「」]{2,20}?)に先立(?:ち|って)"
    r"|(次回(?!以降)の?[^\s、。()「」]{1,12}?)(?:において|まで|に(?![向係つ関よおは]))"
    r"|(次期通常国会|次期臨時国会)"
    r"|([^\s、。()（）「」0-9０-９がはをでと]{1,20}?[^\s、。()（）「」0-9０-９がはをでと日月年間週頃内])"
    r"(?:\([^()]{0,30}\))?前(?:\([^()]{0,30}\))?まで(?:に)?"
)
_EVENT_BY = re.compile(r"((?:当該|その|同)[^\s、。()0-9]{0,12}?(?:日|期日)(?:又はその翌日)?)(?:\([^()]{0,40}\))?までに")
_PART = re.compile(r"(前段|中段|後段|第[0-9一二三四五]段)\s*[:：]")
_PART_NAMED = re.compile(r"(?:^|(?<=、))([^、:：【】]{1,60}?)\s*[:：]")


def era_to_western(era: str, year: int) -> int:
    """Example.

    >>> era_to_western("令和", 8), era_to_western("平成", 31), era_to_western("昭和", 64)
    (2026, 2019, 1989)
    """
    return ERAS[_ERA_LETTERS.get(era, era)] + year


def western_to_era(year: int) -> tuple[str, int]:
    """Example.

    >>> western_to_era(2026)
    ('令和', 8)
    """
    if year >= 2019:
        return "令和", year - 2018
    if year >= 1989:
        return "平成", year - 1988
    return "昭和", year - 1925


def fiscal_year_interval(era: str, year: int) -> tuple[date, date]:
    """Example.

    >>> fiscal_year_interval("令和", 8)
    (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
    """
    y = era_to_western(era, year)
    return date(y, 4, 1), date(y + 1, 3, 31)


def kanji_number(s: str) -> int:
    """Kanji numerals as printed in statutes.

    >>> kanji_number("五十七"), kanji_number("十五"), kanji_number("百五"), kanji_number("九")
    (57, 15, 105, 9)
    >>> kanji_number("二百六十一"), kanji_number("千二十"), kanji_number("一五一")  # digit by digit too
    (261, 1020, 151)
    """
    digits = {c: i for i, c in enumerate(KANJI_0_9)}
    if s and all(ch in digits for ch in s):  # 一五一 (e-Gov's amendment numbers)
        return int("".join(str(digits[ch]) for ch in s))
    total, cur = 0, 0
    for ch in s:
        if ch in digits:
            cur = cur * 10 + digits[ch] if cur and ch == "〇" else digits[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "千":
            total += (cur or 1) * 1000
            cur = 0
    return total + cur


def numeral(s: str) -> int:
    """A number as printed: Arabic digits, kanji numerals, or 元 (the first year of an era).

    >>> numeral("12"), numeral("百三"), numeral("元")
    (12, 103, 1)
    """
    if s == "元":
        return 1
    return int(s) if s.isdigit() else kanji_number(s)


# the second day of a span of days (…から令和8年3月16日まで, …～3月16日)
_DAY_TO = re.compile(rf"(?:から|[~〜～-])(?:{_ERA}{_N}年|(\d{{4}})年)?(\d{{1,2}})月(\d{{1,2}})日")


def _western_year(m: re.Match[str]) -> int:
    """The western year of a :data:`_FY` or :data:`_YEAR` match (令和6年度, 令和6年, 2024年):
    both print an era and its year, or a western year, as their first three groups."""
    return era_to_western(m.group(1), numeral(m.group(2))) if m.group(1) else int(m.group(3))


def safe_date(y: int, mo: int, d: int) -> str | None:
    """The day as ISO 8601, or None where there is no such day (2月30日, 2023年2月29日)."""
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _month_end(y: int, mo: int) -> str | None:
    if not 1 <= mo <= 12:
        return None
    return date(y, mo, calendar.monthrange(y, mo)[1]).isoformat()


def _prep(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"(年度?)\(\d{4}年度?\)", r"\1", t)  # 令和8年度(2026年度)末 → 令和8年度末
    t = re.sub(r"(\d{4}年度?)\((?:令和|平成|昭和)[0-9元]{1,2}年度?\)", r"\1", t)  # 2024年度(令和6年度)末
    # a kanji month or day after a year or month (令和九年三月三十一日) as digits
    t = re.sub(rf"(?<=[年月])((?!〇)[{_K}]{{1,3}})(?=[月日])", lambda m: str(kanji_number(m.group(1))), t)
    t = re.sub(r"(?<![A-Za-z])FY(\d{4})(?![0-9年])", r"\1年度", t)  # FY2026 → 2026年度
    t = t.replace("以後", "以降")  # 令和8年1月以後: the same as 以降
    t = re.sub(rf"(?<=日){_WEEKDAY}", "", t)  # 令和6年5月31日(金)17時までに: the day
    # an event with its date in parentheses: 施行日(令和7年4月1日)以降 is from that day
    t = re.sub(rf"{_DAY_NOUN}\(([^()]{{6,20}}?日)\)(?=以降|から|まで)", r"\1", t)
    t = re.sub(r"を期限(?:として|とし|に)", "までに", t)  # 令和6年9月30日を期限として: by that day
    t = _years_of_span(t)
    return t.strip("【】[]")


# a span given by its first fiscal year and its length: 令和7年度から5か年(で), 2024年度から3年間
_FY_FOR_YEARS = re.compile(rf"((?:{_ERA}{_N}|(\d{{4}}))年度)(?:から|より)(\d{{1,2}})(?:か年|カ年|ヵ年|ヶ年|箇年|年間)")


def _years_of_span(t: str) -> str:
    """令和7年度から5か年 written as the span it is (2025年度~2029年度)."""
    def span(m: re.Match[str]) -> str:
        first = _western_year(_FY.match(m.group(1)))  # type: ignore[arg-type]
        return f"{first}年度~{first + int(m.group(5)) - 1}年度"

    return _FY_FOR_YEARS.sub(span, t)


def _duration(number: str, unit: str) -> str:
    """An ISO 8601 duration of a length as printed (10日, 2週間, 三月, 6か月)."""
    n = numeral(number)
    return f"P{n}D" if unit == "日" else f"P{n * 7}D" if unit == "週間" else f"P{n}Y" if "年" in unit else f"P{n}M"


_SEASONS = {"春": (3, 5), "夏": (6, 8), "秋": (9, 11), "冬": (12, 2)}  # first and last month


def _season(verbatim: str, part: str | None, y: int, name: str, rest: str, fiscal: bool) -> Deadline:
    """A season of year ``y`` (冬: December to February), as a period, a limit (…まで) or a
    start (…以降; in a fiscal year also …から).  A fiscal year's spring is its April and May
    (its March is the next calendar year's).

    >>> [(d.start, d.end) for d in (_season("", None, 2023, "春", "", True), _season("", None, 2023, "冬", "", False))]
    [('2023-04-01', '2023-05-31'), ('2023-12-01', '2024-02-29')]
    """
    a, b = _SEASONS[name]
    if fiscal and a <= 3:
        a = 4
    first, last = f"{y}-{a:02d}-01", _month_end(y + (b < a), b)
    if rest.startswith("まで"):
        return Deadline(verbatim, "by", None, last, part)
    if rest.startswith(("以降", "から") if fiscal else ("以降",)):
        return Deadline(verbatim, "ongoing", first, None, part)
    return Deadline(verbatim, "period", first, last, part)


# a calendar year a span starts from, right before its end (令和6年から + 令和8年3月31日まで)
_SINCE_YEAR = re.compile(rf"(?:{_YEAR.pattern})(?:から|[~〜～])$")


def _since_year(t: str, end_at: int, y: int) -> int | None:
    """The first year of a span from a calendar year to the date at ``end_at`` in year
    ``y`` (令和6年から令和8年3月まで), if ``t`` prints one."""
    since = _SINCE_YEAR.search(t, 0, end_at)
    return y0 if since and 1800 < (y0 := _western_year(since)) <= y else None


def _year_month(m: re.Match[str]) -> tuple[int, int]:
    """The year and month of a :data:`_MONTH` match."""
    if m.group(1):
        return (int(m.group(3)) if m.group(3) else era_to_western(m.group(1), numeral(m.group(2)))), int(m.group(4))
    if m.group(5):
        return int(m.group(5)), int(m.group(6))
    return int(m.group(7)), int(m.group(8))  # 2022.10 (a roadmap's month)


_FY_MONTHS = {mo: i for i, mo in enumerate((4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))}  # a month's place in a fiscal year


def _fy_span(t: str) -> tuple[int, int] | None:
    """The first and last fiscal year of a span printed once (令和6〜8年度, R6~R8)."""
    m = _FY_SPAN_ERA.search(t)
    if m:
        a = era_to_western(m.group(1), numeral(m.group(2)))
        b = era_to_western(m.group(3) or m.group(1), numeral(m.group(4)))
    elif m := _FY_SPAN_WEST.search(t):
        a, b = int(m.group(1)), int(m.group(2))
    elif m := _FY_SPAN_LETTERS.search(t):
        a, b = era_to_western(m.group(1), numeral(m.group(2))), era_to_western(m.group(3), numeral(m.group(4)))
    else:
        return None
    return (a, b) if a <= b and 1800 < a and b < 2200 else None


def _fy_part(y: int, name: str) -> tuple[str, str]:
    """The first and last day of a part of fiscal year ``y`` (前半, 第3四半期)."""
    a, b = _FY_PARTS[name]
    first = f"{y + (a <= 3)}-{a:02d}-01"
    return first, _month_end(y + (b <= 3), b) or first


def normalise(text: str, part: str | None = None, *, ref_year: int | None = None) -> Deadline:  # noqa: C901
    verbatim = text.strip().strip("【】").strip()
    t = _prep(text)
    span = _fy_span(t)
    if span:
        return Deadline(verbatim, "period", f"{span[0]}-04-01", f"{span[1] + 1}-03-31", part)
    fy = list(_FY.finditer(t))
    if len(fy) >= 2 and re.search(r"[~〜～]|から.*まで", t[fy[0].end() : fy[1].start() + 1] + t[fy[1].end():]):
        a, b = _western_year(fy[0]), _western_year(fy[1])
        return Deadline(verbatim, "period", f"{a}-04-01", f"{b + 1}-03-31", part)
    if fy:
        m = fy[0]
        y = _western_year(m)
        if not 1800 < y < 2200:  # 0000年度: no year anyone means
            return Deadline(verbatim, "unknown", None, None, part)
        after = t[m.end() : m.end() + 8]
        piece = re.match(_FY_PART, after)
        if piece:  # 令和8年度前半, 令和8年度第3四半期: that part of the year; …までに: by its end
            name = piece.group(1) if not piece.group(2) else f"第{numeral(piece.group(2))}四半期"
            part_first, part_last = _fy_part(y, name)
            if re.match(r"(?:中)?まで", after[piece.end() :]):
                return Deadline(verbatim, "by", None, part_last, part)
            if re.match(r"以降|から|[~〜～]", after[piece.end() :]):
                return Deadline(verbatim, "ongoing", part_first, None, part)
            return Deadline(verbatim, "period", part_first, part_last, part)
        season = re.match(r"の?(春|夏|秋|冬)(?:頃|ごろ)?", after)
        if season:  # 令和5年度秋頃を目途に: the season's months in that fiscal year
            return _season(verbatim, part, y, season.group(1), after[season.end() :], fiscal=True)
        # 末 (not 末時点 / 末現在, a statistic's date), まで, 内まで: by the year's last day
        # (年度内に, like 年度中に, is within the year)
        if re.match(r"末(?!時点|現在|の時点)|まで|内まで", after):
            return Deadline(verbatim, "by", None, f"{y + 1}-03-31", part)
        months = re.match(r"(?:の)?([0-9]{1,2})月?[~〜～-]([0-9]{1,2})月", t[m.end() :])
        if (months and int(months.group(1)) in _FY_MONTHS and int(months.group(2)) in _FY_MONTHS
                and _FY_MONTHS[int(months.group(1))] <= _FY_MONTHS[int(months.group(2))]):
            # 令和4年度1月~3月 (a schedule's quarter): months 1-3 fall in the next calendar year
            a_mo, b_mo = int(months.group(1)), int(months.group(2))
            end = _month_end(y + (b_mo <= 3), b_mo)
            return Deadline(verbatim, "period", f"{y + (a_mo <= 3)}-{a_mo:02d}-01", end, part)
        if re.match(r"以降|から|[~〜～]", after):
            # 以降(、順次実施), 令和6年度～: carried on from that year (annotation.md: ongoing from its 1 April)
            return Deadline(verbatim, "ongoing", f"{y}-04-01", None, part)
        return Deadline(verbatim, "fiscal_year", f"{y}-04-01", f"{y + 1}-03-31", part)
    md = _DATE.search(t)
    if md:
        m = md
        if m.group(1):
            y, mo, d = era_to_western(m.group(1), numeral(m.group(2))), int(m.group(3)), int(m.group(4))
        elif m.group(5):
            y, mo, d = int(m.group(5)), int(m.group(6)), int(m.group(7))
        else:
            y, mo, d = int(m.group(8)), int(m.group(9)), int(m.group(10))
        iso = safe_date(y, mo, d)
        if iso and (y0 := _since_year(t, m.start(), y)):
            return Deadline(verbatim, "period", f"{y0}-01-01", iso, part)  # 令和6年から令和8年3月31日まで
        if iso and (to := _DAY_TO.match(t, m.end())):
            # 令和8年2月16日から3月16日まで: a span of days (the second in the first's year, or the next)
            y1 = _western_year(to) if (to.group(1) or to.group(3)) else y + ((int(to.group(4)), int(to.group(5))) < (mo, d))
            last = safe_date(y1, int(to.group(4)), int(to.group(5)))
            if last and last >= iso:
                return Deadline(verbatim, "period", iso, last, part)
        if iso and re.match(r"から(?!起算)", t[m.end() :]):
            return Deadline(verbatim, "ongoing", iso, None, part)  # 令和7年6月1日から(運用を開始する): from then on
        if iso:
            if re.match(r"(?:のいずれか早い日)?まで", t[m.end() : m.end() + 14]):
                return Deadline(verbatim, "by", None, iso, part)
            if re.match(r"以降", t[m.end() : m.end() + 2]):
                return Deadline(verbatim, "ongoing", iso, None, part)  # 令和6年4月1日以降、順次
            return Deadline(verbatim, "date", iso, iso, part)
    in_months = list(_MONTH.finditer(t))
    if len(in_months) >= 2 and re.fullmatch(r"[~〜～-]|から", t[in_months[0].end() : in_months[1].start()]):
        # 令和4年7月から令和7年6月まで(の3年間), 2023.4~2024.3: a span of months
        (y0, mo0), (y1, mo1) = _year_month(in_months[0]), _year_month(in_months[1])
        last = _month_end(y1, mo1)
        if last and 1 <= mo0 <= 12 and (y0, mo0) <= (y1, mo1):
            return Deadline(verbatim, "period", f"{y0}-{mo0:02d}-01", last, part)
    mm = in_months[0] if in_months else None
    if mm:
        m = mm
        y, mo = _year_month(m)
        end = _month_end(y, mo)
        if end and (y0 := _since_year(t, m.start(), y)):
            return Deadline(verbatim, "period", f"{y0}-01-01", end, part)  # 令和6年から令和8年3月まで
        upto = re.match(r"(?:から|[~〜～-])(\d{1,2})月", t[m.end() :])
        if end and upto and 1 <= int(upto.group(1)) <= 12:
            # 令和4年7月から12月までに: the second month in the same year (or the next, if earlier)
            mo1 = int(upto.group(1))
            last = _month_end(y + (mo1 < mo), mo1)
            return Deadline(verbatim, "period", f"{y}-{mo:02d}-01", last, part)
        if end:
            if re.match(r"(?:末)?(?:まで)|末(?:を)?(?:目途|目処|めど)", t[m.end() : m.end() + 5]):
                return Deadline(verbatim, "by", None, end, part)  # 12月末までに, 9月末を目途に
            if re.match(r"[~〜～]|分?(?:から|以降)", t[m.end() : m.end() + 3]):
                return Deadline(verbatim, "ongoing", f"{y}-{mo:02d}-01", None, part)  # 2023.6~, 10月分から: from then on
            return Deadline(verbatim, "date", f"{y}-{mo:02d}-01", end, part)  # a month: its first..last day
    mb = _BEFORE.search(t)
    if mb:  # その5日前までに: a length before an event
        return Deadline(verbatim, "relative", None, None, part, duration=_duration(mb.group(2), mb.group(3)),
                        event=mb.group(0))
    ml = _LENGTH_AHEAD.search(t)
    if ml and not re.search(r"年度?$", ml.group(2) or ""):  # (令和7年度から5か年で: a span of years)
        return Deadline(verbatim, "relative", None, None, part, duration=_duration(ml.group(3), ml.group(4)),
                        event=ml.group(2) or None)
    mr = _RELATIVE.search(t)
    if mr:
        m = mr
        dur = _duration(m.group(2), m.group(3))
        event = (m.group(1) or "").strip("、") or None
        return Deadline(verbatim, "relative", None, None, part, duration=dur, event=event)
    mk = _KEPT_FOR.search(t)
    if mk:
        return Deadline(verbatim, "relative", None, None, part, duration=_duration(mk.group(2), mk.group(3)),
                        event=mk.group(1))
    me = _EVENT_BY.search(t)
    if me:
        return Deadline(verbatim, "relative", None, None, part, event=me.group(1))
    ms = _STATUTE_EVENT.search(t)
    if ms:
        if ms.group(1):
            n, unit = numeral(ms.group(2)), ms.group(3)
            dur = f"P{n}Y" if unit == "年" else f"P{n}D" if unit == "日" else f"P{n}M"
            return Deadline(verbatim, "relative", None, None, part, duration=dur, event=ms.group(1))
        return Deadline(verbatim, "relative", None, None, part, event=ms.group(4) or ms.group(5))
    mc = _CAMPAIGN.search(t)
    if mc:
        return Deadline(verbatim, "relative", None, None, part, event=mc.group(1))
    mt = _EVENT_TIED.search(t)
    if mt:
        return Deadline(verbatim, "relative", None, None, part, event=next(g for g in mt.groups() if g))
    if _PROMPTLY.search(t):
        return Deadline(verbatim, "promptly", None, None, part)
    if _ONGOING.search(t):
        return Deadline(verbatim, "ongoing", None, None, part)
    if _BEFOREHAND.search(t):
        return Deadline(verbatim, "relative", None, None, part, event="あらかじめ")
    years = list(_YEAR.finditer(t))
    if len(years) >= 2 and re.fullmatch(r"(?:中)?(?:[~〜～-]|から)", t[years[0].end() : years[1].start()]):
        y0, y1 = (_western_year(m) for m in years[:2])
        if 1800 < y0 <= y1 < 2200:  # 令和6年から令和8年まで: calendar years
            return Deadline(verbatim, "period", f"{y0}-01-01", f"{y1}-12-31", part)
    my = years[0] if years else None
    if my:
        m = my
        y = _western_year(m)
        if 1800 < y < 2200:
            after = t[m.end() : m.end() + 8]
            if re.match(r"(?:末|頃|ごろ|内)?まで|末(?:を)?(?:目途|目処|めど)|末(?!時点|現在|の時点)", after):
                return Deadline(verbatim, "by", None, f"{y}-12-31", part)  # 令和7年までに, 2030年頃までに, 令和3年末
            season = re.match(r"(?:の)?(春|夏|秋|冬)(頃|ごろ)?", after)
            if season:  # 令和5年夏, 令和8年夏頃までに: the season's months
                return _season(verbatim, part, y, season.group(1), after[season.end() :], fiscal=False)
            if re.match(r"以降|から(?!.*まで)", after):
                return Deadline(verbatim, "ongoing", f"{y}-01-01", None, part)  # 令和6年以降
            return Deadline(verbatim, "period", f"{y}-01-01", f"{y}-12-31", part)
    if ref_year:
        m2 = re.search(r"(\d{1,2})月(\d{1,2})日", t)
        if m2 and (iso := safe_date(ref_year, int(m2.group(1)), int(m2.group(2)))):
            return Deadline(verbatim, "date", iso, iso, part)
    return Deadline(verbatim, "unknown", None, None, part)


def _has_signal(s: str) -> bool:
    return normalise(s).kind != "unknown" or bool(re.search(r"中長期|将来", s))


def is_deadline_bracket(inner: str) -> bool:
    """Whether a 【…】 block states when (【令和8年度中】, 【中長期的に検討】), not a label
    (【導入編について】, 【アウトプット（例）】).

    >>> is_deadline_bracket("前段：継続的に実施、後段：令和8年度中に結論"), is_deadline_bracket("導入編について")
    (True, False)
    >>> is_deadline_bracket("警察庁説明資料(運転免許証のデジタル化)2020.11.10")
    False
    """
    if SOURCE_LABEL.search(inner):
        return False  # 【警察庁説明資料(…)2020.11.10】: where a slide's content comes from
    return any(_has_signal(p) or _LATER.search(p) for _, p in split_bracket(inner))


# a 【…】 or (…) that names where something comes from (a slide's source and date), not when
SOURCE_LABEL = re.compile(r"資料|出典|出所|報告書|検討会|研究会|議事録|より作成|から引用|参考:")


_LATER = re.compile(r"今後|当面|目途|時期|未定|検討中|順次")


def split_bracket(text: str) -> list[tuple[str | None, str]]:
    """(part, phrase) pairs of a 【…】 block.

    >>> split_bracket("前段：継続的に実施、後段：令和8年度中に論点整理、令和9年度中に結論")
    [('前段', '継続的に実施'), ('後段', '令和8年度中に論点整理'), ('後段', '令和9年度中に結論')]
    >>> split_bracket("試行:継続的に実施、部門間連携による対応:ガイドライン等の発出を受け、速やかに検討を開始")
    [('試行', '継続的に実施'), ('部門間連携による対応', 'ガイドライン等の発出を受け、速やかに検討を開始')]
    """
    t = text.strip().strip("【】").strip()
    parts: list[tuple[str | None, str]] = []
    marks = list(_PART.finditer(t))
    if not marks:  # named parts (組織の整備：…、一体的運用の確保：…): a label with no time in it
        marks = [m for m in _PART_NAMED.finditer(t) if not _has_signal(m.group(1))]
    if not marks:
        chunks: list[tuple[str | None, str]] = [(None, t)]
    else:
        chunks = []
        if marks[0].start() > 0 and t[: marks[0].start()].strip("、 "):
            chunks.append((None, t[: marks[0].start()].strip("、 ")))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(t)
            chunks.append((m.group(1), t[m.end() : end].strip("、 ")))
    for part, chunk in chunks:
        pieces = [p for p in re.split(r"、", chunk) if p]
        merged: list[str] = []
        for p in pieces:
            if merged and (not _has_signal(p) or not _has_signal(merged[-1])):
                merged[-1] = merged[-1] + "、" + p
            else:
                merged.append(p)
        # a leading fragment without a signal belongs to the next phrase
        parts.extend((part, p) for p in merged if p)
    return parts


def parse_bracket(text: str) -> list[Deadline]:
    return [normalise(p, part) for part, p in split_bracket(text)]


# a fiscal year with the other calendar's name for it in parentheses: 2024年度(令和6年度)
# (a PDF's text layer may space it: 2023 年度 （令和５年度）)
_FY_GLOSSED = rf"(?:{_ERA} ?{_N} ?年度(?: ?\(\d{{4}} ?年度\))?|\d{{4}} ?年度(?: ?\( ?{_ERA} ?{_N} ?年度 ?\))?)"

_INLINE = re.compile(
    rf"(?:{_FY_SPAN_ERA.pattern}|{_FY_SPAN_WEST.pattern}|{_FY_SPAN_LETTERS.pattern})(?:末)?(?:まで(?:に|の)?)?"
    # from one glossed fiscal year to another (2024年度(令和6年度)から2026年度(令和8年度)まで)
    rf"|{_FY_GLOSSED}{_RANGE}{_FY_GLOSSED}(?:末)?(?:まで(?:に|の)?)?"
    # an event with its date in parentheses (施行日(令和7年4月1日)以降)
    rf"|{_DAY_NOUN}\((?:{_ERA}{_N}|\d{{4}})年{_MD}月{_MD}日\)(?:以降|以後|から|まで(?:に)?)"
    # a first fiscal year and a length (令和7年度から5か年で)
    rf"|{_FY_GLOSSED}(?:から|より)\d{{1,2}}(?:か年|カ年|ヵ年|ヶ年|箇年|年間)(?:で|にわたり|にわたって)?"
    rf"|{_FY_GLOSSED}(?!末時点|末現在|末の時点)(?:の?\d{{1,2}}月?[~〜～-]\d{{1,2}}月)?"
    rf"(?:{_FY_PART}|の?(?:春|夏|秋|冬)(?:頃|ごろ)?)?" r"(?:末|中|内)?(?:まで(?:に)?|(?:以降|以後)|から|を目[途処]に|中に|に|[~〜～](?![0-9]))?"
    # calendar years from one to another (令和6年から令和8年まで)
    rf"|(?:{_ERA}{_N}年|\d{{4}}年)(?!度)(?:から|[~〜～])(?:{_ERA}{_N}年|\d{{4}}年)(?!度|{_MD}月)(?:まで(?:に|の)?)?"
    # from a calendar year to a month (令和6年から令和8年3月まで)
    rf"|(?:{_ERA}{_N}年|\d{{4}}年)(?!度)(?:から|[~〜～])(?:{_ERA}{_N}年|\d{{4}}年){_MD}月(?:{_MD}日|末)?(?:まで(?:に|の)?)?"
    rf"|(?:{_ERA}{_N}年(?:\(\d{{4}}年\))?|\d{{4}}年(?:\({_ERA}{_N}年\))?){_MD}月(?:{_MD}日{_WEEKDAY})?(?:以降|以後)?"
    # a span of months (令和4年7月から令和7年6月まで), an end of month as the limit (12月末までに, 9月末を目途に)
    rf"(?:(?:から|[~〜～-])(?:{_ERA}{_N}年|\d{{4}}年)?{_MD}月(?:{_MD}日{_WEEKDAY})?|分?から(?!起算))?"
    # (…又は令和7年2月28日のいずれか早い日までに: by that day at the latest)
    r"(?:末)?(?:(?:のいずれか早い日)?まで(?:に)?|を目[途処]に?|を期限(?:として|とし|に))?"
    # a fiscal year printed as FY2026
    r"|(?<![A-Za-z])FY\d{4}(?![0-9年])(?:[~〜～\-]FY\d{4}(?![0-9年]))?(?:末|中)?(?:まで(?:に)?|(?:以降|以後)|から|中に|に)?"
    # a calendar year as the limit or span, or a season of it (令和7年までに, 令和5年中, 令和5年夏)
    rf"|(?:{_ERA}{_N}年|\d{{4}}年)(?!度)(?:\((?:\d{{4}}|{_ERA}{_N})年\))?(?:中(?![央間長小期心核堅立継])|内(?=[にでをの]|まで)(?:まで(?:に)?)?"
    r"|末まで(?:に)?|末を目[途処]に?|末(?!時点|現在|の時点)(?:に)?|(?:頃|ごろ)?まで(?:に)?|を目[途処]に?"
    r"|(?:以降|以後)|の?(?:春|夏|秋|冬)(?!季)(?:頃|ごろ)?(?:まで(?:に)?|(?:以降|以後))?"
    # the year in which something is done (2025年に設置する), not one a noun is of (…年における, …年に向けた)
    r"|に(?![はもおか係つ関よ向入な]))"
    rf"|(?:翌日から起算して|から)?(?<![和成治正])(?:\d{{1,3}}|[{_K}]{{1,3}})(?:日|週間|か月|箇月|ヶ月|月|年)以内"
    rf"|{_LENGTH_AHEAD.pattern}|{_KEPT_FOR.pattern}"
    rf"|{_BEFORE.pattern}(?:に)?"
    r"|速やかに|直ちに|早急に|遅滞なく|迅速(?:かつ(?:確実|適正|的確))?に|平素から|日頃から|" + _EARLY +
    # a prompt act named as a noun: 支援金の迅速な支給を図る
    r"|迅速な(?=[^、。]{1,12}?を(?:図|行|実施|進|確保))"
    r"|(?:当該|その|同)[^\s、。()0-9]{0,12}?(?:日|期日)(?:又はその翌日)?(?:\([^()]{0,40}\))?までに"
    rf"|(?:{_STATUTE_EVENT.pattern})(?:を目途として)?|{_BEFOREHAND.pattern}|{_CAMPAIGN.pattern}"
    rf"|{_EVENT_TIED.pattern}"
)


def find_deadlines(text: str) -> list[tuple[int, int, Deadline]]:
    """Inline deadline expressions with their offsets in ``text``.

    >>> [(a, b, d.kind) for a, b, d in find_deadlines("令和9年度中に結論を得る。")]
    [(0, 7, 'fiscal_year')]
    >>> [(d.kind, d.start, d.end) for _, _, d in find_deadlines("この省令は、令和三年四月一日から施行する。")]
    [('date', '2021-04-01', '2021-04-01')]
    >>> [(d.kind, d.event) for _, _, d in find_deadlines("この省令は、公布の日から施行する。")]
    [('relative', '公布の日')]
    """
    out = []
    for m in _INLINE.finditer(text):
        a, b = m.span()
        if a < b:
            d = normalise(text[a:b])
            if (d.kind == "ongoing" and d.start and text[b - 2 : b] == "から" and _IN_FORCE.match(text, b)
                    and _LAW_ITSELF.search(text[:a])):
                d = replace(d, kind="date", end=d.start)  # この省令は、令和3年4月1日から施行する: the day it takes effect
            out.append((a, b, d))
    return out


# a statute, order or notice taking effect (…から施行する, …から適用する): on that day, not from then on
_IN_FORCE = re.compile(r"\s*(?:施行|適用)(?:する|し|される|され)")
# how a law or an order speaks of itself as the topic (この省令は、), and a sentence that is its
# own provision on when it takes effect, not a notice that mentions another law's day
# (…が令和7年10月1日から施行されるので、…をお願いする)
LAW_ITSELF = r"(?:この|本)(?:法律|政令|省令|府令|規則|条例|告示)は、"
_LAW_ITSELF = re.compile(LAW_ITSELF + r"[^。]*$")
