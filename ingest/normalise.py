r"""Normalise text for analysis while keeping a map back to the original offsets.

A :class:`NormText` is the normalised string plus, for every character, the span of
the original text it came from.  Every repair (NFKC, dropped ruby leftovers such as
``<sup>ふかん</sup>``, HTML tags and comments, Markdown bold markers, images and link
targets, spaced letters ``T A I T``,
spaces inside era dates ``令和 5 年``) is a deletion or a replacement that keeps the
map, so any span found in the normalised text maps back to the original exactly.

>>> nt = normalise("警 察 庁\n（T A I T）が令和 ８ 年に")
>>> nt.text
'警察庁\n(TAIT)が令和8年に'
>>> nt.original_span(*span_of(nt.text, "TAIT"))
(7, 14)
>>> normalise("[1.6 府省庁ごと](#16-府省庁ごと) ![図](media/a.png)<!-- omit -->").text
'[1.6 府省庁ごと] '
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from policygraph.core.radicals import unify_radicals
from policygraph.ingest.bullets import BULLETS
from policygraph.ingest.numerals import KANJI_1_9

CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30fc"


@dataclass(frozen=True)
class NormText:
    """Normalised text with, per character, its original [start, end) span."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    origin_len: int

    def original_span(self, a: int, b: int) -> tuple[int, int]:
        """Map a normalised span [a, b) to the original text."""
        if not self.text:
            return (0, 0)
        a = max(0, min(a, len(self.text) - 1))
        b = max(a + 1, min(b, len(self.text)))
        return (self.starts[a], self.ends[b - 1])

    def original_offset(self, a: int) -> int:
        """Original offset of the normalised position ``a`` (a may equal len(text))."""
        if a >= len(self.text):
            return self.origin_len
        return self.starts[a]


def identity(text: str) -> NormText:
    n = len(text)
    return NormText(text, tuple(range(n)), tuple(range(1, n + 1)), n)


def _rebuild(
    nt: NormText, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]
) -> NormText:
    """Replace every match; replacement chars map to the whole matched original span."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in pattern.finditer(nt.text):
        a, b = m.span()
        out.append(nt.text[pos:a])
        starts.extend(nt.starts[pos:a])
        ends.extend(nt.ends[pos:a])
        new = repl(m)
        if new and a < b:
            s, e = nt.starts[a], nt.ends[b - 1]
            out.append(new)
            starts.extend([s] * len(new))
            ends.extend([e] * len(new))
        pos = b
    out.append(nt.text[pos:])
    starts.extend(nt.starts[pos:])
    ends.extend(nt.ends[pos:])
    return NormText("".join(out), tuple(starts), tuple(ends), nt.origin_len)


def _delete_groups(nt: NormText, pattern: re.Pattern[str], char: str = " ") -> NormText:
    """Delete every ``char`` inside each match (e.g. the spaces of ``T A I T``)."""
    return _rebuild(nt, pattern, lambda m: m.group(0).replace(char, ""))


def nfkc(nt: NormText) -> NormText:
    """NFKC per character (full-width digits and brackets to ASCII; a radical standing for
    a kanji to the kanji), map kept."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for ch, s, e in zip(nt.text, nt.starts, nt.ends, strict=True):
        n = unicodedata.normalize("NFKC", unify_radicals(ch)) if ord(ch) > 0x7F and ch not in _KEEP else ch
        if ch == "\u3000":
            n = " "
        out.append(n)
        starts.extend([s] * len(n))
        ends.extend([e] * len(n))
    return NormText("".join(out), tuple(starts), tuple(ends), nt.origin_len)


# footnote marks and circled numbers stay what they are (NFKC would make them digits)
_KEEP = frozenset("¹²³⁴⁵⁶⁷⁸⁹⁰" + "".join(chr(c) for c in range(0x2460, 0x2474)))
_RUBY = re.compile(r"<(sup|rt|rp)>[^<]{0,20}</\1>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Markdown: an image is dropped whole, a link keeps its text (``[目次](#16-府省庁…)``)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,200}\]\([^()\s]{0,500}\)")
_MD_TARGET = re.compile(r"(?<=\])\((?:#|https?://|\.{0,2}/)[^()\s]{0,500}\)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>")
_BOLD = re.compile(r"\*\*|__")
_SPACED_LATIN = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z](?![A-Za-z]))+")
_SPACED_CJK = re.compile(rf"(?<![{CJK}])[{CJK}](?: [{CJK}](?![{CJK}])){{2,}}")
# (not a heading's number at a line's start, 3　日本語教育の推進, or after a Markdown heading's
# #: # 1 日付及び曜日; nor 日本)
_DATE_SPACE = re.compile(r"(?:令和|平成|昭和|元)\s+(?=\d)|(?<=\d)(?<!^\d)(?<!\n\d)(?<!\n\d\d)(?<!#\s\d)(?<!#\s\d\d)\s+(?=年|月|日(?!本))"
                         r"|(?<=年)\s+(?=\d{1,2}\s*月)|(?<=月)\s+(?=\d{1,2}\s*日)")
