"""Passages → index items: one point per passage, with dense and sparse vectors.

The text embedded and tokenised is the passage with its context (document title and
the section titles above it), so a passage under 「警察用航空機運用の広域化」 is found
by a question about police helicopters even when its own sentences do not say so.

A passage longer than the embedding model reads also gets vectors for its tail
(:mod:`indexes.windows`), embedded in the same call as the passages.

Rows come from the graph, one derivation for every case
(:func:`policygraph.service.writes.passage_rows`): at ingest from the document graph
about to be written, at reindex (a new embedding model without re-parsing anything) and
at repair from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policygraph.indexes.base import DEADLINES, due_span
from policygraph.indexes.vector_index import IndexItem
from policygraph.indexes.windows import tail_windows


@dataclass
class PassageRow:
    id: str
    doc: str
    source: str
    version: str
    title: str
    section: list[str]
    start: int
    end: int
    text: str
    heading: str
    entities: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)  # the agencies acting in the passage's measures
    deadlines: list[tuple[str, str]] = field(default_factory=list)  # core.records.deadline_interval of each
    page: int | None = None  # paged formats: the page the passage starts on
    end_page: int | None = None  # … and the one it ends on
    lead: str = ""  # shown before the passage in hits, not embedded (Passage.lead)


def context_text(title: str, heading: str, text: str) -> str:
    """Example.

    >>> context_text("T", "1 › ア", "本文")
    'T\\n1 › ア\\n本文'
    """
    return "\n".join(p for p in (title, heading, text) if p)


def deadline_payload(intervals: list[tuple[str, str]]) -> list[dict[str, str]]:
    """One ``{"from", "to"}`` object per deadline: a window is matched against each whole."""
    return [{"from": lo, "to": hi} for lo, hi in intervals]


def deadline_fields(intervals: list[tuple[str, str]]) -> dict[str, Any]:
    """A passage's deadline payload: each deadline whole, and the flat due pair a date
    window is looked up by (:func:`indexes.base.due_span`)."""
    dls = deadline_payload(intervals)
    return {DEADLINES: dls, **due_span(dls)}


def tails_of(rows: list[PassageRow], texts: list[str], embedder: Any) -> list[list[str]]:
    """The tail windows to embed for each row (:func:`indexes.windows.tail_windows`): for
    the rows whose text is longer than the model reads, when the embedder makes windows."""
    window = getattr(embedder, "window_tokens", None)
    limit = getattr(embedder, "max_tokens", None)
    if not window or not limit:
        return [[] for _ in rows]
    counts = embedder.count_tokens(texts, passages=True)
    return [tail_windows(context_text(r.title, r.heading, ""), r.text, embedder.count_tokens, window)
            if n > limit else [] for r, n in zip(rows, counts, strict=True)]


def items_of(rows: list[PassageRow], embedder: Any, sparse: Any,
             progress: Callable[[int, int], None] | None = None) -> list[IndexItem]:
    if not rows:
        return []
    texts = [context_text(r.title, r.heading, r.text) for r in rows]
    tails = tails_of(rows, texts, embedder)
    every = texts + [w for ws in tails for w in ws]  # one call: the windows batch with the passages
    vecs = embedder.embed_passages(every, progress=progress) if progress else embedder.embed_passages(every)
    dense, at, tail_vecs = vecs[: len(texts)], len(texts), []
    for ws in tails:
        tail_vecs.append(vecs[at : at + len(ws)] if ws else None)
        at += len(ws)
    lexical = sparse.encode_documents(texts)
    return [
        IndexItem(
            id=r.id, dense=vec, sparse=sv, tails=tv,
            payload={
                "doc": r.doc, "source": r.source, "version": r.version, "section": r.section,
                "start": r.start, "end": r.end, "text": r.text, "heading": r.heading,
                **({"lead": r.lead} if r.lead else {}),
                "entities": r.entities, "agencies": r.agencies, "systems": r.systems, "actors": r.actors,
                **deadline_fields(r.deadlines),
                **({"page": r.page, "end_page": r.end_page or r.page} if r.page is not None else {}),
            },
        )
        for r, vec, sv, tv in zip(rows, dense, lexical, tail_vecs, strict=True)
    ]
