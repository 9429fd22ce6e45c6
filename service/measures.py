"""Measures as the interface's JSON, and which fall in a date window (the interval of a
deadline is :func:`core.records.deadline_interval`, the search index's too).

>>> overlaps({"kind": "fiscal_year", "start": "2026-04-01", "end": "2027-03-31"}, "2026-04-01", "2027-03-31")
True
>>> overlaps({"kind": "by", "start": None, "end": "2029-03-31"}, "2026-04-01", "2027-03-31")
False
>>> overlaps({"kind": "period", "start": "2026-04-01", "end": None}, "2030-01-01", None)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policygraph.core.records import deadline_interval, split_path
from policygraph.core.records import overlaps as window_overlaps
from policygraph.service import queries as Q

if TYPE_CHECKING:
    from policygraph.graph.store import GraphStore
    from policygraph.service.catalog import Catalog


def overlaps(d: dict[str, Any], date_from: str | None, date_to: str | None) -> bool:
    """Whether a measure's deadline (as the interface's JSON) falls in the window."""
    return window_overlaps(deadline_interval(d.get("kind") or "", d.get("start"), d.get("end")), date_from, date_to)


def measure_rows(graph: GraphStore, catalog: Catalog) -> list[dict[str, Any]]:
    deadlines: dict[str, list[dict[str, Any]]] = {}
    for r in graph.select(Q.DEADLINES):
        deadlines.setdefault(r["m"], []).append({
            "text": r["text"], "kind": r["kind"], "start": r.get("start"), "end": r.get("end"),
            "part": r.get("part"), **({"duration": r["duration"]} if r.get("duration") else {}),
            **({"event": r["event"]} if r.get("event") else {}),
        })
    out = []

    def refs(r: dict[str, Any], field: str) -> list[dict[str, Any]]:
        items = [catalog.entity_ref(i) for i in sorted(set((r.get(field) or "").split())) if i]
        return [x for x in items if x]  # sorted by IRI: a stable order

    for r in graph.select(Q.MEASURES):

        out.append({
            "iri": r["m"],
            "text": r["text"],
            "document": catalog.doc_ref(r["doc"]),
            "section": split_path(r["path"]),
            "start": r["start"],
            "end": r["end"],
            "passage": r["passage"],
            "actors": refs(r, "actors"),
            "actor_text": r.get("actorText"),
            "systems": refs(r, "systems"),
            "related": refs(r, "related"),
            "deadlines": deadlines.get(r["m"], []),
        })
    return out
