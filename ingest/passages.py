"""Split sections into citable passages (at most 1,200 characters of original text).

A passage never crosses a section boundary, except that a heading with no body of
its own (``イ 警察用航空機運用の広域化``) is carried into the first passage of the
section that follows it, so the heading and its first item are cited together; so is a
heading over a line or two of no sentence (a roadmap's ［BCP対応］ over its cell
「体制を構築」), which says too little to be found alone.
Paragraphs are grouped up to a target length; an over-long paragraph is cut at
sentence ends (。).

Each passage also keeps, as its ``lead``, the closing paragraph of the passage before
it when that paragraph is short (at most LEAD characters): search hits show it as the
lead-in of the passage (「加えて、…通知する。」 before 「(3) 青少年を…」), so a hit
cites the place where a reader would start, also when what the passage answers begins
just before its own first line. The lead is neither parsed nor indexed with the passage:
it belongs to the passage before.

>>> from core.records import Section
>>> text = "イ 見出し\\n\\n(ア) 警察庁は、検討する。\\n\\n(イ) 都道府県警察は、協力する。"
>>> secs = [Section(("イ",), "見出し", 0, 7), Section(("イ", "(ア)"), "", 7, 23),
...         Section(("イ", "(イ)"), "", 23, len(text))]
>>> [(p.section, p.text) for p in split_passages("d", text, secs)]
[(('イ', '(ア)'), 'イ 見出し\\n\\n(ア) 警察庁は、検討する。\\n\\n(イ) 都道府県警察は、協力する。')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from policygraph.core.ids import sha
from policygraph.core.records import Passage, Section
from policygraph.ingest.bullets import BULLETS as BULLET_CHARS
from policygraph.ingest.sections import breadcrumb

MAX_LEN = 1200
TARGET = 450
LEAD = 200
HEADING_ONLY = 120
PREAMBLE = 400
BULLETS = frozenset(BULLET_CHARS + "※-－*＊")
_PARA = re.compile(r"\n[ \t\u3000]*\n")
_SENT = re.compile(r"(?<=。)")


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Trimmed paragraph spans within [start, end)."""
    pos = start
    for m in _PARA.finditer(text, start, end):
        yield from _trim(text, pos, m.start())
        pos = m.end()
    yield from _trim(text, pos, end)


