"""Tables in a document's text: rows of tab-separated cells, as the readers give them
(an HTML ``<tr>``, a DOCX table row, a ruled table of a PDF page).

A table row is a unit of its own (annotation.md: "the smallest numbered or bulleted item,
table cell or sentence that carries one commitment").  Its header row says what each
column holds, which the row's text alone does not:

* a **time column** (見直し完了時期, 実施期限, スケジュール, 目途): the row's deadline is
  read from that cell, not from dates elsewhere in the row (a report's 令和5年3月、…を
  改正した);
* a **fiscal-year column** (令和7年度, 2025年度, R7): a roadmap's item in that column is
  due in that fiscal year when it prints no date of its own; a row marked in several
  such columns (○, →, ━) runs from the first to the last;
* an **actor column** (所管省庁, 実施主体, 担当府省): the agencies named in it act in the
  row's measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policygraph.core.records import Deadline
from policygraph.ingest.extract.deadlines import era_to_western, numeral
from policygraph.ingest.normalise import compact

_TIME_HEADER = re.compile(r"(?:時期|期限|期日|スケジュール|目途|目処|予定|年度|時点)$")
_ACTOR_HEADER = re.compile(r"主体|担当|所管|府省|省庁|実施者|実施機関|責任部局|関係機関|取組機関")
_FY_HEADER = re.compile(r"^(?:(令和|平成)([0-9元]{1,2}|[一二三四五六七八九十]{1,3})年度?|(20[0-9]{2})年度?|[RＲ]([0-9]{1,2})(?:年度)?|FY(20[0-9]{2}))"
                        r"(?:\(.{0,12}\))?(?:以降)?$")
_MARK = re.compile(r"^[○〇●◎◯△▲▶▷→⇒➡━─―-]+$")
_MILESTONE = re.compile(r"^[●◎★]")  # a roadmap's milestone (●：実施・開始時期)
_CARRIED_ON = re.compile(r"[→⇒➡━─―\-]+")  # an arrow that carries a row on


@dataclass(frozen=True)
class Row:
    """One row of a table: its line, its cells' spans and the headers of their columns."""

    start: int
    end: int
    cells: tuple[tuple[int, int], ...]
    headers: tuple[str, ...]  # the header of each cell's column ("" where there is none)


def _cells(text: str, a: int, b: int) -> tuple[tuple[int, int], ...]:
    out = []
    x = a
    for part in text[a:b].split("\t"):
        out.append((x, x + len(part)))
        x += len(part) + 1
    return tuple(out)


def is_row(line: str) -> bool:
    """A line of tab-separated cells, two of them or more with text."""
    return "\t" in line and sum(1 for c in line.split("\t") if c.strip()) >= 2


