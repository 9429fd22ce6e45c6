"""同法, 同省, 同校, 同計画: the thing of that kind the text named last.

Official Japanese writes 同 + a kind word for the entity of that kind it has just named
(…法律（以下略）…。同法第5条…, 文部科学省は…。同省は…).  Each such word is a mention of
the nearest entity before it in the document whose name ends with that kind word, so the
entity's page lists the passage and an article after it (同法第5条) is cited as that law's.
A kind word inside a longer word is not one (同法人 is "the same corporation", 同法施行令
another law), and nor is 同 inside a word (共同, 合同).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable

from policygraph.core.records import Entity, Mention

# kind word → the name endings of what it can stand for
_KINDS: dict[str, tuple[str, ...]] = {
    "法": ("法", "法律"), "法律": ("法", "法律"), "政令": ("令",), "省令": ("省令", "規則"), "条例": ("条例",),
    "規則": ("規則",), "省": ("省",), "庁": ("庁",), "局": ("局",), "課": ("課",), "委員会": ("委員会",),
    "本部": ("本部",), "会議": ("会議",), "機構": ("機構",), "センター": ("センター",), "校": ("校",),
    "大学": ("大学",), "社": ("社",), "協議会": ("協議会",), "計画": ("計画",), "戦略": ("戦略",),
    "方針": ("方針",), "指針": ("指針",), "要綱": ("要綱",), "要領": ("要領",), "制度": ("制度",),
    "事業": ("事業",), "システム": ("システム",),
}
_ANAPHOR = re.compile(
    r"(?<![\u4e00-\u9fff々〆ヵヶ])同(" + "|".join(sorted(_KINDS, key=len, reverse=True)) + r")"
    r"(?![\u4e00-\u9fff々ァ-ヶー](?<!第))")


def anaphor_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind word) of each 同 + kind word standing alone in ``text``.

    >>> anaphor_spans("同法第5条により、同省は同法人に通知する。同法施行令、共同事業")
    [(0, 2, '法'), (9, 11, '省')]
    """
    return [(m.start(), m.end(), m.group(1)) for m in _ANAPHOR.finditer(text)]


def same_as_before(
    passages: Iterable[tuple[str, str, Callable[[int, int], tuple[int, int]]]],
    mentions: list[Mention],
    entities: dict[str, Entity],
) -> list[Mention]:
    """Mentions of the entities each 同 + kind word stands for.  ``passages``: (passage id,
    normalised text, its span → original span) in document order; ``mentions``: the
    document's mentions so far, with original offsets."""
    named = sorted((m.start, m.entity) for m in mentions
                   if m.entity in entities and not entities[m.entity].generic)
    starts = [s for s, _ in named]
    taken = {(m.start, m.end) for m in mentions}
    out: list[Mention] = []
    for pid, text, to_original in passages:
        for a, b, kind in anaphor_spans(text):
            oa, ob = to_original(a, b)
            if (oa, ob) in taken:
                continue
            ends = _KINDS[kind]
            # the nearest named before it, walking back from where it stands
            last = next((k for _, k in reversed(named[: bisect_left(starts, oa)])
                         if entities[k].label.endswith(ends)), None)
            if last is not None:
                out.append(Mention(entity=last, surface=text[a:b], start=oa, end=ob, passage_id=pid))
    return out
