"""PDF text layer (pypdf): running headers/footers and page numbers removed, pages kept.

A page with a ruled table (pdfplumber's ``find_tables``) is read with pdfplumber instead:
the text above, between and below its tables as on the page, and each table row as one
line of tab-separated cells (a cell's own line breaks joined), as the HTML and DOCX
readers give their tables.  A roadmap's or a list's columns (所管省庁, 見直し完了時期,
令和7年度) stay with their cells, where pypdf's text layer interleaves them.

A page whose pypdf text holds characters of scripts a Japanese document does not use
(Sinhala, Armenian, Thai… : a custom-encoded font decoded by the wrong table, as in
headings set in a display face), or labels printed two to four times over to look bold
(地地震震前前, or spaced: 指標 指標 指標 指標), is read with pdfplumber too (``dedupe_chars``),
and its reading is kept when it holds about as many characters as the page read once
(0.7 to 1.1 times) and at most half as much of that noise."""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from policygraph.core.errors import EmptyDocument, IngestError

# a bullet drawn from a symbol font (Wingdings' l, §) comes out of the text layer as a
# private-use character: it is a list item's bullet (・), as printed
_SYMBOL_BULLET = re.compile(r"^([ \u3000]*)[\ue000-\uf8ff](?=[ \u3000]|\S)")
# scripts that do not occur in Japanese administrative text, but do in a text layer decoded
# through the wrong table (Greek and Cyrillic letters are left out: formulas use them)
_GARBLED = re.compile(r"[\u0530-\u05ff\u0600-\u06ff\u0700-\u0dff\u0e00-\u0fff\u10a0-\u10ff\u1100-\u11ff"
                      r"\u1200-\u139f\u16a0-\u18af]")
# a run of characters each printed two to four times (地地震震前前, 重重重重要要要要): a label
# overprinted to look bold, which pdfplumber's dedupe_chars reads once
_DOUBLED = re.compile(r"(?:([^\s\d])\1{1,3}(?!\1)){3,}")
# the same overprint where the text layer gives the copies one after another: a phrase
# three or more times in a row (具体的な施策具体的な施策具体的な施策, 2019201920192019,
# ４０ ４０ ４０ ４０人（ 人（ 人（ 人（)
_REPEATED = re.compile(r"(\S{2,30}?)(?:[ \u3000]*\1){2,}")
_WORDY = re.compile(r"[\u3041-\u30fa\u4e00-\u9fffA-Za-z]")  # (not a dot leader or a rule: ・・・・, ――――)
# text set vertically (a chapter's side tab), one character a line: one line
_VERTICAL = re.compile(r"(?m)(?:^\S(?:\n|\Z)){4,}")
_PAGE_NO = re.compile(r"^\s*[-－ー―‐(（]?\s*[0-9０-９]{1,4}\s*(?:/\s*[0-9]{1,4})?\s*[-－ー―‐)）]?\s*$")


