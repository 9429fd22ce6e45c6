"""Article citations of laws: 道路交通法第103条第3項, 法第109条, 警察法（昭和二十九年法律第百六十二号）第五十一条第一項.

A citation is a law (an entity the document mentions, or a short term it defines for
one: 道路交通法（昭和35年法律第105号。以下「法」という。）) followed by an article, and
optionally its paragraph and item.  Each becomes a :class:`core.records.Citation` with
offsets into the original text; a short term's use is a mention of its law too (the
term itself stays local to the document, as aliases.py keeps it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from policygraph.core.records import Citation, Mention
from policygraph.ingest.extract.deadlines import numeral
from policygraph.ingest.numerals import KANJI_DIGITS

_N = rf"[0-9]+|[{KANJI_DIGITS}]+"
_ARTICLE = re.compile(rf"第({_N})条(?:の({_N}))?(?:第({_N})項)?(?:第({_N})号)?")
# the law's number (and what it defines) between its name and the article: （昭和35年法律第105号。以下「法」という。）
_NUMBER = re.compile(r"\((?:明治|大正|昭和|平成|令和)[^()]{1,40}?号(?:。([^()]{0,40}))?\)")
_TERM = re.compile(r"以下「([^」]{1,4})」")
_SHORT = r"法|令|府令|規則|省令|施行令|施行規則"
_BEFORE_TERM = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]")  # 方法第…: a kanji/katakana before it joins a word


def article_of(m: re.Match[str]) -> str:
    """Canonical article reference in Arabic numerals.

    >>> article_of(_ARTICLE.match("第五十一条第一項本文"))
    '第51条第1項'
    >>> article_of(_ARTICLE.match("第36条の2第3号"))
    '第36条の2第3号'
    """
    art, sub, para, item = m.groups()
    out = f"第{numeral(art)}条" + (f"の{numeral(sub)}" if sub else "")
    return out + (f"第{numeral(para)}項" if para else "") + (f"第{numeral(item)}号" if item else "")


def local_terms(texts: Iterable[str], laws: Iterable[tuple[int, str, int]]) -> dict[str, str]:
    """Short terms defined for a law inside its number's parentheses: term → law key.
    ``laws`` are (text index, law key, end offset of the law's name in that text)."""
    texts = list(texts)
    out: dict[str, str] = {}
    for i, key, end in laws:
        m = _NUMBER.match(texts[i], end)
        if m and m.group(1):
            t = _TERM.search(m.group(1))
            if t and re.fullmatch(_SHORT, t.group(1)):
                out.setdefault(t.group(1), key)
    return out


def citations_in(text: str, laws: list[tuple[str, int, int]], terms: dict[str, str],
                 ) -> list[tuple[str, str, int, int, str | None]]:
    """(law key, article, start, end, the short term it is cited by or None) of each
    citation in one passage's text.

    ``laws``: (key, start, end) of the law mentions in ``text``.

    >>> t = "道路交通法(昭和35年法律第105号。以下「法」という。)第103条第3項及び法第109条による。"
    >>> [(k, a, t[s:e]) for k, a, s, e, _ in citations_in(t, [("dkh", 0, 5)], {"法": "dkh"})]
    [('dkh', '第103条第3項', '道路交通法(昭和35年法律第105号。以下「法」という。)第103条第3項'), ('dkh', '第109条', '法第109条')]
    """
    out: list[tuple[str, str, int, int, str | None]] = []
    for key, a, b in laws:
        pos = b
        num = _NUMBER.match(text, pos)
        if num:
            pos = num.end()
        m = _ARTICLE.match(text, pos)
        if m:
            out.append((key, article_of(m), a, m.end(), None))
    if terms:
        taken = [(s, e) for _, _, s, e, _ in out] + [(a, b) for _, a, b in laws]
        for m in re.finditer(rf"({'|'.join(map(re.escape, sorted(terms, key=len, reverse=True)))})(?=第)", text):
            if m.start() > 0 and _BEFORE_TERM.match(text[m.start() - 1]):
                continue
            if any(s <= m.start() < e for s, e in taken):
                continue
            art = _ARTICLE.match(text, m.end())
            if art:
                out.append((terms[m.group(1)], article_of(art), m.start(), art.end(), m.group(1)))
    return sorted(out, key=lambda c: c[2])


def extract_citations(
    passages: list[tuple[str, str, Callable[[int, int], tuple[int, int]], Callable[[int], int]]],
    mentions: list[Mention],
    law_keys: set[str],
) -> tuple[list[Citation], list[Mention]]:
    """Citations of a document and the mentions its short terms add.

    ``passages``: (passage id, parsed text, to_original(a, b), from_original(o)) in order.
    """
    by_passage: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.entity in law_keys:
            by_passage.setdefault(m.passage_id, []).append(m)
    spans: list[list[tuple[str, int, int]]] = []
    for pid, _text, _to, from_orig in passages:
        spans.append([(m.entity, from_orig(m.start), from_orig(m.end)) for m in by_passage.get(pid, [])])
    terms = local_terms([p[1] for p in passages], [(i, k, b) for i, sp in enumerate(spans) for k, _a, b in sp])
    cites: list[Citation] = []
    added: list[Mention] = []
    for (pid, text, to_orig, _from), laws in zip(passages, spans, strict=True):
        for key, article, a, b, term in citations_in(text, laws, terms):
            oa, ob = to_orig(a, b)
            cites.append(Citation(law=key, article=article, surface=text[a:b], start=oa, end=ob, passage_id=pid))
            if term:
                ta, tb = to_orig(a, a + len(term))
                added.append(Mention(entity=key, surface=term, start=ta, end=tb, passage_id=pid))
    return cites, added
