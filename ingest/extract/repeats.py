"""A name the document has used is a mention wherever else it prints it.

The parser tags a name where its context gives it away (「総合評価方式」 in quotes, a
scheme the gazetteer knows); the same words later in a heading, a table cell or a plain
sentence are often left untagged.  Annotation lists every printed occurrence
(annotation.md), and a reader looking up the entity wants every passage that names it, so
each name (label or alias) of an entity the document mentions is a mention wherever it
stands as a word of its own and no other mention covers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from policygraph.core.records import Entity, Mention

# a name of this many characters or more is specific enough to find by its letters alone
_MIN_CHARS = 4
# what may follow a name inside a compound and still leave it the name (総合評価方式等,
# 地方自治法第3条); any other kanji, kana-word or Latin letter makes it part of a longer word
_JOINS = "等第"
_KANJI = "\u4e00-\u9fff々"
_KATAKANA = "\u30a1-\u30faー"
_LATIN = "A-Za-z0-9"
# a law's or notice's number (平成十七年厚生労働省令第二十一号, 昭和59年法律第68号) is how it is cited
# beside its name, not a name that stands for it elsewhere (an amendment's 附則 prints it)
_NUMBER = re.compile(r"第[0-9０-９一二三四五六七八九十百千]+号$")


def _classes(ch: str) -> str:
    return next((c for c in (_KANJI, _KATAKANA, _LATIN) if re.match(f"[{c}]", ch)), "")


def _stands_alone(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] is a word of its own: not the tail of a longer katakana or Latin
    word before it, nor the head of a longer word after it.

    >>> t = "総合評価方式は、新総合評価方式適用業務、総合評価方式等、ISO9001とISO90012"
    >>> [_stands_alone(t, a, a + n) for a, n in [(0, 6), (9, 6), (20, 6), (28, 7), (36, 7)]]
    [True, False, True, True, False]
    """
    before = _classes(text[a - 1]) if a > 0 else ""
    if before and before != _KANJI and before == _classes(text[a]):
        return False
    if b < len(text):
        after = _classes(text[b])
        if after and after == _classes(text[b - 1]) and text[b] not in _JOINS:
            return False
        if after == _KANJI and text[b] not in _JOINS:
            return False
    return True


def repeated_names(
    passages: Iterable[tuple[str, str, Callable[[int, int], tuple[int, int]]]],
    mentions: list[Mention],
    entities: dict[str, Entity],
) -> list[Mention]:
    """Mentions of the names of the entities the document mentions, where the text prints
    them and nothing was tagged.  ``passages``: (passage id, normalised text, its span →
    original span); ``mentions`` the document's so far, with original offsets.  A name
    two entities share, a generic actor's and a short one are left alone.

    >>> from policygraph.core.records import Entity, Mention
    >>> ents = {"p": Entity("p", "総合評価方式", "Program"), "g": Entity("g", "総合評価方式に関する指針", "Plan")}
    >>> ms = [Mention("p", "総合評価方式", 0, 6, "x"), Mention("g", "総合評価方式に関する指針", 9, 21, "x")]
    >>> t = "総合評価方式」、「総合評価方式に関する指針」。２ 総合評価方式の概要"
    >>> [(m.entity, m.start) for m in repeated_names([("x", t, lambda a, b: (a, b))], ms, ents)]
    [('p', 25)]
    """
    named = {m.entity for m in mentions}
    owners: dict[str, set[str]] = {}
    for key in named:
        e = entities.get(key)
        if e is None or e.generic:
            continue
        for name in (e.label, *e.aliases):
            if len(name) >= _MIN_CHARS and name.strip() == name and not _NUMBER.search(name):
                owners.setdefault(name, set()).add(key)
    names = sorted((n for n, ks in owners.items() if len(ks) == 1), key=len, reverse=True)
    if not names:
        return []
    pattern = re.compile("|".join(map(re.escape, names)))
    taken: dict[str, list[tuple[int, int]]] = {}
    for men in mentions:
        taken.setdefault(men.passage_id, []).append((men.start, men.end))
    out: list[Mention] = []
    for pid, text, to_original in passages:
        spans = taken.get(pid, [])
        for m in pattern.finditer(text):
            a, b = m.span()
            if not _stands_alone(text, a, b):
                continue
            oa, ob = to_original(a, b)
            if any(x < ob and oa < y for x, y in spans):
                continue
            out.append(Mention(entity=next(iter(owners[m.group()])), surface=m.group(), start=oa, end=ob,
                               passage_id=pid))
    return out