def read_pdf(data: bytes, name: str, max_chars: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    from policygraph.ingest.readers import too_many_chars

    pages: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF", source=name)
        size = 0
        for pdf_page in reader.pages:  # stops once the text is over the limit
            # a tab in the text layer is a tab stop the layout program set (\t第1章\t概要), not
            # a table's cell: tables are pdfplumber's (:func:`_pdfplumber_pages`)
            pages.append((pdf_page.extract_text() or "").replace("\t", " "))
            size += len(pages[-1])
            if size > max_chars:
                raise too_many_chars(name, max_chars)
    except IngestError:
        raise
    except LimitReachedError as e:  # pypdf's guard against decompression bombs and loops
        raise IngestError(f"PDF over pypdf's safety limits ({_short(e)})", source=name) from e
    except Exception as e:  # noqa: BLE001 - "broken PDF files might cause other Exceptions" (pypdf)
        raise IngestError(f"corrupt or truncated PDF ({type(e).__name__}: {_short(e)})", source=name) from e
    if not any(p.strip() for p in pages):
        raise EmptyDocument("no text layer; OCR is not supported", source=name)
    for i, better in _pdfplumber_pages(data, pages):
        pages[i] = better
    repeated = _running(pages)
    kept = [[_SYMBOL_BULLET.sub(r"\1・", _once_if_twice(ln)) for ln in page.split("\n")
             if not _PAGE_NO.match(ln) and _key(ln) not in repeated and not _SLUG.search(ln) and not _tab_noise(ln)]
            for page in pages]
    for i in range(len(kept) - 2, -1, -1):  # (from the end: each page's own notes are found before it gets any)
        kept[i], kept[i + 1] = after_the_sentence(kept[i], kept[i + 1])
    out: list[str] = []
    starts: list[tuple[int, int]] = []
    pos = 0
    for i, lines in enumerate(kept, 1):
        chunk = "\n".join(lines).strip(" \n\r\u3000") + "\n\n"  # not a tab: a table row's empty first cell
        starts.append((i, pos))
        out.append(chunk)
        pos += len(chunk)
    return "".join(out), tuple(starts)


# a footnote's first line at a page's foot: its number, a space, its text (153 防衛省が…)
_NOTE = re.compile(r"^[ \u3000]*([0-9]{1,3})[ \u3000]+(?=\S)")
# the reference to footnote N in the page's text: N right after a word (…強化法153を, 方針」152に),
# not a count, a date or a number (第3, 令和7年1月, 153件, 3.5)
_NOTE_REF = r"(?<=[\u3041-\u30ff\u4e00-\u9fff」』）)〕\]A-Za-zＡ-Ｚａ-ｚ])(?<!第){n}(?![0-9０-９.．,，年月日号条項頁%％人件回円万億か倍者社])"
_SENTENCE_END = re.compile(r"[。．！？」』）)]\s*$")  # (a page's last line that ends its sentence)


def after_the_sentence(page: list[str], following: list[str]) -> tuple[list[str], list[str]]:
    """A page's footnotes (146 令和７年２月７日の…, 147 …: numbered one after another at
    the page's foot, each number referred to in the page's text) printed where a sentence
    runs on to the next page are moved after that sentence's end on the next page: the
    sentence is read whole, without the notes inside it (where they gave the measure their
    dates and names).  Notes under a page that ends its sentence stay where they are.

    >>> page = ["防衛生産基盤強化法153を執行し、", "研究開発、", " ", "153 防衛省が調達する装備品等の", "法律（令和５年法律第54号）。"]
    >>> a, b = after_the_sentence(page, ["を推進する。次の", "文。"])
    >>> a, b
    (['防衛生産基盤強化法153を執行し、', '研究開発、', ' '], ['を推進する。', '', '153 防衛省が調達する装備品等の', '法律（令和５年法律第54号）。', '', '次の', '文。'])
    """
    first = _notes_start(page)
    if first is None:
        return page, following
    body = [ln for ln in page[:first] if ln.strip()]
    if not body or _SENTENCE_END.search(body[-1]):
        return page, following
    end = next((j for j, ln in enumerate(following[:12]) if "。" in ln), None)
    if end is None:
        return page, following
    cut = following[end].index("。") + 1  # (a line runs on past the sentence's end: cut there)
    rest = [following[end][cut:]] if following[end][cut:].strip() else []
    notes = ["", *(ln for ln in page[first:] if ln.strip()), ""]  # (a paragraph of their own)
    return page[:first], [*following[:end], following[end][:cut], *notes, *rest, *following[end + 1 :]]


def _notes_start(lines: list[str]) -> int | None:
    """Where a page's block of footnotes begins: a run of lines to the page's end whose
    numbered lines count up by one, each number referred to in the text above the block."""
    numbered = [(j, int(m.group(1))) for j, ln in enumerate(lines) if (m := _NOTE.match(ln))]
    start = None
    for k in range(len(numbered) - 1, -1, -1):  # the longest run of consecutive numbers ending the page
        if k + 1 < len(numbered) and numbered[k + 1][1] != numbered[k][1] + 1:
            break
        start = k
    if start is None:
        return None
    at = numbered[start][0]
    body = "\n".join(lines[:at])
    if not all(re.search(_NOTE_REF.format(n=n), body) for _, n in numbered[start:]):
        return None
    return at


def _pdfplumber_pages(data: bytes, pages: list[str]) -> list[tuple[int, str]]:
    """The pages (index, text) pdfplumber reads better than pypdf: those with a ruled
    table of 2 rows and 2 columns or more, read with their tables as tab-separated rows,
    and those whose pypdf text is garbled (:func:`_cleaner`).  A page keeps its pypdf
    text when pdfplumber cannot read it, or when the tabled text does not hold the same
    characters as pypdf's (:func:`_same_text`: a table drawn over a figure, a page box
    pdfplumber crops differently): the tables are a refinement, never a loss."""
    import pdfplumber

    out: list[tuple[int, str]] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        listed = list(pdf.pages[: len(pages)])  # parses the page tree: may fail on its own
    except Exception:  # noqa: BLE001 - pypdf read it; the tables are a refinement
        return out
    with pdf:
        for i, page in enumerate(listed):
            try:
                base, src = pages[i], page
                better: str | None = None
                if _GARBLED.search(base) or _DOUBLED.search(base) or _repeats(base):
                    deduped = page.dedupe_chars()
                    flowed = deduped.extract_text(use_text_flow=True) or ""
                    if _cleaner(base, flowed):
                        base, src = _VERTICAL.sub(lambda m: "".join(m.group().split()) + "\n", flowed), deduped
                        better = base
                tables = [t for t in src.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
                if tables:
                    text = _page_with_tables(src, tables)
                    if _same_text(base, text):
                        better = text
                if better is not None:
                    out.append((i, better))
            except Exception:  # noqa: BLE001 - one odd page keeps its pypdf text
                continue
            finally:
                page.close()  # pdfplumber caches each page's layout objects
    return out


def _cleaner(plain: str, other: str) -> bool:
    """``other`` reads the page with at most half of ``plain``'s garbled characters,
    overprinted runs and repeated phrases, and with about as many characters: at most 10 %
    more than ``plain``, and at most 30 % fewer than ``plain`` read once where it is
    overprinted (:func:`_once`; what the overprint added that the runs undercount: digits,
    short runs).

    >>> _cleaner("重重重重要要要要業業業業績績績績 人数 人数 人数 人数 指標です", "重要業績 人数 指標です")
    True
    >>> _cleaner("地震前の状況について", "地震前")  # a reading that loses text
    False
    """
    def noise(t: str) -> int:
        return (len(_GARBLED.findall(t)) + sum(len(m.group()) for m in _DOUBLED.finditer(t))
                + sum(len(m.group()) for m in _repeats(t)))

    n, m = len("".join(plain.split())), len("".join(other.split()))
    once = len("".join(_once(plain).split()))
    return noise(other) * 2 <= noise(plain) and 0.7 * once <= m <= 1.1 * n


def _once(text: str) -> str:
    """``text`` with its overprinted runs and repeated phrases read once (an estimate of
    what a clean reading holds)."""
    text = _DOUBLED.sub(lambda m: re.sub(r"([^\s\d])\1{1,3}", r"\1", m.group()), text)
    for m in reversed(_repeats(text)):
        text = text[: m.start()] + m.group(1) + text[m.end() :]
    return text


def _repeats(text: str) -> list[re.Match[str]]:
    """The phrases of words printed three or more times in a row (:data:`_REPEATED`)."""
    return [m for m in _REPEATED.finditer(text) if _WORDY.search(m.group(1))]


def _same_text(plain: str, tabled: str) -> bool:
    """The tabled reading holds pypdf's characters, within 2 % missing and 3 % extra
    (the → of the bars it read are not extra: :func:`_under_bar`)."""
    a, b = Counter(plain) - _SPACE, Counter(tabled) - _SPACE
    b[BAR] = min(b[BAR], a[BAR])
    n = max(sum(a.values()), 1)
    return sum((a - b).values()) <= 0.02 * n and sum((b - a).values()) <= 0.03 * n


_SPACE = Counter(dict.fromkeys(" \t\n\r\u3000", 10 ** 9))
BAR = "→"  # an empty cell a roadmap's bar runs through (a year the item runs over)


def _page_with_tables(page: Any, tables: list[Any]) -> str:
    """The page top to bottom: the text outside the tables in bands between them (text
    beside a table comes before its rows), each table's rows.  Bands are cut from the
    page's own box, which need not start at (0, 0)."""
    x0, top, x1, bottom = page.bbox
    boxes = [t.bbox for t in tables]
    outside = page.filter(lambda o: not any(_inside(o, box) for box in boxes))
    parts: list[str] = []
    for t in sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0])):
        _tx0, t_top, _tx1, t_bottom = t.bbox
        parts.append(_band(outside, (x0, top, x1, t_top)))
        parts.append(_band(outside, (x0, max(top, t_top), x1, t_bottom)))  # beside the table
        parts.append("\n".join(row for row in _rows(page, t) if row.strip("\t \n")))
        top = max(top, t_bottom)
    parts.append(_band(outside, (x0, top, x1, bottom)))
    return "\n".join(p for p in parts if p.strip())


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    """A character or graphic object whose centre is inside the box."""
    if "x0" not in obj or "top" not in obj:
        return False
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return bool(box[0] <= cx <= box[2] and box[1] <= cy <= box[3])