def _is_header(cells: list[str]) -> bool:
    """A header row: short labels, no sentence, no cell that is only a mark or a number
    (a label's note is not the label: 実施時期※「令和７年度中」とあるものは試行を含む。)."""
    raw = [c for c in cells if c]
    filled = sorted((_label(c) for c in raw), key=len)
    return (len(filled) >= 2 and len(filled[len(filled) // 2]) <= 20 and not any(_sentence(c) for c in raw)
            and not any(_MARK.match(c) or c.isdigit() for c in filled))


def _sentence(cell: str) -> bool:
    """A cell that states something: it ends in a full stop, unless only its note does and
    what comes before the note is a label (実施時期※…を含む。; not 改修する※詳細は別紙。)."""
    if not cell.endswith("。"):
        return False
    before = cell.split("※", 1)[0].strip()
    return before == cell or before.endswith("。") or re.search(r"[をがは]|(?:する|した|します|される)$", before) is not None


def rows(text: str, a: int, b: int) -> list[Row]:
    r"""The table rows of ``text[a:b]`` (a header row is not one), each with its columns'
    headers.  A table's first row of two cells or more is its header when it reads as
    labels; a table whose first row repeats an earlier header (a PDF table over several
    pages), or has no header of its own, takes the earlier one where its columns fit.  A
    row with one cell of text (a group's label, an item over merged cells) is a row too:
    what it says is nowhere else.  A table of contents (…の推進\t12) has no rows.

    >>> t = "表1\t\n項目\t担当\n窓口の設置\t総務省\n長い項目の本文を記載すること。\t\n目次\nア\t推進\t3\nイ\t強化\t5"
    >>> [(t[r.start:r.end], r.headers) for r in rows(t, 0, len(t))]
    [('表1\t', ('', '')), ('窓口の設置\t総務省', ('項目', '担当')), ('長い項目の本文を記載すること。\t', ('', ''))]
    """
    out: list[Row] = []
    headers: tuple[str, ...] = ()
    table: list[tuple[int, int, tuple[tuple[int, int], ...], tuple[str, ...]]] = []

    def flush() -> None:
        nonlocal headers
        if _contents([values for *_, values in table]):
            table.clear()
            return
        first = True
        under_header = False  # the row before was the header
        for start, end, cells, values in table:
            cols: tuple[str, ...] = ("",) * len(cells)
            if under_header and _header_notes(values, headers):
                headers = _with_notes(headers, values)  # a header of two lines: 目標値 over （2019年度）
                under_header = False
                continue
            under_header = False
            if sum(1 for v in values if v) >= 2:
                if values == headers or (first and _is_header(list(values))):
                    headers, first, under_header = values, False, True
                    continue
                first = False
                # a row's empty cells at its end may be cut (HTML): the headers of its first columns
                if len(cells) <= len(headers):
                    cols = _snapped(headers[: len(cells)], values)
            out.append(Row(start, end, cells, cols))
        table.clear()

    pos = a
    for line in text[a:b].split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if "\t" not in line:
            if line.strip():  # blank lines between rows (HTML) stay inside the table
                flush()
            continue
        cells = _cells(text, start, end)
        values = tuple(compact(text[x:y]) for x, y in cells)
        if any(values):
            table.append((start, end, cells, values))
    flush()
    return out


def _snapped(cols: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, ...]:
    """Column headers for a row's cells, a cell with text under no header taking the header
    beside it whose own cell in the row is empty (a PDF's header cell drawn one grid line
    off its column: 項目 over the cell right of the item's).

    >>> _snapped(("", "", "項目", "", "期限"), ("(1)", "刷新", "", "令和3年末", ""))
    ('', '項目', '', '期限', '')
    """
    out = list(cols)
    for i, v in enumerate(values):
        if not v or cols[i]:
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(cols) and cols[j] and not values[j] and cols[j] not in out[:i]:
                out[i], out[j] = cols[j], ""
                break
    return tuple(out)


_NOTE_CELL = re.compile(r"^[(（][^()（）]{1,30}[)）]$")


def _header_notes(values: tuple[str, ...], headers: tuple[str, ...]) -> bool:
    """A header's second line: as many filled cells as the header has, each a note in
    parentheses (（ＫＰＩ） （2014年度） （2019年度） under 重要業績評価指標 現状値 目標値)."""
    filled = [v for v in values if v]
    return len(filled) >= 2 and len(filled) == sum(1 for h in headers if h) and all(_NOTE_CELL.match(v) for v in filled)


def _with_notes(headers: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, ...]:
    """The header's labels with the notes of its second line, in order (a PDF's merged
    cells may put a label and its note in neighbouring columns)."""
    notes = iter(v for v in values if v)
    return tuple(h + next(notes) if h else h for h in headers)


def target_row(row: Row, text: str) -> str | None:
    """The header of the target column of a row of a table of targets (重要業績評価指標 │ 現状値 │
    目標値（2019年度））, when the row sets one (a figure, or － for none yet), else None: each
    target is a commitment of the plan (a KPI row is a measure)."""
    target = next((h for h in row.headers if re.match(r"(?:数値)?目標(?:値|水準)?(?:[(（]|$)", _label(h) or h)), None)
    filled = [v for x, y in row.cells if (v := compact(text[x:y]))]
    if target is None or len(filled) < 2 or all(_NOTE_CELL.match(v) for v in filled):
        return None
    return target if any(re.search(r"[0-9０-９]", v) for v in filled[1:]) else None


# a cell of a table dumped as text: a run of words apart from the next by a wide space (a
# full-width space, or two spaces and more); in a table whose header is spaced by single
# spaces (取組 主体 時期), a run of non-spaces
_TEXT_CELL = re.compile(r"[^\u3000\s](?:[^\u3000\s]| (?=[^\u3000\s]))*")
_TEXT_CELL_NARROW = re.compile(r"[^\u3000\s]+")


def _known_header(cell: str) -> bool:
    """A header that says what its column holds: a fiscal year, a time, who acts."""
    label = _label(cell)
    return column_fiscal_year(cell) is not None or bool(_TIME_HEADER.search(label) or _ACTOR_HEADER.search(label))


def text_tables(text: str) -> list[tuple[int, int, tuple[str, ...], bool]]:
    r"""Tables a PDF's text layer dumps as lines: a header line of short labels apart by
    spaces, two of them fiscal-year columns (取組事項　担当　令和7年度　令和8年度) or a column
    of who acts and one of when (取組 主体 時期), and the lines under it down to the first
    line of prose, a note or a label, as (start, end, headers, narrow: cells apart by single
    spaces).

    >>> t = "前文。\n取組事項　担当　令和7年度　令和8年度\n(1)計画の策定　農産局　検討　●策定\n\n後文。"
    >>> [(t[a:b], h, n) for a, b, h, n in text_tables(t)]
    [('(1)計画の策定\u3000農産局\u3000検討\u3000●策定\n\n', ('取組事項', '担当', '令和7年度', '令和8年度'), False)]
    >>> t = "取組 主体 時期\n①案内板の整備 市町村 随時\n※　注記。"
    >>> [(t[a:b], h, n) for a, b, h, n in text_tables(t)]
    [('①案内板の整備 市町村 随時\n', ('取組', '主体', '時期'), True)]
    """
    out = []
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if "\t" in line or "。" in line:
            continue
        narrow = "\u3000" not in line.strip() and "  " not in line.strip()
        cells = [m.group() for m in (_TEXT_CELL_NARROW if narrow else _TEXT_CELL).finditer(line)]
        if not 3 <= len(cells) <= 12 or any(len(c) > 20 for c in cells):
            continue
        years = sum(column_fiscal_year(c) is not None for c in cells)
        roles = [_label(c) for c in cells if column_fiscal_year(c) is None]
        if years >= 2 or (any(_ACTOR_HEADER.search(c) for c in roles) and any(_TIME_HEADER.search(c) for c in roles)):
            # (down to the first line of prose, a note or a label under it: blank lines and
            # group headings stay inside)
            end = next((m.start() for m in _AFTER_TABLE.finditer(text, pos)), len(text))
            out.append((min(pos, len(text)), end, tuple(cells), narrow))
    return out


_AFTER_TABLE = re.compile(r"(?m)^[ \u3000]*(?:[【※■◆]|[(（]?注[0-9)）:：]|[^\n]*。[ \u3000]*$)")


def text_row(text: str, a: int, headers: tuple[str, ...], narrow: bool = False) -> Row | None:
    r"""The line at ``a`` of a table dumped as text as a row under ``headers``: its cells
    left to right (a dump drops a row's empty cells at its end), three of them or more
    (an item, who does it, when), no more than the header has, the last under a column
    that says when or who.

    >>> t = "(2)品目別の栽培体系　技術会議事務局　品目別に検討　●策定・公表\n　マニュアルの策定"
    >>> r = text_row(t, 0, ("取組事項", "担当", "令和7年度", "令和8年度", "令和9年度"))
    >>> [(t[x:y], h) for (x, y), h in zip(r.cells, r.headers)]
    [('(2)品目別の栽培体系', '取組事項'), ('技術会議事務局', '担当'), ('品目別に検討', '令和7年度'), ('●策定・公表', '令和8年度')]
    """
    end = text.find("\n", a)
    end = len(text) if end < 0 else end
    cells = tuple(m.span() for m in (_TEXT_CELL_NARROW if narrow else _TEXT_CELL).finditer(text, a, end))
    if not 3 <= len(cells) <= len(headers) or not _known_header(headers[len(cells) - 1]):
        return None
    return Row(a, end, cells, headers[: len(cells)])


def _contents(table: list[tuple[str, ...]]) -> bool:
    r"""Rows that end in a page number (ア\t…の推進\t12): most of a table's, two or more."""
    multi = [[v for v in values if v] for values in table if sum(1 for v in values if v) >= 2]
    paged = [f for f in multi if len(f) <= 3 and f[-1].isdigit() and len(f[-1]) <= 3]
    return len(paged) >= 2 and len(paged) >= 0.8 * len(multi)


def blocks(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The spans of ``text[a:b]`` made of table lines (header rows included): runs of
    lines with a tab (blank lines between them too), which start with a row of two cells
    or more."""
    out: list[tuple[int, int]] = []
    pos = a
    cur: list[int] | None = None
    for line in text[a:b].split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if "\t" in line and (cur is not None or is_row(line)):
            if cur is None:
                cur = [start, end]
            else:
                cur[1] = end
        elif cur is not None and line.strip():  # blank lines between rows stay inside
            out.append((cur[0], cur[1]))
            cur = None
    if cur is not None:
        out.append((cur[0], cur[1]))
    return out


def column_fiscal_year(header: str) -> tuple[int, bool] | None:
    """The fiscal year a column's header names, and whether it runs on (以降).

    >>> column_fiscal_year("令和7年度"), column_fiscal_year("2026年度以降"), column_fiscal_year("R8")
    ((2025, False), (2026, True), (2026, False))
    >>> column_fiscal_year("見直し完了時期") is None
    True
    """
    m = _FY_HEADER.match(header)
    if not m:
        return None
    if m.group(1):
        year = era_to_western(m.group(1), numeral(m.group(2)))
    elif m.group(3):
        year = int(m.group(3))
    elif m.group(4):
        year = era_to_western("令和", int(m.group(4)))
    else:
        year = int(m.group(5))
    return year, header.endswith("以降")


def _label(header: str) -> str:
    """A header without its notes: 見直しの状況（※「未了」のものは…時期を設定） → 見直しの状況."""
    return re.sub(r"[(（][^()（）]*[)）]|※.*$", "", header)


def time_cells(row: Row) -> list[tuple[int, int]]:
    """The cells of the row's time columns that have text."""
    return [c for c, h in zip(row.cells, row.headers, strict=True)
            if h and _TIME_HEADER.search(_label(h)) and column_fiscal_year(h) is None and c[1] > c[0]]


_DUE_HEADER = re.compile(r"期限|期日|締切|締め切り|まで$")


def due_cells(row: Row) -> list[tuple[int, int]]:
    """The time cells of columns that say when a row falls due (期限), not when it happens
    (実施時期): a season or a year in one is the end it is due by."""
    times = time_cells(row)
    return [c for c, h in zip(row.cells, row.headers, strict=True) if c in times and _DUE_HEADER.search(_label(h))]


def actor_cells(row: Row) -> list[tuple[int, int]]:
    return [c for c, h in zip(row.cells, row.headers, strict=True) if h and _ACTOR_HEADER.search(_label(h))]


# a cell that only holds a dash (―, －): nothing in that column
_PLACEHOLDER = re.compile(r"[\s―－\-‐ー—–]*")


def column_deadline(header: str) -> Deadline | None:
    """The deadline of an item in a fiscal-year column: that year, or ongoing from it (以降).

    >>> [(d.kind, d.start, d.end) for d in (column_deadline("令和7年度"), column_deadline("令和9年度以降"))]
    [('fiscal_year', '2025-04-01', '2026-03-31'), ('ongoing', '2027-04-01', None)]
    """
    fy = column_fiscal_year(header)
    if fy is None:
        return None
    year, runs_on = fy
    if runs_on:
        return Deadline(header, "ongoing", f"{year}-04-01", None)
    return Deadline(header, "fiscal_year", f"{year}-04-01", f"{year + 1}-03-31")


def year_items(row: Row, text: str) -> list[tuple[int, int, str]]:
    """The items a roadmap row prints in its fiscal-year columns, each with its column's
    header: cells that say what is done that year (中小河川における洪水浸水想定区域図の作成),
    not a mark (○, ―, →) or a word that carries the row on (継続, 順次拡大)."""
    return [(x, y, h) for (x, y), h in zip(row.cells, row.headers, strict=True)
            if h and column_fiscal_year(h) and len(re.findall(r"\w", text[x:y])) >= _ITEM_CHARS]


_ITEM_CHARS = 8  # the shortest cell that is an item of its own


def fiscal_year_deadline(row: Row, text: str) -> Deadline | None:
    """A roadmap row's deadline from the fiscal-year columns it fills (when it prints no
    date of its own): one column → that fiscal year; several → the period they span; a
    column that runs on (令和9年度以降) → ongoing from its 1 April."""
    years: list[tuple[int, bool, str]] = []
    marks: list[str] = []
    for (x, y), h in zip(row.cells, row.headers, strict=True):
        fy = column_fiscal_year(h) if h else None
        if fy and not _PLACEHOLDER.fullmatch(text[x:y]):
            years.append((*fy, h))
            marks.append(compact(text[x:y]))
    if not years:
        return None
    milestones = [i for i, m in enumerate(marks) if _MILESTONE.match(m)]
    if milestones:
        # a milestone mark (●：実施・開始時期) is when the row is due: the years before it
        # prepare it, arrows after it carry it on (→：継続実施)
        i = milestones[-1]
        year, runs_on, header = years[i]
        if runs_on or any(_CARRIED_ON.fullmatch(m) for m in marks[i + 1 :]):
            return Deadline(header, "ongoing", f"{year}-04-01", None)
        if i + 1 < len(years):
            last = years[-1]
            return Deadline(f"{header}〜{last[2]}", "period", f"{year}-04-01", f"{last[0] + 1}-03-31")
        return Deadline(header, "fiscal_year", f"{year}-04-01", f"{year + 1}-03-31")
    first, last = years[0], years[-1]
    label = first[2] if len(years) == 1 else f"{first[2]}〜{last[2]}"
    if last[1]:
        return Deadline(label, "ongoing", f"{first[0]}-04-01", None)
    if len(years) == 1:
        return Deadline(label, "fiscal_year", f"{first[0]}-04-01", f"{first[0] + 1}-03-31")
    return Deadline(label, "period", f"{first[0]}-04-01", f"{last[0] + 1}-03-31")
