"""Heading hierarchy of Japanese official documents.

Markers, from outermost in the usual order: 第1 / 1 / (1) / ア / (ア) / a / (a) / ① /
(i), plus 第1章・第1節・第1款・第1条, 別添 / 別紙 / 別表 / 附則 / 序, ``1)`` and Markdown ``#``
headings.  The level of a marker type is not fixed: a stack of the marker types
seen so far decides (a type already on the stack is a sibling, a new type is a
child), which is how these documents are actually numbered.  A numbered line is a
heading only if it continues its sequence (next number, or the first of a new
level); this rejects numbers that merely start a line and repairs the corpus's
extraction slips ``(7)`` → ``(ア)`` and ``(4)`` → ``(イ)`` where the sequence says so.
目次 (table of contents) blocks are skipped.

>>> secs = parse_sections("1 総則\\n(1) 趣旨\\nア 目的\\n(7) 本文。\\n(4) 次。\\n(2) 定義\\n")
>>> [s.path for s in secs]
[('1',), ('1', '(1)'), ('1', '(1)', 'ア'), ('1', '(1)', 'ア', '(ア)'), ('1', '(1)', 'ア', '(イ)'), ('1', '(2)')]
>>> secs[3].printed_marker
'(7)'
>>> [(k, _ordinal(k, v)) for k, v, *_ in (_match_marker("第百条 乙。"), _match_marker("第百二十五条の二 丙。"))]
[('article', 100), ('article', 125)]
>>> [s.path for s in parse_sections("1.はじめに\\n1.1.背景\\n1.2. 目的\\n1.2.1. 対象\\n2. 定義\\n2.1 用語\\n")]
[('1.',), ('1.', '1.1.'), ('1.', '1.2.'), ('1.', '1.2.', '1.2.1.'), ('2.',), ('2.', '2.1')]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from policygraph.core.records import SECTION_SEP, Section
from policygraph.ingest.bullets import BULLETS, HEAVY, LIGHT
from policygraph.ingest.extract.deadlines import (  # (article numbers run past 99)
    is_deadline_bracket,
    kanji_number,
)
from policygraph.ingest.extract.tables import is_row
from policygraph.ingest.normalise import NormText, identity
from policygraph.ingest.numerals import KANA, KANJI_0_9, KANJI_DIGITS, ROMAN

KANJI_NUM = KANJI_0_9 + "十"
CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
SLIPS = {"7": "ア", "4": "イ"}  # OCR confusions seen in extracted PDFs
IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
SPECIAL = ("別添", "別紙", "別表", "附則", "序", "前文", "別記")
WRAPPERS = ("別添", "別紙")  # attachment wrappers: reset numbering, not printed in paths
PREFACES = ("序", "前文")  # a preface is a sibling of the first top-level heading
TOP_KINDS = ("num", "dai", "chapter", "md1", "md2", "roman")
# kinds that number the parts of a document (Ⅲ, 第2, 第3章): a first one ends a list numbered
# with a lower kind before it (a cover letter's 1. 2. 3.), it does not nest under it
_PART_KINDS = ("roman", "dai", "chapter")
_LOWER_KINDS = ("num", "pnum", "kana", "pkana", "ikana", "ipkana", "kanji", "alpha", "palpha", "circled", "rnum", "proman")

_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+)?(?:[-*・]\s+)?")
_MD = re.compile(r"^\s*(#{1,6})\s+(.*)$")
_COMMENT = re.compile(r"\s*<!--.*?-->\s*")  # <!-- omit in toc --> in a Markdown heading
_MD_LIST = re.compile(r"^[0-9]{1,2}\.\s")
_CAPTION = re.compile(r"^\s*\([^()]{1,30}\)\s*$")
# a contents line's leader to its page number: ……… 12, ・・・ 3, ――― 1 (NFKC: ･･･)
_TOC_LINE = re.compile(r"(?:\.{3,}|…{2,}|‥{2,}|[・･]{3,}|[―─━-]{3,}|\t)\s*\d{1,3}\s*$|^\s*\.{3,}\s*\t?\s*\d{1,3}\s*$")
# a contents entry whose page number stands after a run of spaces (第１節 計画の構成      231)
_SPACED_PAGE = re.compile(r"\S\s{3,}\d{1,3}\s*$")
_TOC_HEAD = re.compile(r"^\s*(?:#{1,6}\s*)?[(\[【〔]?\s*目\s*次\s*[)\]】〕]?\s*$")

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    # (第3-1, 第3-2: a part printed in two halves)
    # (not 第10 節 火災予防計画: a section's number set apart from its 節; 第1 条件の整理 is one)
    ("dai", re.compile(rf"^第([0-9]+|[{KANJI_DIGITS}]+)(?:-[0-9]{{1,2}})?(?=[\s]|$)(?!\s*[章節款条](?:\s|$))")),
    # Ⅰ Ⅱ Ⅲ (NFKC: I II III) before a Japanese title: Ⅲ 音威子府村の総合戦略, Ⅲ.具体的施策
    ("roman", re.compile(r"^(I{1,3}|IV|VI{0,3}|IX|X)(?:\.\s*|\s+)(?=[^\sA-Za-z0-9.])")),
    ("chapter", re.compile(rf"^第[ ]?([0-9]+|[{KANJI_DIGITS}]+)[ ]?章")),
    ("setsu", re.compile(rf"^第[ ]?([0-9]+|[{KANJI_DIGITS}]+)[ ]?節")),
    ("kan", re.compile(rf"^第[ ]?([0-9]+|[{KANJI_DIGITS}]+)[ ]?款")),  # a statute's subsection (第二節 › 第一款)
    ("article", re.compile(rf"^第([0-9]+|[{KANJI_DIGITS}]+)条(?:の[0-9{KANJI_DIGITS}]+)?")),
    ("special", re.compile(rf"^({'|'.join(SPECIAL)}|附\s+則)(?=[\s0-9抄]|$)")),
    ("pnum", re.compile(r"^\(([0-9]{1,2})\)")),
    ("pkana", re.compile(rf"^\(([{KANA}])\)")),
    ("palpha", re.compile(r"^\(([a-z])\)")),
    ("proman", re.compile(r"^\((i{1,3}|iv|vi{0,3}|ix|x|xi{1,2})\)")),
    ("rnum", re.compile(r"^([0-9]{1,2})\)(?=\S)")),
    # 1.1. / 1.3.1 (guidelines): the level is the number of parts, the ordinal the last one
    ("dotted", re.compile(r"^([0-9]{1,2}(?:\.[0-9]{1,2}){1,4})\.?(?:\s+|(?=[^\s0-9.]))")),
    ("num", re.compile(r"^([0-9]{1,2})(?:\s+|\.\s*|\t)(?=\S)")),
    ("kana", re.compile(rf"^([{KANA}])(?:\s+|\t)(?=\S)")),
    ("kanji", re.compile(rf"^([{KANJI_NUM}]{{1,3}})(?:\s+|\t)(?=\S)")),
    ("alpha", re.compile(r"^([a-z])(?:\.\s*(?=[^\sa-z.])|\s+|\t)(?=\S)")),  # a コンピュータ管理, a.コンピュータ管理
    ("circled", re.compile(rf"^([{CIRCLED}])")),
]


def _ordinal(kind: str, value: str) -> int:
    if kind in ("kana", "pkana"):
        return KANA.index(value) + 1
    if kind in ("alpha", "palpha"):
        return ord(value) - ord("a") + 1
    if kind == "circled":
        return ord(value) - 0x2460 + 1
    if kind in ("proman", "roman"):
        return ROMAN.index(value.lower()) + 1 if value.lower() in ROMAN else 0
    if kind == "special":
        return 1
    if value.isdigit():
        return int(value)
    return kanji_number(value)


@dataclass
class _Level:
    kind: str
    ordinal: int
    marker: str
    title: str


@dataclass(frozen=True)
class HeadingLine:
    start: int  # normalised offset of the line
    end: int
    kind: str
    ordinal: int
    marker: str  # as it goes into the path (after slip repair)
    printed: str  # as printed
    title: str
    md_level: int = 0  # the Markdown heading level it was printed at (0: not a # heading)


def _match_marker(body: str) -> tuple[str, str, str, str] | None:
    """(kind, value, printed marker, rest) for a line body, or None."""
    for kind, pat in _MARKERS:
        m = pat.match(body)
        if m:
            printed = m.group(0).strip()
            if kind in ("chapter", "setsu", "kan"):
                printed = printed.replace(" ", "")  # (第 1章, 第 2 節: spaced as a layout program sets them)
            return kind, m.group(1), printed, body[m.end():].strip()
    return None


def item_marker(cell: str) -> str | None:
    """The number a table row prints alone in a cell to number its item ((1), ①, ア, 303),
    as a heading path prints it, else None.

    >>> item_marker("（２）"), item_marker("303"), item_marker("2019"), item_marker("(1) 刷新")
    ('(2)', '303', None, None)
    """
    cell = unicodedata.normalize("NFKC", cell).strip()
    if re.fullmatch(r"[0-9]{1,3}\.?", cell):
        return cell
    found = _match_marker(cell)
    return found[2] if found is not None and not found[3] and found[0] not in ("special", "article") else None


def _iroha(stack: list[_Level], kind: str, value: str, ordinal: int) -> tuple[str, int]:
    """A kana level numbered イ, ロ, ハ (the older order of 法令 and 通達) rather than ア, イ, ウ:
    a new kana level that starts at イ, and the kana under it.

    >>> _iroha([], "kana", "イ", 2), _iroha([_Level("ikana", 1, "イ", "")], "kana", "ロ", 48)
    (('ikana', 1), ('ikana', 2))
    >>> _iroha([_Level("kana", 1, "ア", "")], "kana", "イ", 2)
    ('kana', 2)
    """
    if kind not in ("kana", "pkana") or value not in IROHA:
        return kind, ordinal
    iroha = "i" + kind
    if any(lv.kind == iroha for lv in stack) or (value == "イ" and not any(lv.kind == kind for lv in stack)):
        return iroha, IROHA.index(value) + 1
    return kind, ordinal


def _accepts(stack: list[_Level], kind: str, ordinal: int) -> bool:
    for lv in stack:
        if lv.kind == kind:
            return ordinal == lv.ordinal + 1
    if kind == "num" and ordinal == 2 and _article_at(stack) is not None:
        return True  # statute paragraphs: the first (１) is not printed, its items (一, 二) may be
    return ordinal == 1


def _special(value: str, rest: str) -> tuple[str, str, str]:
    """(kind, printed, marker) of a 別添 / 別紙 (a wrapper), 序 / 前文 (a preface), 附則 (an
    amendment's own: 附 則 (平成一一年七月一六日法律第八七号) 抄 → 附則(平成一一年…号))."""
    value = re.sub(r"\s+", "", value)
    amend = re.match(r"\(([^()]{4,40}?号)(?:\s*抄)?\)", rest)
    marker = f"附則({amend.group(1)})" if value == "附則" and amend else value
    kind = "wrapper" if value in WRAPPERS else "preface" if value in PREFACES else "special"
    return kind, value, marker


def _continues(stack: list[_Level], kind: str, ordinal: int, printed: str, after: str, rest: str,
               last: dict[str, int]) -> bool:
    """Whether a numbered line is a heading by its place in the numbering: it continues a
    sequence or starts a level (:func:`_accepts`), is a statute's next article (第五条 after
    第四条 across chapters) or one inserted after it (第四条の二), a part's second half
    (第3-2 after 第3-1), or an excerpt's first heading (:func:`_starts_excerpt`). A number
    printed without the full stop its level's numbers print (a footnote's 3 after 2.) is none."""
    if kind == "num" and not printed.endswith(".") and any(lv.kind == kind and lv.marker.endswith(".") for lv in stack):
        return False
    return (_accepts(stack, kind, ordinal)
            or kind == "article" and (ordinal == last.get(kind, 0) + 1 or _branch_article(printed, ordinal, last))
            or kind == "dai" and "-" in printed and ordinal == last.get(kind)
            or _starts_excerpt(stack, kind, after, rest, last, ordinal))


def _article_at(stack: list[_Level]) -> int | None:
    """Where an article stands on the stack with no paragraph number under it yet (its
    first paragraph, or that paragraph's items): the next paragraph (２) goes right under it."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i].kind == "num":
            return None
        if stack[i].kind == "article":
            return i
    return None


def _branch_article(printed: str, ordinal: int, last: dict[str, int]) -> bool:
    """第四十六条の二 after 第四十六条 (or after 第四十六条の一…): an article inserted by an
    amendment, numbered after the one it follows."""
    return "の" in printed and ordinal == last.get("article")


# markers that only a heading prints at a line's start: an excerpt may begin at any of them
# (第２章 of a plan printed alone, 第五条 of a statute quoted from its middle)
_OPENING_KINDS = ("chapter", "setsu", "kan", "dai", "article", "roman")


def _starts_excerpt(stack: list[_Level], kind: str, after: str, rest: str, last: dict[str, int],
                    ordinal: int = 0) -> bool:
    """Whether a 第N章 / 第N節 / 第N / 第N条 line that does not continue a sequence is the first
    heading of its kind in an excerpt: the kind is not open above it, nor seen before (a
    section of the next chapter aside), a space or the line's end follows the marker (第3章で述べた… and a
    wrapped line's 第5条の規定により… are references), and a title or a statute's text
    follows."""
    if kind == "article" and kind in last and after.isspace() and ordinal > last[kind]:
        return True  # an excerpt's next article (第3条 … 第5条 of a statute printed 抄)
    if kind not in _OPENING_KINDS or any(lv.kind == kind for lv in stack):
        return False
    if kind in last and not (kind == "setsu" and any(lv.kind == "chapter" for lv in stack)):
        return False  # seen before: only a chapter's sections restart (第3章 › 第2節 of an excerpt)
    if after and not after.isspace():
        return kind in ("chapter", "setsu", "roman") and bool(_title(rest)) and not re.match(r"[\u3040-\u309f]", rest)
    return kind == "article" or bool(_title(rest)) or not rest


def _title(rest: str) -> str:
    rest = rest.strip().strip("*").strip()
    rest = re.sub(r"[\s.…‥]*\t?\s*\d{1,3}\s*$", "", rest) if _TOC_LINE.search(rest) else rest
    if len(rest) > 60 or rest.endswith("。") or re.search(r"(?:は|が|を)、", rest):
        return ""
    return rest


def _iter_lines(text: str) -> list[tuple[int, int, str]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _toc_ranges(lines: list[tuple[int, int, str]]) -> set[int]:
    """Indexes of lines that belong to a 目次 block."""
    skip: set[int] = set()
    i = 0
    while i < len(lines):
        if not _TOC_HEAD.match(lines[i][2]):
            i += 1
            continue
        skip.add(i)
        first_key = None
        listed: set[str] = set()
        j = i + 1
        while j < len(lines):
            line = lines[j][2]
            key = _toc_key(line)
            paged = _TOC_LINE.search(line) or _SPACED_PAGE.search(line)
            if key and first_key is None:
                first_key = key
            elif key and key == first_key and not paged:
                break  # the body starts with the first entry again
            elif (key in listed and not paged and _match_marker(_heading_body(line.strip())) is not None
                  and not _SPACED_PAGE.search(_next_line(lines, j))):
                break  # (or with a numbered entry listed above, not a page's running header within the list)
            if key and paged:
                listed.add(key)
            if "。" in line and len(line) > 60:
                break
            if j - i > 400:
                break
            skip.add(j)
            j += 1
        i = j
    return skip


def contents_spans(nt: NormText) -> list[tuple[int, int]]:
    """Original-text spans of the lines of 目次 blocks (the heading 目次 included)."""
    lines = _iter_lines(nt.text)
    return [nt.original_span(a, b) for i in sorted(_toc_ranges(lines)) for a, b, _ in [lines[i]] if b > a]


def _toc_key(line: str) -> str:
    line = re.sub(r"<[^>]+>|\*\*|^\s*#+|^\s*[-*・]\s+|[\[\]]", "", line)  # - [1. はじめに](#1-…)
    line = re.sub(r"(?:[.…‥・･]{2,}|[―─━-]{3,}).*$|\t\s*\d{1,3}\s*$|\s{3,}\d{1,3}\s*$", "", line)
    line = re.sub(r"\((?:第[^()]*条|[^()]*[-―‐～~][^()]*)\)\s*$", "", line.strip())  # 総則(第一条―第四条)
    return re.sub(r"\W+", "", line)  # (I 総合戦略について as listed, I.総合戦略について as printed)


def heading_lines(nt: NormText) -> list[HeadingLine]:
    """Every heading line of a normalised text, with repaired markers."""
    lines = _iter_lines(nt.text)
    toc = _toc_ranges(lines)
    stack: list[_Level] = []
    out: list[HeadingLine] = []
    last: dict[str, int] = {}  # articles number on across chapters
    md_kinds: set[str] = set()  # marker kinds printed as Markdown headings
    title_at = _title_line(lines, toc)
    for idx, (a, b, line) in enumerate(lines):
        if _in_contents(out, stack, last, toc, idx, a, nt.text) or not line.strip() or is_row(line):
            continue  # a table's row (別表１\t1\t…) is not a heading
        md = _MD.match(line)
        body = _heading_body(line)
        found = _match_marker(body)
        if found is None:
            _label_line(out, stack, last, lines, idx, bool(md))
            if md and len(md.group(2).strip()) <= 80:
                title = _COMMENT.sub("", md.group(2)).strip().strip("*").strip()
                level = len(md.group(1))
                kind = "wrapper" if idx == title_at else f"md{level}"
                _close_md(stack, level)
                _place(stack, kind, 0, title, title)
                out.append(HeadingLine(a, b, kind, 0, title, title, title, level))
            continue
        kind, value, printed, rest = found
        if kind == "dotted":
            kind, value = f"dotted{value.count('.') + 1}", value.rsplit(".", 1)[1]
        md_level = len(md.group(1)) if md else 0
        if md:
            md_kinds.add(kind)
            _close_md(stack, md_level)
        elif kind in md_kinds and _MD_LIST.match(body):
            continue  # the document gives this numbering as # headings: a plain "4. …" is a list item
        ordinal = _ordinal(kind, value)
        kind, ordinal = _iroha(stack, kind, value, ordinal)
        marker = printed
        if kind == "special":
            stack.clear()
            ordinal = 0
            kind, printed, marker = _special(value, rest)
            if kind == "wrapper":
                out.append(HeadingLine(a, b, "wrapper", 0, printed, printed, _title(rest)))
                continue
        elif (listed := _contents_again(out, kind, ordinal, rest, nt.text)) is not None:
            del out[listed:]  # the parts listed before (a contents list with no 目次 heading) were not headings
            stack.clear()
            last.clear()
        elif _header_over_first(out, stack, kind, ordinal, nt.text, a):
            del out[-1]  # 第2章 over 第1章 with nothing between: a page's running header, not a part
            stack.clear()
            last.pop(kind, None)
        elif (not _continues(stack, kind, ordinal, printed, body[len(printed) : len(printed) + 1], rest, last)
              or kind in ("chapter", "setsu") and kind in last and _mid_part(lines, idx, kind, last)):
            slip = _slip(stack, kind, value)
            if slip is None:
                continue
            kind, ordinal, marker = slip
        last[kind] = ordinal
        title = _title(rest)
        if kind == "article" and idx > 0 and _CAPTION.match(lines[idx - 1][2]):
            title = lines[idx - 1][2].strip()[1:-1]  # (目的) above 第一条 is the article's caption
            a = lines[idx - 1][0]  # and the article's: not the end of the article above
        _place(stack, kind, ordinal, marker, title)
        out.append(HeadingLine(a, b, kind, ordinal, marker, printed, title, md_level))
    return out


def _in_contents(out: list[HeadingLine], stack: list[_Level], last: dict[str, int], toc: set[int], idx: int,
                 at: int, text: str) -> bool:
    """Whether line ``idx`` (starting at ``at``) is one of a 目次 block's; at its first, a part
    heading right over the block is the contents page's running header (第２章 over 目次),
    and after its last the body starts afresh (a page header above the contents is no
    part the body is in)."""
    if idx not in toc:
        return False
    if (idx - 1 not in toc and out and out[-1].kind in _PART_KINDS and out[-1].ordinal > 1
            and not text[out[-1].end : at].strip()):
        del out[-1]
    if idx + 1 not in toc:
        stack.clear()
        last.clear()
    return True


def _label_line(out: list[HeadingLine], stack: list[_Level], last: dict[str, int],
                lines: list[tuple[int, int, str]], idx: int, markdown: bool) -> None:
    """A heading line without a number (:func:`_unnumbered`), placed: （独立行政法人国際協力機構）
    over ① … heads the items after it. Not a parenthesised word under a labelled part
    (（…センター） under ＜今後の取組方針＞), nor a statute's caption over a 附則's text
    (（施行期日）), no level of the path."""
    unnumbered = None if markdown else _unnumbered(lines, idx)
    if unnumbered is None:
        return
    label_kind, label = unnumbered
    line = lines[idx][2].strip()
    if (label_kind == "topic" and stack and stack[-1].kind == "plabel") or ("article" in last and line[:1] in "（("):
        return
    a, b, _ = lines[idx]
    _place(stack, label_kind, 0, label, label)
    out.append(HeadingLine(a, b, label_kind, 0, label, line, label))


def _header_over_first(out: list[HeadingLine], stack: list[_Level], kind: str, ordinal: int, text: str,
                       at: int) -> bool:
    """Whether a part's first heading (第1章) comes right under the last heading read, a
    later part of its kind with nothing between (第2章): that one was a page's running
    header."""
    return (kind in _PART_KINDS and ordinal == 1 and bool(out) and out[-1].kind == kind and out[-1].ordinal > 1
            and not text[out[-1].end : at].strip() and all(lv.kind != kind for lv in stack[:-1]))


def _mid_part(lines: list[tuple[int, int, str]], idx: int, kind: str, last: dict[str, int]) -> bool:
    r"""Whether the 第N章 (or 第N節) line at ``idx`` is a page's running header in the middle
    of a part: the next line is the next section of the part open (第2章 over 第4節 after
    第3節; an excerpt's 第3章 over its 第2節 after 第5節 is a chapter), or the line cuts a
    sentence that a page break wrapped (…身体及び財産を地震災害から / 第2章 / 保護するため、…).

    >>> ls = _iter_lines("第2章 予防\n\n第4節 訓練\n第2章 予防\n第1節 心構え\n第3章 応急\n第2節 収集\n")
    >>> _mid_part(ls, 0, "chapter", {"setsu": 3}), _mid_part(ls, 3, "chapter", {"setsu": 3})
    (True, False)
    >>> _mid_part(ls, 5, "chapter", {"setsu": 5})
    False
    >>> _mid_part(_iter_lines("村は、地域並びに住民の生命、身体及び財産を地震による災害から\n第2章 予防\n保護する。\n"), 1, "chapter", {})
    True
    """
    found = _match_marker(_heading_body(_next_line(lines, idx)))
    below = {"chapter": "setsu", "setsu": "dai"}[kind]
    if found is not None and found[0] == below and _ordinal(found[0], found[1]) == last.get(below, 0) + 1 > 1:
        return True
    prev = _prev_line(lines, idx)
    # (a line wrapped at the page's width: long, no sentence's end, no item of a list)
    return (len(prev) >= 30 and not prev.endswith(("。", "）", ")", "」", "：", ":"))
            and _match_marker(_heading_body(prev)) is None and not _BULLET.match(prev))


def _entry(line: str) -> bool:
    """A contents entry printed without a number or a page (工程表, 別冊 施策集): short, no
    sentence."""
    return len(line.strip()) <= 40 and "。" not in line


def _contents_again(out: list[HeadingLine], kind: str, ordinal: int, rest: str, text: str) -> int | None:
    r"""Where a contents list printed without a 目次 heading starts, when the document's
    first part comes again (Ⅰ 総合戦略について … Ⅲ …, then Ⅰ．総合戦略について and its
    text): the index in ``out`` of the first part's earlier line, whose title it repeats,
    if every line of ``text`` (the whole text, not a copy of it up to here for every
    numbered line) from there to the last heading read is a numbered line or a contents
    entry (…… 3, or short and no sentence): a list, not a page's running header over the
    part's text.

    >>> out = [HeadingLine(0, 10, "roman", 1, "I", "I", "総合戦略について"), HeadingLine(11, 16, "roman", 2, "II", "II", "視点")]
    >>> t = "I 総合戦略について\nII 視点\n策定の趣旨 ・・・・ 1\n\n"
    >>> _contents_again(out, "roman", 1, "総合戦略について", t), _contents_again(out, "roman", 1, "概要", t)
    (0, None)
    >>> t = "I 総合戦略について\n本戦略は、村の振興を図るものである。\nII 視点\n本文。\n"
    >>> out = [HeadingLine(0, 10, "roman", 1, "I", "I", "総合戦略について"), HeadingLine(30, 35, "roman", 2, "II", "II", "視点")]
    >>> _contents_again(out, "roman", 1, "総合戦略について", t)  # the part's text between: a running header
    >>> t = "第1章\n被害の概要\n第2章\n対応\n"  # each title on the line under its number
    >>> out = [HeadingLine(0, 3, "chapter", 1, "第1章", "第1章", ""), HeadingLine(10, 13, "chapter", 2, "第2章", "第2章", "")]
    >>> _contents_again(out, "chapter", 1, "被害の概要", t)
    0
    """
    if kind not in _PART_KINDS or ordinal != 1:
        return None
    title = re.sub(r"\W", "", _title(rest))
    for i, h in enumerate(out):
        if h.kind == kind and h.ordinal == 1:
            # (a part listed with its title on the line under its number: 第1章 / 令和6年…の概要)
            listed_title = h.title or _title(text[h.end :].lstrip("\n").split("\n", 1)[0])
            if not title or re.sub(r"\W", "", listed_title) != title or i + 1 >= len(out):
                return None
            # (the list ends at its last numbered line: prose after it, はじめに, is no matter)
            listed = all(_match_marker(_heading_body(ln)) or _TOC_LINE.search(ln) or _entry(ln)
                         for ln in text[h.start : out[-1].end].split("\n") if ln.strip())
            return i if listed else None
    return None


def _title_line(lines: list[tuple[int, int, str]], toc: set[int]) -> int | None:
    r"""The line of the Markdown heading that is the document's title (it wraps, not nests):
    the one unnumbered level-1 heading (several are its chapters, a Word document's Heading
    1), or a first heading above every other one (a web page's ## title over its ###
    chapters, the site's # heading dropped with its chrome).

    >>> _title_line(_iter_lines("## 留意事項\n### 第1 趣旨\n本文\n### 第2 定義\n"), set())
    0
    >>> _title_line(_iter_lines("## 概要\n本文\n## 詳細\n"), set()) is None
    True
    """
    heads = [(i, len(m.group(1)), ln) for i, (_, _, ln) in enumerate(lines) if i not in toc and (m := _MD.match(ln))]
    unnumbered = [(i, lv) for i, lv, ln in heads
                  if _match_marker(_heading_body(ln)) is None]
    h1 = [i for i, lv in unnumbered if lv == 1]
    if h1:
        return h1[0] if len(h1) == 1 else None
    if len(heads) > 1 and unnumbered and unnumbered[0][0] == heads[0][0] and all(lv > heads[0][1] for _, lv, _ in heads[1:]):
        return heads[0][0]
    return None


def _heading_body(line: str) -> str:
    """A line without its Markdown prefix and emphasis: what a heading marker is read from."""
    return _PREFIX.sub("", line, count=1).strip().strip("*").strip()


def _next_line(lines: list[tuple[int, int, str]], idx: int) -> str:
    """The next line after ``idx`` that is not blank, stripped ("" at the end)."""
    return next((ln.strip() for _, _, ln in lines[idx + 1 :] if ln.strip()), "")


def _prev_line(lines: list[tuple[int, int, str]], idx: int) -> str:
    """The last non-blank line before line ``idx``, stripped ("" if none)."""
    return next((lines[i][2].strip() for i in range(idx - 1, -1, -1) if lines[i][2].strip()), "")


_BULLET = re.compile(f"[{BULLETS}]")  # a bullet item's start


# a line that is only a bracketed label (【実施事項】, （独立行政法人国際協力機構（JICA））, 〔協議結果〕,
# ［現状と課題］, which NFKC makes [現状と課題]), or a label after a double circle (◎施策の目標)
_LABEL = re.compile(r"^(?:【([^【】。]{2,40})】|[（(]((?:[^（）()。]|[（(][^（）()。]*[）)]){2,40})[）)]"
                    r"|〔([^〔〕。]{2,40})〕|［([^［］。]{2,40})］|[＜<]([^＜＞<>。]{2,40})[＞>]|《([^《》。]{2,40})》"
                    r"|\[([^\[\]。]{2,40})\]|◎\s*([^\s。、◎][^。、◎]{1,24}))$")
_NOT_A_LABEL = re.compile(r"^(?:略|以下略|中略|後略|注|備考|単位|出典|資料|図|表|公印省略|官印省略|案|抄|抜粋|仮訳)")


# who does an item, in square brackets on a line of its own (a roadmap cell's [防衛省],
# [内閣府、文部科学省等]): a tag of the item above, no label over what follows
_AGENCY_TAG = re.compile(r"(?:省|庁|府|官房|本部|委員会|事務局|機構|等|第[0-9]+号)$")


def _tag(m: re.Match[str]) -> bool:
    return m.group(7) is not None and _AGENCY_TAG.search(m.group(7).strip()) is not None


def _label_heading(lines: list[tuple[int, int, str]], idx: int) -> str | None:
    r"""The text of a bracketed label line that heads a list: the next line is a numbered
    item or a bullet (not an article, whose caption the line is), else None.

    >>> ls = _iter_lines("第3章 取組\n（国際協力機構（JICA））\n① 研修を行う。\n（注）\n")
    >>> _label_heading(ls, 1), _label_heading(ls, 3)
    ('国際協力機構（JICA）', None)
    """
    m = _LABEL.match(lines[idx][2].strip())
    if m is None or _tag(m):
        return None
    inner = next(g for g in m.groups() if g is not None).strip()
    after = lines[idx + 1][2] if idx + 1 < len(lines) else ""
    if _NOT_A_LABEL.match(inner) or not inner or (is_deadline_bracket(inner) and not after.strip()):
        return None  # (【継続的に実施】 after an item, a blank line below it, is the item's time)
    nxt = _next_line(lines, idx)
    found = _match_marker(nxt)
    if found is not None:
        return inner if found[0] != "article" else None
    # (or a table's rows: ◎施策の目標 over its targets, one per row)
    return inner if _BULLET.match(nxt) or is_row(nxt) else None


def _paragraph_label(lines: list[tuple[int, int, str]], idx: int) -> str | None:
    r"""The text of a bracketed label line over a paragraph (＜現状＞, 【課題】: how a plan's
    sheet labels its parts), else None: not a time in brackets, which belongs to the item
    above it, nor a parenthesis (an article's caption). A label over a list is
    :func:`_label_heading`'s, which its callers ask first.

    >>> ls = _iter_lines("＜今後の取組方針＞\n全国調査を着実に実施する。\n【令和7年度中】\n次の項目を検討する。\n")
    >>> _paragraph_label(ls, 0), _paragraph_label(ls, 2)
    ('今後の取組方針', None)
    """
    m = _LABEL.match(lines[idx][2].strip())
    if m is None or m.group(2) is not None or _tag(m):
        return None
    inner = next(g for g in m.groups() if g is not None).strip()
    nxt = _next_line(lines, idx)
    # (今後の取組方針 names a part: 今後 is no time of its own there; the paragraph is prose, a
    # sentence or a clause in its first lines (a PDF wraps them), not a roadmap's column
    # heads under a legend such as ＜新規施策＞; a parenthesised sub-label may open it:
    # ＜今後の取組方針＞ over （…センター） and its text)
    below = _LABEL.match(nxt)
    if (_NOT_A_LABEL.match(inner) or is_deadline_bracket(re.sub(r"^今後の", "", inner))
            or not re.search(r"[、。]", _paragraph_start(lines, idx)) or (below and below.group(2) is None)
            or _match_marker(nxt) is not None):
        return None
    return inner


# a label's words that say it is no heading but a note on the text around it: a date, a law's
# or a decision's number (（令和６年12月27日閣議決定）, （平成十五年法律第五十七号）)
_NOTE_WORDS = re.compile(r"[0-9０-９元一二三四五六七八九十]+年[0-9０-９一二三四五六七八九十]+月|第[0-9０-９一二三四五六七八九十百千]+号|決定$|了承$")


def _paren_label(lines: list[tuple[int, int, str]], idx: int) -> str | None:
    r"""The text of a parenthesised topic line over prose (（防災体制の抜本的強化） between the
    paragraphs of a basic policy: a heading without a number), else None. Not an article's
    caption (an article follows it), nor a note or a date in parentheses, nor a parenthesis a
    PDF wrapped onto a line of its own inside a sentence: a blank line, a sentence's end or a
    heading stands before it.

    >>> ls = _iter_lines("（１）防災\n\n（防災体制の強化）\n防災庁を設置し、体制を確保する。\n（目的）\n第一条 この法律は、\n")
    >>> _paren_label(ls, 2), _paren_label(ls, 4)
    ('防災体制の強化', None)
    """
    m = _LABEL.match(lines[idx][2].strip())
    if m is None or m.group(2) is None:
        return None
    inner = m.group(2).strip()
    nxt = _next_line(lines, idx)
    prev = _prev_line(lines, idx)
    stands_off = (idx > 0 and not lines[idx - 1][2].strip()) or prev.endswith(("。", "」", "）", ")")) \
        or _match_marker(prev) is not None
    if (not stands_off or _NOT_A_LABEL.match(inner) or _NOTE_WORDS.search(inner) or is_deadline_bracket(inner)
            or _match_marker(nxt) is not None or _LABEL.match(nxt) or _BULLET.match(nxt)
            or not re.search(r"[、。]", _paragraph_start(lines, idx))):
        return None
    return inner


def _paragraph_start(lines: list[tuple[int, int, str]], idx: int, most: int = 3) -> str:
    """The first lines (up to ``most``) of the paragraph after line ``idx``, joined."""
    out: list[str] = []
    for _, _, ln in lines[idx + 1 :]:
        if not ln.strip():
            if out:
                break
            continue
        out.append(ln.strip())
        if len(out) == most:
            break
    return "".join(out)


_TITLED = re.compile("^[" + HEAVY + LIGHT + r"]\s*(\S.{1,80})$")


def _titled_item(lines: list[tuple[int, int, str]], idx: int) -> str | None:
    r"""The title of a bullet line that heads labelled parts (● 孤独・孤立の実態把握【内閣府】
    over ＜施策の概要＞, ＜今後の取組方針＞ …: one measure's sheet in a plan), else None.

    >>> ls = _iter_lines("● 実態把握【内閣府】\n＜施策の概要＞\n全国調査を行っている。\n● 相談【総務省】\n・周知する。\n")
    >>> _titled_item(ls, 0), _titled_item(ls, 3)
    ('実態把握【内閣府】', None)
    """
    m = _TITLED.match(lines[idx][2].strip())
    if m is None or m.group(1).endswith("。"):
        return None
    before = _prev_line(lines, idx)
    if before[:1] == lines[idx][2].strip()[:1]:
        return None  # the last item of a list (◇…効果 ◇…の維持・発展), not a title over the parts below
    title = m.group(1).strip()
    after = [i for i in range(idx + 1, min(len(lines), idx + 6)) if lines[i][2].strip()][:2]
    if after and not _is_label(lines, after[0]) and lines[after[0]][2].strip().endswith("】") and len(after) > 1:
        title += lines[after[0]][2].strip()  # a title wrapped before its tag (● 民間…\nによる…支援等【法務省】)
        after = after[1:]
    return title if after and _is_label(lines, after[0]) else None


def _is_label(lines: list[tuple[int, int, str]], idx: int) -> bool:
    return _label_heading(lines, idx) is not None or _paragraph_label(lines, idx) is not None


# a line that says when the items under it are done (a roadmap's text page: 2025年以降の主な
# 取組（１）, 令和7年度の取組予定), a heading the items' deadline comes from
_TIME_LABEL = re.compile(r"^(?:(?:令和|平成)[0-9元]{1,2}|[0-9]{4})年度?(?:以降|から|中|末まで|まで)?の(?:主な|具体的な|今後の)?"
                         r"(?:取組|取り組み|施策|実施事項|工程)(?:予定)?(?:[(（][0-9０-９]{1,2}[)）])?$")


def _unnumbered(lines: list[tuple[int, int, str]], idx: int) -> tuple[str, str] | None:
    """A heading line without a number: a bracketed label over a list (kind ``label``) or
    over a paragraph (kind ``plabel``, which ends at the next heading of any other kind), a
    parenthesised topic over prose (kind ``topic``, which ends the same way), a
    time label (kind ``timelabel``, above the labels it holds) or a bullet line titling
    labelled parts (kind ``titled``), with its text."""
    label = _label_heading(lines, idx)
    if label is not None:
        return "label", label
    label = _paragraph_label(lines, idx)
    if label is not None:
        return "plabel", label
    label = _paren_label(lines, idx)
    if label is not None:
        return "topic", label
    titled = _titled_item(lines, idx)
    if titled is not None:
        return "titled", titled
    when = _time_label(lines, idx)
    return ("timelabel", when) if when is not None else None


def _time_label(lines: list[tuple[int, int, str]], idx: int) -> str | None:
    r"""The text of a time label line (:data:`_TIME_LABEL`) with a list or a label under it.

    >>> ls = _iter_lines("11. 宇宙輸送\n2025年以降の主な取組(1)\n【事業支援】\n・ 活用する。\n2025年以降の主な取組\n")
    >>> _time_label(ls, 1), _time_label(ls, 4)
    ('2025年以降の主な取組(1)', None)
    """
    line = lines[idx][2].strip()
    if not _TIME_LABEL.match(line):
        return None
    nxt = _next_line(lines, idx)
    if _LABEL.match(nxt) or _BULLET.match(nxt) or _match_marker(nxt) is not None:
        return line
    return None


def _close_md(stack: list[_Level], level: int) -> None:
    """A heading printed at Markdown level ``level`` ends the unnumbered Markdown headings
    at that level or deeper: ``## 1. はじめに`` after ``## 改定履歴`` is its sibling, not
    its child."""
    for i, lv in enumerate(stack):
        if lv.kind.startswith("md") and lv.kind[2:].isdigit() and int(lv.kind[2:]) >= level:
            del stack[i:]
            return


def _slip(stack: list[_Level], kind: str, value: str) -> tuple[str, int, str] | None:
    if kind == "pnum" and value in SLIPS:
        kana = SLIPS[value]
        if _accepts(stack, "pkana", KANA.index(kana) + 1):
            return "pkana", KANA.index(kana) + 1, f"({kana})"
    return None


def _place(stack: list[_Level], kind: str, ordinal: int, marker: str, title: str) -> None:
    if kind == "wrapper":
        stack.clear()
        return
    while stack and stack[-1].kind in ("plabel", "topic"):
        stack.pop()  # a paragraph's label (or topic) labels only the paragraphs up to the next heading
    if kind in _PART_KINDS and stack and all(lv.kind in _LOWER_KINDS for lv in stack):
        stack.clear()  # 第1 after a cover letter's 1. 2. 3.: a part of the document, not an item's child
    if stack and stack[0].kind == "preface" and kind in TOP_KINDS and all(lv.kind != kind for lv in stack):
        stack.clear()
    # a time label or a titled item holds the bracketed labels under it: it ends the ones before it
    ends = ("label", "titled", kind) if kind in ("timelabel", "titled") else (kind,)
    article = _article_at(stack) if kind == "num" and ordinal == 2 else None
    if article is not None:  # a statute's second paragraph: under its article, past the first's items
        del stack[article + 1 :]
    for i, lv in enumerate(stack):
        if lv.kind in ends:
            del stack[i:]
            break
    stack.append(_Level(kind, ordinal, marker, title))


def parse_sections(text: str, nt: NormText | None = None) -> list[Section]:
    """Sections with their printed path and their own span in the *original* text.

    A section runs from its heading line to the next heading line.
    """
    nt = nt or identity(text)
    heads = heading_lines(nt)
    stack: list[_Level] = []
    out: list[Section] = []
    if heads and heads[0].start > 0 and nt.text[: heads[0].start].strip():
        out.append(Section((), "", 0, nt.original_offset(heads[0].start)))
    elif not heads and nt.text.strip():
        out.append(Section((), "", 0, len(text)))
    seen: dict[tuple[str, ...], int] = {}
    for i, h in enumerate(heads):
        if h.kind in ("special", "preface"):
            stack.clear()
        if h.md_level:
            _close_md(stack, h.md_level)
        _place(stack, h.kind, h.ordinal, h.marker, h.title)
        if h.kind == "article" and not _prints_first(heads, i):
            stack.append(_Level("num", 1, "1", ""))
        end_norm = heads[i + 1].start if i + 1 < len(heads) else len(nt.text)
        start = nt.original_offset(h.start)
        end = nt.original_offset(end_norm) if end_norm < len(nt.text) else len(text)
        path = tuple(lv.marker for lv in stack)
        seen[path] = seen.get(path, 0) + 1
        if seen[path] > 1 and stack:  # a path printed twice (a second 附則 without its own number): keep it apart
            stack[-1].marker = f"{stack[-1].marker}[{seen[path]}]"
            path = tuple(lv.marker for lv in stack)
        out.append(Section(path, h.title, start, end, h.printed))
    return out


def _prints_first(heads: list[HeadingLine], i: int) -> bool:
    """Whether the article at ``heads[i]`` prints its first paragraph's number (１) on a line
    of its own; if not, the article's own line is paragraph 1, also when no ２ follows
    (annotation.md: a statute's path is chapter, article, paragraph, item: 第四条 › 1)."""
    return i + 1 < len(heads) and heads[i + 1].kind == "num" and heads[i + 1].ordinal == 1


def breadcrumb(sections: list[Section]) -> dict[tuple[str, ...], str]:
    """Path → titles of the path's headings joined with ' › ' (for context and UI)."""
    titles: dict[tuple[str, ...], str] = {}
    for s in sections:
        if len(s.path) >= 2 and s.path[-1] == "1" and s.printed_marker == s.path[-2]:
            titles[s.path[:-1]] = s.title  # an article's caption, its line paragraph 1 (第二十八条 › 1)
            titles[s.path] = ""
            continue
        titles[s.path] = s.title
    out: dict[tuple[str, ...], str] = {}
    for path in titles:
        parts = [titles.get(path[: i + 1], "") for i in range(len(path))]
        out[path] = SECTION_SEP.join(p for p in parts if p)
    return out
