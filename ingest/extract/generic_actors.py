"""A measure's generic actor as printed (``actor_text``).

``annotation.md``: a generic actor (関係省庁, 各府省, 地方公共団体, 事業者) is recorded as the
measure's ``actor_text``, not as a named organ; a named collective (都道府県警察,
都道府県公安委員会) is an entity.  Extraction finds generic actors as entities of their own
kind (``Entity.generic``), so that retrieval can still gather what 関係省庁 do; this step
writes the words a measure printed for such an actor into its ``actor_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from policygraph.core.records import Entity, Measure, Mention

# a collective named by the kind of government it belongs to and its organ: 都道府県警察,
# 都道府県公安委員会, 市町村教育委員会 (not the governments themselves, nor their heads)
_NAMED_COLLECTIVE = re.compile(r"(?:都道府県|市町村|市区町村|区市町村)(?!知事|長$).{2,}")
# printed before a generic actor, part of how it is named (各府省, 各教育委員会, 管内市町村)
_EACH = re.compile(r"(?:各|管内の?|域内の?|全ての|すべての)$")
# the longest gap between two generic actors printed as one (国及び地方公共団体, 国・都道府県)
_JOINED_GAP = 3


def named_collective(label: str) -> bool:
    """Whether a generic entity is a named collective (an entity per annotation.md).

    >>> [named_collective(x) for x in ("都道府県警察", "都道府県公安委員会", "都道府県", "関係省庁", "都道府県知事")]
    [True, True, False, False, False]
    """
    return bool(_NAMED_COLLECTIVE.fullmatch(label))


# the state printed with a generic actor, not an entity of its own (国及び地方公共団体は)
_WITH_THE_STATE = re.compile(r"(?<![\u4e00-\u9fff])(?:国|政府)(?:及び|並びに|・|、|と)$")


# the rest of the compound noun a generic actor is printed in (補助事業者, 各消防署長, 各都道府県知事)
_WORD = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffー々]")


def _printed(text: str, m: Mention) -> tuple[int, int]:
    """The words printed for a generic actor: the whole compound noun it stands in, with the
    各 / 管内 before it and the state printed with it (国及び地方公共団体).

    >>> t = "補助事業者は、各消防署長と協議する。"
    >>> [t[slice(*_printed(t, Mention("x", s, i, i + len(s), "p")))] for s, i in (("事業者", 2), ("消防署", 8))]
    ['補助事業者', '各消防署長']
    """
    a, b = m.start, m.end
    while a > 0 and a > m.start - 8 and _WORD.match(text[a - 1]):
        a -= 1
    while b < len(text) and b < m.end + 8 and _WORD.match(text[b]):
        b += 1
    each = _EACH.search(text, max(0, a - 5), a)
    start = each.start() if each else a
    state = _WITH_THE_STATE.search(text, max(0, start - 5), start)
    return (state.start() if state else start), b


def generic_actor_text(
    measures: Iterable[Measure], mentions: Iterable[Mention], entities: Mapping[str, Entity], text: str
) -> list[Measure]:
    """``measures`` with ``actor_text`` set where an actor is generic and none is printed yet:
    the actor's words in the measure (its first mention there), else where the measure took
    it from (the last mention before the measure: a lead sentence, a heading); two generic
    actors printed together (国及び地方公共団体) as one phrase."""
    by_entity: dict[str, list[Mention]] = {}
    for m in mentions:
        by_entity.setdefault(m.entity, []).append(m)
    out = []
    for ms in measures:
        generic = [k for k in ms.actors
                   if (e := entities.get(k)) is not None and e.generic and not named_collective(e.label)]
        if ms.actor_text or not generic:
            out.append(ms)
            continue
        spans = []
        for k in generic:
            own = by_entity.get(k, [])
            inside = [m for m in own if ms.start <= m.start and m.end <= ms.end]
            before = [m for m in own if m.end <= ms.start]
            chosen = min(inside, key=lambda m: m.start) if inside else max(before, key=lambda m: m.end, default=None)
            if chosen is not None:
                spans.append(_printed(text, chosen))
        if not spans:
            out.append(ms)
            continue
        spans.sort()
        phrases = [list(spans[0])]
        for a, b in spans[1:]:
            if a - phrases[-1][1] <= _JOINED_GAP:
                phrases[-1][1] = max(phrases[-1][1], b)
            else:
                phrases.append([a, b])
        words = "、".join(" ".join(text[a:b].split()) for a, b in phrases)
        out.append(replace(ms, actor_text=words))
    return out
