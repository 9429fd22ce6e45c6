"""Measures as the interface's JSON, and the deadline-overlap rule.

A deadline's interval for overlap: ``date``/``fiscal_year``/``period`` use [start, end]
(an open end is +∞); ``by`` falls due on its end date; ``ongoing``, ``promptly``,
``relative`` and ``unknown`` have no interval and never match a date window.

>>> overlaps({"kind": "fiscal_year", "start": "2026-04-01", "end": "2027-03-31"}, "2026-04-01", "2027-03-31")
True
>>> overlaps({"kind": "by", "start": None, "end": "2029-03-31"}, "2026-04-01", "2027-03-31")
False
>>> overlaps({"kind": "period", "start": "2026-04-01", "end": None}, "2030-01-01", None)
True
"""

from __future__ import annotations

from typing import Any

from api import queries as Q


def interval(d: dict[str, Any]) -> tuple[str, str] | None:
    kind, start, end = d.get("kind"), d.get("start"), d.get("end")
    if kind == "by":
        return (end, end) if end else None
    if kind in ("date", "fiscal_year", "period"):
        if not start and not end:
            return None
        return (start or "0000-01-01", end or "9999-12-31")
    return None


def overlaps(d: dict[str, Any], date_from: str | None, date_to: str | None) -> bool:
    iv = interval(d)
    if iv is None:
        return False
    lo, hi = date_from or "0000-01-01", date_to or "9999-12-31"
    return iv[0] <= hi and iv[1] >= lo


def measure_rows(graph: Any, catalog: Any) -> list[dict[str, Any]]:
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
            "section": [p for p in r["path"].split(" › ") if p],
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
