"""ExtractedDocument → index items: one point per passage, with dense and sparse vectors.

The text embedded and tokenised is the passage with its context (document title and
the section titles above it), so a passage under 「警察用航空機運用の広域化」 is found
by a question about police helicopters even when its own sentences do not say so.
"""

from __future__ import annotations

from typing import Any

from core.records import ExtractedDocument
from indexes.vector_index import IndexItem


def context_text(title: str, heading: str, text: str) -> str:
    """Example.

    >>> context_text("T", "1 › ア", "本文")
    'T\\n1 › ア\\n本文'
    """
    return "\n".join(p for p in (title, heading, text) if p)


def index_items(x: ExtractedDocument, embedder: Any, sparse: Any) -> list[IndexItem]:
    texts = [context_text(x.meta.title, p.heading, p.text) for p in x.passages]
    if not texts:
        return []
    dense = embedder.embed_passages(texts)
    lexical = sparse.encode_documents(texts)
    types = {e.key: e for e in x.entities}
    by_passage: dict[str, list[str]] = {}
    for m in x.mentions:
        by_passage.setdefault(m.passage_id, []).append(m.entity)
    deadlines: dict[str, list[tuple[str, str]]] = {}
    for ms in x.measures:
        for d in ms.deadlines:
            lo, hi = d.start or d.end, d.end or d.start
            if d.kind == "by":
                lo = d.end
            if lo and hi:
                deadlines.setdefault(ms.passage_id, []).append((lo, hi))
    items = []
    for p, vec, sv in zip(x.passages, dense, lexical, strict=True):
        ents = list(dict.fromkeys(by_passage.get(p.id, [])))
        items.append(IndexItem(
            id=p.id,
            dense=vec,
            sparse=sv,
            payload={
                "doc": x.doc.id,
                "source": x.doc.source,
                "version": x.doc.checksum,
                "section": list(p.section),
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "heading": p.heading,
                "entities": ents,
                "agencies": [k for k in ents if k in types and types[k].type == "Agency"],
                "systems": [k for k in ents if k in types and types[k].type == "System"],
                "deadline_from": [lo for lo, _ in deadlines.get(p.id, [])],
                "deadline_to": [hi for _, hi in deadlines.get(p.id, [])],
            },
        ))
    return items