_SPACE_BEFORE_CJK = re.compile(rf"(?<=[A-Za-z0-9])[ ](?=[{CJK}])")


def _empty(_m: re.Match[str]) -> str:
    return ""


def normalise(text: str) -> NormText:
    """All repairs for analysis, in order; offsets map back to ``text``."""
    nt = identity(text)
    nt = _rebuild(nt, _COMMENT, _empty)
    nt = _rebuild(nt, _MD_IMAGE, _empty)
    nt = _rebuild(nt, _MD_TARGET, _empty)
    nt = _rebuild(nt, _RUBY, _empty)
    nt = _rebuild(nt, _TAG, _empty)
    nt = nfkc(nt)
    nt = _rebuild(nt, _BOLD, _empty)
    nt = _delete_groups(nt, _SPACED_LATIN)
    nt = _delete_groups(nt, _SPACED_CJK)
    nt = _rebuild(nt, _DATE_SPACE, lambda m: m.group(0).strip())
    return nt


# A hard-wrapped line break: the line is full and stops mid-sentence, the next line
# goes on (not a heading, item or bullet).
_MARKER_START = re.compile(
    r"[ \t]*(?:第|[0-9]+[ .．、)]|[(（]|[ア-ン][ .．]|[" + KANJI_1_9 + "十]+[ 、.．]"
    r"|[◯◎※＊*#>\-－–—" + BULLETS + r"]|[\u2460-\u2473])"
)
_GOES_ON_END = re.compile(rf"[{CJK}0-9A-Za-z、,(「『]$")
_GOES_ON_START = re.compile(rf"[{CJK}0-9A-Za-z)」』、。]")


def soft_wraps(text: str, max_width: int = 100, min_share: float = 0.2, full: float = 0.85) -> list[tuple[int, int]]:
    r"""Spans of the line breaks that only wrap a paragraph (fixed-width text, PDF text layers).

    The document must look hard-wrapped: its usual long-line width (90th percentile)
    at most ``max_width`` characters and at least ``min_share`` of its lines full (``full``
    of that width or more: proportional fonts make PDF lines uneven).
    A break is a wrap when the line before is full and stops
    mid-sentence and the next line goes on without a heading or item marker; between two
    ASCII characters (English words) a break is a space, not a wrap, and stays.

    >>> body = "警察庁は、警察共通基盤を活用したシステムの検討を進\n" * 9
    >>> text = "標題\n" + body + "め、令和4年度末までに行う。\n(1) 次の項目"
    >>> spans = soft_wraps(text)
    >>> len(spans), text[spans[0][0]:spans[0][1]] == "\n"
    (9, True)
    >>> soft_wraps("短い行\n" * 20)
    []
    """
    lines = text.split("\n")
    # a table's rows (tab-separated cells) are not wrapped text: they neither set the width
    # nor wrap
    widths = sorted(len(line.rstrip()) for line in lines if line.strip() and "\t" not in line)
    if len(widths) < 8:
        return []
    width = widths[int(len(widths) * 0.9)]
    least = width * full
    if width > max_width or width < 12 or sum(w >= least for w in widths) < min_share * len(widths):
        return []
    spans = []
    pos = 0
    for a, b in zip(lines, lines[1:], strict=False):
        nl = pos + len(a)
        head = a.rstrip()
        nxt = b.lstrip()
        if ("\t" not in a and "\t" not in b and len(head) >= least and _GOES_ON_END.search(head) and nxt and _GOES_ON_START.match(nxt)
                and not _MARKER_START.match(b) and not (head[-1].isascii() and nxt[0].isascii())):
            spans.append((pos + len(head), nl + 1 + len(b) - len(nxt)))
        pos = nl + 1
    return spans


def join_soft_wraps(nt: NormText) -> NormText:
    r"""Delete the hard wraps inside paragraphs (see :func:`soft_wraps`), map kept, so a
    name broken over two lines (警 / 察共通基盤) is one word for the parser.

    >>> nt = join_soft_wraps(normalise("見出し\n" + ("あ" * 30 + "警\n察共通基盤を使う。\n") * 10))
    >>> nt.original_span(*span_of(nt.text, "警察共通基盤"))
    (34, 41)
    """
    spans = soft_wraps(nt.text)
    if not spans:
        return nt
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b in spans:
        out.append(nt.text[pos:a])
        starts.extend(nt.starts[pos:a])
        ends.extend(nt.ends[pos:a])
        pos = b
    out.append(nt.text[pos:])
    starts.extend(nt.starts[pos:])
    ends.extend(nt.ends[pos:])
    return NormText("".join(out), tuple(starts), tuple(ends), nt.origin_len)


def compact(text: str) -> str:
    """A search/matching key: NFKC, no whitespace.

    >>> compact("警 察 庁　（T3）")
    '警察庁(T3)'
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", unify_radicals(text)))


def span_of(text: str, needle: str) -> tuple[int, int]:
    """Span of the first occurrence of ``needle`` (for doctests and tests)."""
    i = text.index(needle)
    return (i, i + len(needle))
