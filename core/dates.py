"""Dates a person types for a window's ends: ISO dates, and the Japanese ways of naming a
year.  ``from`` takes the first day of what is named, ``to`` the last.

=================================  ==========================  ==========================
typed                              from                        to
=================================  ==========================  ==========================
2026-04-01                         2026-04-01                  2026-04-01
2026-04, 2026年4月, 令和8年4月         2026-04-01                  2026-04-30
令和8年度, R8, R8年度, FY2026, 2026年度  2026-04-01 (fiscal year)    2027-03-31
令和8年, 2026年, 2026                  2026-01-01 (calendar year)  2026-12-31
=================================  ==========================  ==========================

令和元年 is 令和1年; 平成 years are accepted too (平成31年度 = FY2019).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from typing import Literal

from policygraph.core.errors import BadInput

Side = Literal["from", "to"]
ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_ERA = r"(?P<era>令和|平成|R|H)(?P<ey>元|[0-9]{1,2})"
FISCAL = re.compile(rf"(?:{_ERA}年?度|FY(?P<fy>[0-9]{{4}})|(?P<wy>[0-9]{{4}})年度|{_ERA.replace('era', 'era2').replace('ey', 'ey2')})")
MONTH = re.compile(rf"(?:(?P<y>[0-9]{{4}})[-/年](?P<m>[0-9]{{1,2}})月?|{_ERA}年(?P<em>[0-9]{{1,2}})月)")
YEAR = re.compile(rf"(?:(?P<y>[0-9]{{4}})年?|{_ERA}年)")


def parse_bound(value: str | None, side: Side) -> str | None:
    """The ISO date ``value`` names for the ``from`` or ``to`` end of a window.

    >>> parse_bound("令和8年度", "from"), parse_bound("R8", "to"), parse_bound("FY2026", "to")
    ('2026-04-01', '2027-03-31', '2027-03-31')
    >>> parse_bound("2026年度", "from"), parse_bound("令和元年度", "from"), parse_bound("2026-05", "to")
    ('2026-04-01', '2019-04-01', '2026-05-31')
    >>> parse_bound("令和8年", "to"), parse_bound("2026-04-01", "to"), parse_bound("", "to") is None
    ('2026-12-31', '2026-04-01', True)
    """
    if value is None or not value.strip():
        return None
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    m = FISCAL.fullmatch(text)
    if m:
        fy = _fiscal_year(m)
        return f"{fy}-04-01" if side == "from" else f"{fy + 1}-03-31"
    m = MONTH.fullmatch(text)
    if m:
        y = int(m["y"]) if m["y"] else _era_year(m["era"], m["ey"])
        mo = int(m["m"] or m["em"])
        if 1 <= mo <= 12:
            last = calendar.monthrange(y, mo)[1]
            return f"{y:04d}-{mo:02d}-01" if side == "from" else f"{y:04d}-{mo:02d}-{last:02d}"
    m = YEAR.fullmatch(text)
    if m:
        y = int(m["y"]) if m["y"] else _era_year(m["era"], m["ey"])
        return f"{y:04d}-01-01" if side == "from" else f"{y:04d}-12-31"
    raise BadInput(f"not a date: {value!r} (an ISO date such as 2026-04-01, or 令和8年度, R8, FY2026, 2026年度, "
                   "2026年4月, 令和8年)")


def _era_year(era: str, ey: str) -> int:
    return ERAS[era] + (1 if ey == "元" else int(ey))


def _fiscal_year(m: re.Match[str]) -> int:
    if m["fy"]:
        return int(m["fy"])
    if m["wy"]:
        return int(m["wy"])
    if m["era"]:
        return _era_year(m["era"], m["ey"])
    return _era_year(m["era2"], m["ey2"])