def _band(page: Any, box: tuple[float, float, float, float]) -> str:
    if box[3] - box[1] < 1:
        return ""
    # in the order of the page's content stream, as pypdf reads it: pdfplumber's default
    # reads each line across the whole width, which interleaves the lines of two columns
    return page.crop(box, strict=False).extract_text(use_text_flow=True) or ""


def _rows(page: Any, table: Any) -> list[str]:
    """The table's rows as lines of tab-separated cells, as pdfplumber reads its cells,
    except where a line of text runs on across a cell's edge (a roadmap's item printed
    over the grid of its year columns, a caption over two cells): the cells it crosses
    are read as one, so its lines are not cut at the edge and interleaved.  Where such
    merged cells hold several lines over most of the row, the grid is drawn behind the
    text, not around it: each of those lines is a row of its own, in its group's first
    column, with the bars at its height (each other cell of the row a line of its own).
    An empty cell a bar runs through reads :data:`BAR`."""
    out: list[str] = []
    chars = page.chars
    bars = _bars(page, table.bbox)
    label = min((c for r in table.rows for c in r.cells if c is not None), key=lambda c: (c[0], c[2]))
    columns = [col.bbox for col in table.columns]
    for row in table.rows:
        cells = sorted((c for c in row.cells if c is not None), key=lambda c: c[0])
        row_chars = [ch for ch in chars if _centre_in(ch, row.bbox)]
        groups = _joined_cells(cells, row_chars)
        in_group = [[ch for ch in row_chars if any(_centre_in(ch, c) for c in g)] for g in groups]
        texts = [_text(g_chars) for g_chars in in_group]
        wide = any(len(g) > 1 and len(g) * 2 > len(cells) and len(t.splitlines()) > 1
                   for g, t in zip(groups, texts, strict=True))
        if wide:
            for g, g_chars, t in zip(groups, in_group, texts, strict=True):  # each line a row still
                col = row.cells.index(g[0])  # (in its group's first column)
                if len(g) == 1:
                    out.append("\t" * col + _cell(t) + ("\t" if not col else ""))
                    continue
                for text, top, bottom in _wrapped_lines(g_chars):
                    own = [""] * len(row.cells)
                    own[col] = text
                    for j in range(col + 1, len(own)):  # the years its bar runs over, at its height
                        box = (columns[j][0], top, columns[j][2], bottom)
                        own[j] = BAR if bars and _under_bar(box, label, bars) else ""
                    out.append("\t".join(own))
            continue
        line: list[str] = []
        for g, t in zip(groups, texts, strict=True):
            line += [_cell(t)] + [""] * (len(g) - 1)
        line = _none_cells(row.cells, line)
        if bars and any(line):  # (a cell pdfplumber has none of, spanned from the row above: its column's part)
            boxes = [c if c is not None else (columns[i][0], row.bbox[1], columns[i][2], row.bbox[3])
                     for i, c in enumerate(row.cells)]
            # (a group's title across the row, or a header whose labels each sit on a shade of
            # their own, carries no item on: no bar in it)
            filled = [b for b, t in zip(boxes, line, strict=True) if t]
            across = filled[0][2] - filled[0][0] >= 0.8 * (table.bbox[2] - table.bbox[0])
            labels = len(filled) >= 2 and all(any(_shades(b, c) and b[2] - b[0] <= 1.3 * (c[2] - c[0]) for b in bars)
                                               for c in filled)
            row_bars = [] if across or labels else bars
            line = [t or (BAR if row_bars and _under_bar(b, label, row_bars) else "")
                    for b, t in zip(boxes, line, strict=True)]
        out.append("\t".join(line))
    return out


