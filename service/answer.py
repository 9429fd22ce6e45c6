"""Where a hit answers: the query's words marked in it, and its best sentence or item.

Both are pure functions of the hit's text and the query's Sudachi tokens.

* :func:`highlights` marks the words of the text whose Sudachi normalised form (or one of
  its mode-A parts) is a word of the query, so 取締り marks 取り締まり and 闇バイト対策
  marks 闇バイト.  Line breaks inside a word (PDF text) do not stop it: the text is
  tokenised with whitespace removed, and each mark maps back to the original offsets.
  Numbers, era names and counters (令和, 8, 年度) are marked only as part of a run that
  repeats the query's own sequence, so 令和8年度 does not mark 令和 in 令和10年度.
* :func:`best_unit` picks the sentence or list item that carries most of the query's
  weight (each word weighted by how rare it is), skipping the lead-in and the heading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from policygraph.indexes.sparse import SparseEncoder
from policygraph.ingest.numerals import KANJI_DIGITS

# words that mean little alone: numerals, era names, counters and time words
NUMERAL = re.compile(rf"[0-9０-９{KANJI_DIGITS}]+")
WEAK = re.compile(rf"{NUMERAL.pattern}|令和|平成|昭和|年度|年|月|日|中|末|度|以降|まで")
BULLET = re.compile(r"^\s*(?:[・●○◯■□◆◇▶▷►※\-–—*]|[0-9０-９]+[.．)）]|[（(][0-9０-９一二三四五六七八九十ア-ンｱ-ﾝa-zA-Z]+[)）]"
                    r"|[①-⑳]|[ア-ン][ 　.．、]|第[0-9０-９一二三四五六七八九十百]+[条項号節章])")
MARKUP = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|\|)")
BOLD_LINE = re.compile(r"\*\*[^*]+\*\*")
MIN_UNIT = 12  # a unit shorter than this (a heading, a label) is a poor answer


@dataclass(frozen=True)
class QueryWords:
    """The query's words: their normalised forms, in order (mode C units), and the set of
    forms that match (units and their mode-A parts)."""

    sequence: tuple[str, ...]
    forms: frozenset[str]
    groups: frozenset[int] = frozenset()  # Sudachi synonym groups of the query's words


def query_words(encoder: SparseEncoder, query: str) -> QueryWords:
    seq: list[str] = []
    forms: set[str] = set()
    groups: set[int] = set()
    for w in _units(encoder, _compact(query)[0]):
        seq.append(w.form)
        forms.add(w.form)
        forms.update(p for p, _, _ in w.parts(encoder))
        pos = w.morpheme.part_of_speech()
        if encoder.synonyms and pos[0] == "名詞" and "サ変可能" not in pos:  # 落とし物, not 行う or 実施
            groups.update(w.groups())
    return QueryWords(tuple(seq), frozenset(forms), frozenset(groups))


def highlights(encoder: SparseEncoder, text: str, q: QueryWords) -> list[tuple[int, int]]:
    """``[start, end)`` offsets in ``text`` of its words that match the query's words."""
    if not q.forms or not text:
        return []
    flat, where = _compact(text)
    units = _units(encoder, flat)
    units_set = frozenset(q.sequence)
    marks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        w = units[i]
        if w.form in q.forms and _weak(w.form):
            # weak words count only as a run that repeats the query's own sequence and
            # holds a number (令和8年度 marks 令和8年度, never 令和 of 令和10年度)
            n = _sequence_match(units, i, q.sequence)
            if n >= 2 and any(NUMERAL.fullmatch(units[k].form) for k in range(i, i + n)):
                marks.append((w.begin, units[i + n - 1].end))
                i += n
                continue
        elif w.form in units_set or (w.form in q.forms and len(w.form) >= 3):
            marks.append((w.begin, w.end))
        elif q.groups and encoder.synonyms and len(w.form) >= 2 and not _weak(w.form) and w.groups() & q.groups:
            marks.append((w.begin, w.end))  # a synonym of a query word (遺失物 for 落とし物)
        elif len(w.form) > 3:
            # a part of a text word: only a word of the query itself, and not a short one
            # (闇バイト of 闇バイト対策 is marked; 警察 of 警察庁 is not)
            marks.extend((pb, pe) for p, pb, pe in w.parts(encoder) if p in units_set and len(p) >= 3 and not _weak(p))
        i += 1
    return _to_original(_merge(marks), where)