def _trim(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        yield from _cut_long(text, a, b)


def _cut_long(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """Cut a span longer than MAX_LEN at sentence ends (or hard, as a last resort)."""
    while b - a > MAX_LEN:
        window = text[a : a + MAX_LEN]
        cut = max(window.rfind("。", 0, MAX_LEN - 1), window.rfind("\n", 0, MAX_LEN - 1))
        cut = a + cut + 1 if cut > MAX_LEN // 4 else a + TARGET * 2
        yield (a, cut)
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if a < b:
        yield (a, b)


def _is_label(text: str, a: int, b: int) -> bool:
    """A short line that introduces what follows (``[急増する輸入貨物への対応]``): one
    line, no sentence, not a bullet item (``▶…`` is an item of its own).

    >>> _is_label("［検査画像データの蓄積］", 0, 12), _is_label("▶実現に向けて必要\\nな事項の整理", 0, 16)
    (True, False)
    """
    body = text[a:b]
    return b - a <= 40 and "。" not in body and "\n" not in body and body[:1] not in BULLETS


def _chunks(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Group consecutive paragraph spans up to TARGET characters.

    A short label paragraph never ends a chunk: it opens the next one.
    """
    cur: list[tuple[int, int]] = []
    for a, b in spans:
        if not cur:
            cur = [(a, b)]
            continue
        start = cur[0][0]
        if b - start <= TARGET or (cur[-1][1] - start < TARGET // 3 and b - start <= MAX_LEN):
            cur.append((a, b))
            continue
        if len(cur) > 1 and _is_label(text, *cur[-1]) and b - cur[-1][0] <= MAX_LEN:
            last = cur.pop()
            yield (cur[0][0], cur[-1][1])
            cur = [last, (a, b)]
            continue
        yield (start, cur[-1][1])
        cur = [(a, b)]
    if cur:
        yield (cur[0][0], cur[-1][1])


def split_passages(doc_id: str, text: str, sections: list[Section],
                   contents: Sequence[tuple[int, int]] = ()) -> list[Passage]:
    """Passages of a document; ``contents`` are the spans of its 目次 lines: a passage
    mostly made of them is marked ``contents`` (a table of contents answers no question
    by itself, it only repeats the headings) and lends no lead-in."""
    crumbs = breadcrumb(sections)
    out: list[Passage] = []
    carry: int | None = None
    carry_path: tuple[str, ...] = ()
    groups = list(_grouped(text, sections))
    for n, (sec, spans) in enumerate(groups):
        last = n == len(groups) - 1
        body = text[spans[0][0] : spans[-1][1]]
        # a heading over a line or two of no sentence (a roadmap's ［BCP対応］ over its cell
        # 「体制を構築」) says too little to be found alone: it is cited with what follows
        heading_only = bool(sec.title or "。" not in body) if len(spans) == 1 else bool(sec.title) and "。" not in body
        # a short lead-in whose items follow as subsections (（4）送付期限 / …次の要領により行うこと。)
        lead_in = not last and groups[n + 1][0].path[: len(sec.path)] == sec.path and len(groups[n + 1][0].path) > len(
            sec.path)
        if not last and (
            (sec.path and len(body) <= HEADING_ONLY and (heading_only or lead_in))
            # a title block before the first heading (title, date, issuer, column heads):
            # no sentence of its own, so it is cited with what follows it
            or (not sec.path and n == 0 and len(body) <= PREAMBLE and "。" not in body)
        ):
            if carry is None:
                carry, carry_path = spans[0][0], sec.path
            continue
        chunks = list(_chunks(text, spans))
        label = None
        if not last and len(spans) > 1 and _is_label(text, *spans[-1]) and chunks[-1][0] < spans[-1][0]:
            # a label closing the section (［検査画像データの蓄積］) introduces the next one
            label = spans[-1][0]
            chunks[-1] = (chunks[-1][0], spans[-2][1])
        for i, (a, b) in enumerate(chunks):
            if i == 0 and carry is not None:
                if b - carry <= MAX_LEN:
                    a = carry
                elif text[carry:a].strip():  # too long to join: the carried block is a passage of its own
                    for x, y in _chunks(text, list(_paragraphs(text, carry, a))):
                        out.append(_passage(doc_id, text, carry_path, x, y, len(out), crumbs.get(carry_path, "")))
            carry = None
            out.append(_passage(doc_id, text, sec.path, a, b, len(out), crumbs.get(sec.path, "")))
        carry, carry_path = label, sec.path
    if contents:
        out = [replace(p, contents=True) if _mostly(text, p, contents) else p for p in out]
    return with_leads(text, out)


def _mostly(text: str, p: Passage, spans: Sequence[tuple[int, int]]) -> bool:
    """Most of the passage is 目次 lines and the rest holds no sentence (a title block)."""
    keep = []
    inside = 0
    pos = p.start
    for a, b in sorted(spans):
        a, b = max(a, p.start), min(b, p.end)
        if a >= b:
            continue
        keep.append(text[pos:a])
        inside += len("".join(text[a:b].split()))
        pos = b
    keep.append(text[pos : p.end])
    rest = "".join("".join(keep).split())
    return inside > 0 and inside >= len(rest) and "。" not in rest


def with_leads(text: str, passages: list[Passage]) -> list[Passage]:
    """Give each passage the short closing paragraph of the one before as its lead.

    Only across blank lines (nothing skipped in between), and only while lead and
    passage together stay within MAX_LEN.

    >>> from core.records import Passage
    >>> t = "前の段落です。\\n\\n短い結び。\\n\\n(3) 次の項目。"
    >>> ps = [Passage("a", "d", 0, ("1",), 0, 14, t[0:14]), Passage("b", "d", 1, ("2",), 16, len(t), t[16:])]
    >>> [p.lead for p in with_leads(t, ps)]
    ['', '短い結び。\\n\\n']
    """
    out = []
    for prev, p in zip([None, *passages], passages, strict=False):  # each with the one before
        if prev is None or prev.contents or prev.end > p.start or text[prev.end : p.start].strip():
            out.append(p)
            continue
        cuts = [m.end() for m in _PARA.finditer(text, prev.start, prev.end)]
        a = cuts[-1] if cuts else prev.start
        if p.start - a > LEAD or p.end - a > MAX_LEN:
            out.append(p)
            continue
        out.append(replace(p, lead=text[a : p.start]))
    return out


def _grouped(text: str, sections: list[Section]) -> Iterator[tuple[Section, list[tuple[int, int]]]]:
    """Sections with their paragraph spans; runs of short sibling items
    (``(19)「免許証」とは…。`` ``(20)…``) are merged under the first one."""
    group: tuple[Section, list[tuple[int, int]]] | None = None
    for sec in sections:
        spans = list(_paragraphs(text, sec.start, sec.end))
        if not spans:
            continue
        size = spans[-1][1] - spans[0][0]
        if (
            group is not None
            and sec.path[:-1] == group[0].path[:-1]
            and len(sec.path) == len(group[0].path)
            and not sec.title
            and not group[0].title
            and spans[-1][1] - group[1][0][0] <= TARGET
            and size < TARGET // 2
        ):
            group[1].extend(spans)
            continue
        if group is not None:
            yield group
        group = (sec, spans)
    if group is not None:
        yield group


def _passage(doc_id: str, text: str, path: tuple[str, ...], a: int, b: int, n: int, heading: str) -> Passage:
    body = text[a:b]
    return Passage(
        id=sha(doc_id, a, b, body),
        doc_id=doc_id,
        ordinal=n,
        section=path,
        start=a,
        end=b,
        text=body,
        heading=heading,
    )
