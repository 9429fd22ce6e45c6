"""Relations between entities that the text states.

``runsOn``: a system that a sentence places on a platform — 運転者管理システムは、…警察共通基盤上で
運用を開始, 警察情報管理システムを、警察共通基盤上に順次共通化 — so the platform and the
systems on it stay distinct entities, linked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policygraph.core.records import Mention, Relation

# what follows a platform's name when something runs on it
_ON = re.compile(r"^(?:\([^()]{0,30}\))?(?:上で|上に|上へ|上の|上において|を基盤と|で稼働|において稼働)")
_PLATFORM = ("基盤", "プラットフォーム", "基盤システム")


def runs_on(mentions: list[Mention], types: dict[str, str], text: str) -> Iterator[Relation]:
    """(system runsOn platform) for each sentence that names a system and then the
    platform it runs on.

    >>> t = "運転者管理システムは、令和5年1月に警察共通基盤上で運用を開始する。"
    >>> ms = [Mention("unten", "運転者管理システム", 0, 9, "p"), Mention("kiban", "警察共通基盤", 18, 24, "p")]
    >>> [(r.subject, r.predicate, r.object) for r in runs_on(ms, {"unten": "System", "kiban": "System"}, t)]
    [('unten', 'runsOn', 'kiban')]
    """
    systems = sorted((m for m in mentions if types.get(m.entity) == "System"), key=lambda m: m.start)
    seen: set[tuple[str, str]] = set()
    for i, b in enumerate(systems):
        if not b.surface.endswith(_PLATFORM) or not _ON.match("".join(text[b.end : b.end + 40].split())):
            continue
        for a in reversed(systems[:i]):
            if "。" in text[a.end : b.start]:
                break
            if a.entity != b.entity and not a.surface.endswith(_PLATFORM):
                if (a.entity, b.entity) not in seen:
                    seen.add((a.entity, b.entity))
                    yield Relation(a.entity, "runsOn", b.entity)
                break