def best_unit(text: str, marks: Sequence[tuple[int, int]], weight: Callable[[str], float],
              skip: int = 0, heading: str = "") -> tuple[int, int]:
    """``[start, end)`` in ``text`` of its sentence or list item that answers best: the
    most query weight among its marks (``weight`` of each distinct marked word), ties to
    the earlier one; units before ``skip`` (the lead-in), the heading line and very short
    units are not chosen while a longer one has marks.  With no marks at all, the first
    unit of substance."""
    units = [u for u in split_units(text) if u[0] >= skip]
    if not units:
        return (skip, len(text))
    head = _squash(plain(heading)) if heading else ""

    def poor(body: str) -> bool:  # a heading, a label, a bold line of its own
        c = _squash(plain(body))
        return len(c) < MIN_UNIT or bool(head and c.endswith(head)) or bool(BOLD_LINE.fullmatch(body.strip()))

    best: tuple[float, int, int] | None = None
    for s, e in units:
        body = text[s:e]
        words = {_squash(text[a:b]) for a, b in marks if a >= s and b <= e}
        score = sum(weight(w) for w in words)
        if poor(body):
            score *= 0.3
        if best is None or score > best[0]:
            best = (score, s, e)
    assert best is not None
    if best[0] > 0:
        return best[1], best[2]
    # no word of the query in it (a match by meaning): its first sentence of substance
    for s, e in units:
        if not poor(text[s:e]) and text[s:e].rstrip().endswith(("。", "．")):
            return s, e
    for s, e in units:
        if not poor(text[s:e]):
            return s, e
    return units[0]


def split_units(text: str) -> list[tuple[int, int]]:
    """Sentences and list items of ``text``: a unit ends at 。 or where the next line
    starts a list item or a heading; a line that continues a sentence (PDF wrapping)
    stays in it.  Offsets exclude surrounding whitespace and Markdown marks."""
    units: list[tuple[int, int]] = []
    start: int | None = None
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lead = len(body) - len(body.lstrip())
        if (BULLET.match(body) or MARKUP.match(body) or not body.strip()) and start is not None:
            units.append((start, pos))
            start = None
        if body.strip():
            m = MARKUP.match(body)
            begin = pos + (m.end() if m else lead)
            if start is None:
                start = begin
            for dot in re.finditer(r"[。．](?![）)」』])", body):
                end = pos + dot.end()
                if end > start:
                    units.append((start, end))
                start = end
            if start is not None and not text[start:pos + len(body)].strip():
                start = None
        pos += len(line)
    if start is not None:
        units.append((start, pos))
    out = []
    for s, e in units:
        chunk = text[s:e]
        s2 = s + len(chunk) - len(chunk.lstrip())
        e2 = s + len(chunk.rstrip())
        if e2 > s2:
            out.append((s2, e2))
    return out


def plain(text: str) -> str:
    """``text`` without Markdown noise: heading marks, emphasis, table pipes."""
    text = re.sub(r"(?m)^[ \t]*#{1,6}[ \t]+", "", text)
    text = text.replace("**", "")  # only the marks our readers write: a literal __ or ` stays
    return re.sub(r"(?m)^\s*\|?\s*-{3,}\s*\|?\s*$", "", text)


# ---- internals -----------------------------------------------------------------------


def _squash(text: str) -> str:
    """``text`` NFKC-normalised with whitespace removed (no offsets kept)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _compact(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised per character with whitespace removed, and for each of its
    characters the offset in ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    normal = unicodedata.is_normalized("NFKC", text)
    for i, c in enumerate(text):
        if c.isspace():
            continue
        n = c if normal or c.isascii() else unicodedata.normalize("NFKC", c)
        if not n.strip():
            continue
        out.append(n)
        where.extend([i] * len(n))
    return "".join(out), where


@dataclass(frozen=True)
class _Word:
    """A content word of a text: its normalised form and place; its mode-A parts and
    synonym groups are read from the morpheme only when asked (most words never are)."""

    form: str
    begin: int
    end: int
    morpheme: Any
    base: int

    def parts(self, encoder: SparseEncoder) -> list[tuple[str, int, int]]:
        return [(t, self.base + p.begin(), self.base + p.end()) for t, p in encoder.parts(self.morpheme)]

    def groups(self) -> frozenset[int]:
        return frozenset(self.morpheme.synonym_group_ids())


def _units(encoder: SparseEncoder, flat: str) -> list[_Word]:
    """The content words of ``flat`` (the encoder's own walk, with places)."""
    return [_Word(form, base + m.begin(), base + m.end(), m, base) for m, form, base in encoder.morphemes(flat)]


def _weak(form: str) -> bool:
    return bool(WEAK.fullmatch(form))


def _sequence_match(units: Sequence[_Word], i: int, seq: Sequence[str]) -> int:
    """The longest run from ``units[i]`` that equals a contiguous slice of ``seq``."""
    best = 0
    for j in range(len(seq)):
        n = 0
        while i + n < len(units) and j + n < len(seq) and units[i + n].form == seq[j + n]:
            n += 1
        best = max(best, n)
    return best


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _to_original(spans: list[tuple[int, int]], where: list[int]) -> list[tuple[int, int]]:
    return [(where[s], where[e - 1] + 1) for s, e in spans if e > s]