def _bars(page: Any, box: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """The filled shapes (rectangles, arrows drawn as curves) in the table's box that are
    not white: where a roadmap draws the bar of an item's years."""
    out = []
    for obj in page.rects + page.curves:
        colour = obj.get("non_stroking_color")
        if not obj.get("fill") or colour is None or _white(colour):
            continue
        if _inside(obj, box):
            out.append((obj["x0"], obj["top"], obj["x1"], obj["bottom"]))
    return out


def _shades(bar: tuple[float, float, float, float], cell: tuple[float, float, float, float]) -> bool:
    """Whether a filled shape lies under most of a cell: the cell's shading, as a header row
    or a group's title row is shaded, not a bar that runs past an item's label."""
    cy = (cell[1] + cell[3]) / 2
    return bar[1] <= cy <= bar[3] and min(bar[2], cell[2]) - max(bar[0], cell[0]) >= (cell[2] - cell[0]) / 2


def _white(colour: Any) -> bool:
    values = colour if isinstance(colour, (list, tuple)) else (colour,)
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):  # a pattern: not a plain fill
        return True
    if len(numbers) == 4:  # CMYK: white is no ink
        return all(v <= 0.02 for v in numbers)
    return all(v >= 0.98 for v in numbers)


def _under_bar(cell: tuple[float, float, float, float], label: tuple[float, float, float, float],
               bars: list[tuple[float, float, float, float]]) -> bool:
    """An empty cell that a bar runs through, as a roadmap draws the years an item runs
    over: a bar over two cells or more, covering a third of this one or more (more than
    an arrow's tip), that leaves the table's first column out (not a row's or a header's
    shading).  Of the bars at the cell's height only the flattest count: a bar drawn
    inside a group's box says its item's years, not the box."""
    width = cell[2] - cell[0]
    cy = (cell[1] + cell[3]) / 2
    if cell[0] < label[2]:
        return False
    here = [b for b in bars if b[1] <= cy <= b[3] and b[0] >= (label[0] + label[2]) / 2]
    if not here:
        return False
    flattest = min(b[3] - b[1] for b in here)
    return any(b[3] - b[1] <= 1.5 * flattest and b[2] - b[0] >= 1.5 * width
               and min(b[2], cell[2]) - max(b[0], cell[0]) >= width / 3 for b in here)


