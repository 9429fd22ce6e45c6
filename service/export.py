"""Search hits, measures and entities as tables: CSV (UTF-8 with a BOM, so Excel reads
Japanese right) and Excel workbooks.  Pure functions of the JSON shapes the API answers.

One row per hit, measure or entity (an entity's page: one row per mention and per
measure, with a ``kind`` column).  Every row carries its citation: document title and
file, section path, original-file offsets and the document's IRI; a measure also its
actors and each deadline's kind, start and end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from policygraph.core.errors import BadInput
from policygraph.core.records import SECTION_SEP

Table = tuple[list[str], list[list[Any]]]
TABLE_FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CITE = ["document", "source", "section", "start", "end", "document_iri"]


def _cite(doc: dict[str, Any], section: Sequence[str], start: Any, end: Any) -> list[Any]:
    return [doc.get("title") or "", doc.get("source") or "", SECTION_SEP.join(section), start, end, doc.get("iri") or ""]


def _deadlines(ds: Iterable[dict[str, Any]]) -> list[str]:
    ds = list(ds)
    return ["; ".join(d.get("text") or "" for d in ds),
            "; ".join(d.get("kind") or "" for d in ds),
            "; ".join(d.get("start") or "" for d in ds),
            "; ".join(d.get("end") or "" for d in ds)]


def search_table(res: dict[str, Any]) -> Table:
    head = ["rank", "score", "best", "text", *CITE, "entities"]
    rows = []
    for h in res["hits"]:
        best = h.get("best") or {}
        s = h["start"]
        answer = h["text"][best["start"] - s : best["end"] - s] if best else ""
        rows.append([h["rank"], h["score"], answer, h["text"][h.get("lead", 0):],
                     *_cite(h["document"], h["section"], h["start"] + h.get("lead", 0), h["end"]),
                     ", ".join(e["label"] for e in h.get("entities", []))])
    return head, rows


def measures_table(res: dict[str, Any]) -> Table:
    head = ["text", "actors", "actor_text", "systems", "deadline_text", "deadline_kind", "deadline_start",
            "deadline_end", *CITE, "iri"]
    rows = [[m["text"], ", ".join(a["label"] for a in m.get("actors", [])), m.get("actor_text") or "",
             ", ".join(x["label"] for x in m.get("systems", [])), *_deadlines(m.get("deadlines", [])),
             *_cite(m["document"], m["section"], m["start"], m["end"]), m["iri"]]
            for m in res["measures"]]
    return head, rows


def entities_table(res: dict[str, Any]) -> Table:
    head = ["label", "type", "aliases", "mentions", "measures", "documents", "id", "iri"]
    rows = [[e["label"], e["type"], " / ".join(e.get("aliases", [])), e.get("mentions", ""), e.get("measures", ""),
             e.get("documents", ""), e["id"], e["iri"]] for e in res["entities"]]
    return head, rows


def entity_table(res: dict[str, Any]) -> Table:
    """An entity's page: its mentions (the passage, with the surface forms found) and its
    measures, one row each."""
    head = ["kind", "text", "surface", "actors", "deadline_text", "deadline_kind", "deadline_start",
            "deadline_end", *CITE]
    rows: list[list[Any]] = []
    for m in res["mentions"]:
        rows.append(["mention", m["text"], " / ".join(dict.fromkeys(x["surface"] for x in m.get("surfaces", []))),
                     "", "", "", "", "", *_cite(m["document"], m["section"], m["start"], m["end"])])
    for m in res["measures"]:
        rows.append(["measure", m["text"], "", ", ".join(a["label"] for a in m.get("actors", [])),
                     *_deadlines(m.get("deadlines", [])), *_cite(m["document"], m["section"], m["start"], m["end"])])
    return head, rows


# each answer's table, by the kind of answer (the API and the CLI both export through it)
TABLES = {"search": search_table, "measures": measures_table, "entities": entities_table, "entity": entity_table}


def render(table: Table, fmt: str, title: str = "policygraph") -> bytes:
    """``table`` as CSV (with a BOM) or an xlsx workbook of one sheet."""
    head, rows = table
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(head)
        w.writerows([_cell(v) for v in r] for r in rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(_sheet_name(title))
        ws.append(head)
        for r in rows:
            ws.append([_cell(v) for v in r])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise BadInput(f"format must be one of {', '.join(TABLE_FORMATS)}, got {fmt!r}")


def _cell(v: Any) -> Any:
    """A value as a cell: text that a spreadsheet would run as a formula (=, +, -, @ first)
    is kept as text with a leading apostrophe (CSV injection)."""
    if isinstance(v, str):
        v = "".join(c for c in v if c in "\t\n\r" or ord(c) >= 32)  # no control characters (xlsx refuses them)
        if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + v
    return v


def _sheet_name(title: str) -> str:
    bad = set('[]:*?/\\')
    return "".join(c for c in title if c not in bad)[:31] or "policygraph"