def _wrapped_lines(chars: list[dict[str, Any]]) -> list[tuple[str, float, float]]:
    """The printed lines of a block of text (with their top and bottom), a line that runs
    to the block's right edge joined with the next (a wrapped item), the others on their
    own (an item each)."""
    from pdfplumber.utils.clustering import cluster_objects

    out: list[tuple[str, float, float]] = []
    lines = [(text, ln) for ln in cluster_objects(chars, lambda ch: ch["top"], 3) if (text := _text(ln).strip())]
    right = max((ch["x1"] for _, ln in lines for ch in ln), default=0.0)
    end = 0.0  # (where the line before ended; read from the second line on)
    wraps = False
    for text, ln in lines:
        top, bottom = min(ch["top"] for ch in ln), max(ch["bottom"] for ch in ln)
        em = max(ch["x1"] - ch["x0"] for ch in ln)
        if out and (wraps or min(ch["x0"] for ch in ln) >= end - em):  # (or goes on where it ended, set lower)
            out[-1] = (out[-1][0] + text, out[-1][1], bottom)
        else:
            out.append((text, top, bottom))
        end = max(ch["x1"] for ch in ln)
        wraps = end >= right - 2 * em
    return out


def _none_cells(cells: list[Any], texts: list[str]) -> list[str]:
    """``texts`` (one per cell that is not None, in order of x) back in the row's cell
    order, with an empty cell where pdfplumber has none (spanned by the cell before)."""
    order = sorted((c[0], i) for i, c in enumerate(cells) if c is not None)
    by_index = {i: texts[k] for k, (_x, i) in enumerate(order)}
    return [by_index.get(i, "") for i in range(len(cells))]


def _joined_cells(cells: list[tuple[float, float, float, float]],
                  chars: list[dict[str, Any]]) -> list[list[tuple[float, float, float, float]]]:
    """The row's cells in groups: neighbours whose edge some line of text runs across
    (two characters set side by side, one each side of it) are one group."""
    from pdfplumber.utils.clustering import cluster_objects

    crossed: set[int] = set()
    edges = [c[2] for c in cells[:-1]]
    for line in cluster_objects(chars, lambda ch: ch["top"], 2):
        line.sort(key=lambda ch: ch["x0"])
        for a, b in zip(line, line[1:], strict=False):
            if b["x0"] - a["x1"] > 0.25 * (a["x1"] - a["x0"]):
                continue  # a gap: the next cell's text, or a word after a space
            ca, cb = (a["x0"] + a["x1"]) / 2, (b["x0"] + b["x1"]) / 2
            crossed.update(i for i, x in enumerate(edges) if ca < x <= cb)
    groups: list[list[tuple[float, float, float, float]]] = []
    for i, c in enumerate(cells):
        if i and i - 1 in crossed:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _centre_in(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    """As pdfplumber assigns a character to a cell: its centre in the box (right and
    bottom edges excluded)."""
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return bool(box[0] <= cx < box[2] and box[1] <= cy < box[3])


def _text(chars: list[dict[str, Any]]) -> str:
    from pdfplumber.utils.text import extract_text

    return str(extract_text(chars)) if chars else ""


def _cell(text: str | None) -> str:
    """A cell's lines as one: joined directly between Japanese characters (a wrapped
    word), with a space between Latin ones, with 、 between organs listed one per line."""
    lines = [ln.strip() for ln in (text or "").replace("\t", " ").split("\n") if ln.strip()]
    out = ""
    for ln in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            out += " "
        elif out and _ORGAN_LINE.search(out) and _ORGAN_LINE.match(ln):
            out += "、"  # 法務省 / 厚生労働省 on lines of their own: a list of organs
        out += ln
    return out


# a short line that is an organ's name, as a cell lists them one per line
_ORGAN_LINE = re.compile(r"(?:^|、)[^、。\s]{1,12}(?:省|庁|府|局|課|室|委員会|本部|機構)$")


def _short(e: Exception) -> str:
    msg = str(e)
    return msg if len(msg) <= 200 else msg[:200] + "…"


def _key(line: str) -> str:
    """A line as it recurs from page to page: numbers as #, and a page number printed on the
    same line as a running header (33 令和6年版 防災白書) left out."""
    return re.sub(r"^#(?=\D)|(?<=\D)#$", "", re.sub(r"[0-9０-９]+", "#", "".join(line.split())))


# a DTP program's slug line at the foot of a page proof: the layout file, its page and when
# it was output (防災R6_0d-特2-01.indd   33 2024/06/04   13:54:13), not the document's text
_SLUG = re.compile(r"^\s*\S*\.(?:indd|qxd|qxp|pmd)\b.*\d{2,4}[/.]\d{1,2}[/.]\d{1,2}\s+\d{1,2}:\d{2}", re.I)
# a side tab's letters stacked into one line (令令令令令令令令令令第1章第第第令令令): runs of one
# kanji or kana printed four times or more make most of the line
_RUN = re.compile(r"([\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff])\1{3,}")


def _tab_noise(line: str) -> bool:
    """A line that is mostly one letter printed over and over (:data:`_RUN`).

    >>> _tab_noise("令令令令令令令令令令令令第1章第第第令令令令"), _tab_noise("令令令"), _tab_noise("ややや多い")
    (True, False, False)
    """
    text = "".join(line.split())
    return bool(text) and sum(len(m.group()) for m in _RUN.finditer(text)) * 2 > len(text)


def _once_if_twice(line: str) -> str:
    """A line printed twice over, its two copies one after the other (a bold heading drawn
    twice: 今後の防災対策に向けて今後の防災対策に向けて), read once.

    >>> _once_if_twice("今後の防災対策に向けて今後の防災対策に向けて"), _once_if_twice("ああああ")
    ('今後の防災対策に向けて', 'ああああ')
    """
    text = line.strip()
    half, odd = divmod(len(text), 2)
    if odd or half < 4 or text[:half] != text[half:] or not _WORDY.search(text[:half]) or len(set(text[:half])) < 3:
        return line
    return line[: len(line) - len(line.lstrip())] + text[:half]


def _running(pages: list[str]) -> set[str]:
    """Lines among the first/last three of a page that recur on most pages."""
    if len(pages) < 2:
        return set()
    c: Counter[str] = Counter()
    for p in pages:
        lines = [ln for ln in p.split("\n") if ln.strip()]
        # a table's header row repeats on its pages too, and is kept (a table's columns)
        c.update({_key(ln) for ln in lines[:3] + lines[-3:] if "\t" not in ln})
    return {k for k, n in c.items() if n >= max(2, len(pages) * 0.6) and k}
