"""The read model of a data directory: documents, entities, measures, search and SPARQL,
from the stores a :class:`~policygraph.service.state.State` holds.  Nothing here writes."""

from __future__ import annotations

import re
from typing import Any

from policygraph.core.errors import NotFound
from policygraph.core.records import split_path
from policygraph.graph.store import named_node
from policygraph.service.catalog import Catalog
from policygraph.service.measures import measure_rows, overlaps
from policygraph.service.search import Searcher
from policygraph.service.state import State

ZERO_COUNTS = {"mentions": 0, "measures": 0, "documents": 0}


class ReadModel:
    def __init__(self, state: State) -> None:
        self.s = state
        self._measures: tuple[Catalog, list[dict[str, Any]]] | None = None
        self._passage_deadlines: tuple[Catalog, dict[str, list[dict[str, Any]]]] | None = None
        self._counts: tuple[Catalog, dict[str, dict[str, int]]] | None = None
        self.searcher = Searcher(state, self.passage_deadlines)

    def search(self, q: str, **kw: Any) -> dict[str, Any]:
        with self.s.searching.reading():  # a write's publish waits for it
            res = self.searcher.search(q, **kw)
        # the entities the query names, as cards (the UI shows them above the hits)
        cat, counts = self.s.catalog, self.entity_counts()
        cards = [{**cat.public(cat.by_key[k]), **counts.get(cat.by_key[k], ZERO_COUNTS)}
                 for k in res.pop("named", []) if k in cat.by_key]
        return {**res, "named_entities": cards}

    def info(self) -> dict[str, Any]:
        from policygraph.service.queries import PASSAGE_COUNT

        rows = self.s.graph.select(PASSAGE_COUNT)
        return {
            "base_iri": self.s.settings.base_iri.rstrip("/"),
            "documents": len(self.s.catalog.documents),
            "passages": int(rows[0]["n"]) if rows else 0,
            "measures": len(self.measure_list()),
            "entities": len(self.s.catalog.entities),
        }

    def documents(self) -> dict[str, Any]:
        docs = sorted(self.s.catalog.documents.values(), key=lambda d: d["source"])
        return {"documents": docs, "total": len(docs)}

    def document(self, doc_id: str) -> dict[str, Any]:
        for d in self.s.catalog.documents.values():
            if d["id"] == doc_id:
                from policygraph.service.queries import PASSAGE_TEXT

                rows = self.s.graph.select(PASSAGE_TEXT, bind={"doc": named_node(d["iri"])})
                passages = [
                    {"iri": r["p"], "section": split_path(r["path"]), "start": r["start"], "end": r["end"],
                     "text": r["text"], "heading": r.get("heading") or "", "page": r.get("page"),
                     "end_page": r.get("endPage") or r.get("page")}
                    for r in rows
                ]
                return {**d, "passages": passages}
        raise NotFound(f"no document {doc_id!r}")

    def entities(self, q: str | None = None, type_: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        if q:
            iris = self.s.catalog.lookup(q)
        else:
            iris = sorted(self.s.catalog.entities, key=lambda i: (self.s.catalog.entities[i]["type"], self.s.catalog.entities[i]["label"]))
        if type_:
            iris = [i for i in iris if self.s.catalog.entities[i]["type"] == type_]
        page = iris[offset : offset + limit]
        counts = self.entity_counts()
        return {"entities": [{**self.s.catalog.public(i), **counts.get(i, ZERO_COUNTS)} for i in page],
                "total": len(iris)}

    def entity_counts(self) -> dict[str, dict[str, int]]:
        """Entity IRI → how many passages mention it, how many measures name it, in how
        many documents (read once per catalog), so a list can tell a real entity from a
        stray one."""
        from policygraph.service.queries import ENTITY_COUNTS

        cat = self.s.catalog
        cached = self._counts
        if cached is None or cached[0] is not cat:
            out: dict[str, dict[str, int]] = {}
            for r in self.s.graph.select(ENTITY_COUNTS):
                out[r["e"]] = {"mentions": int(r["passages"]), "measures": 0, "documents": int(r["docs"])}
            for m in self.measure_list():
                for i in _measure_iris(m):
                    out.setdefault(i, dict(ZERO_COUNTS))["measures"] += 1
            cached = self._counts = (cat, out)
        return cached[1]

    def entity_by_name(self, name: str) -> dict[str, Any]:
        iris, exact = self.s.catalog.resolve(name)
        if not iris:
            raise NotFound(f"no entity named {name!r}", suggestions=self.s.catalog.suggestions(name))
        res = self._entity(iris[0])
        # a near name says so: 警察共通 → 警察共通基盤 (closest name)
        return {**res, "resolved": {"query": name, "exact": exact}}

    def entity(self, entity_id: str) -> dict[str, Any]:
        iri = self.s.catalog.by_key.get(entity_id)
        if iri is None:
            raise NotFound(f"no entity {entity_id!r}", suggestions=self.s.catalog.suggestions(entity_id))
        return self._entity(iri)

    def _entity(self, iri: str) -> dict[str, Any]:
        from policygraph.service.queries import MENTIONS

        rows = self.s.graph.select(MENTIONS, bind={"entity": named_node(iri)})
        by_passage: dict[str, dict[str, Any]] = {}
        for r in rows:
            m = by_passage.get(r["p"])
            if m is None:
                m = by_passage[r["p"]] = {
                    "document": self.s.catalog.doc_ref(r["doc"]), "section": split_path(r["path"]),
                    "text": r["text"], "start": r["ps"], "end": r["pe"], "passage": r["p"], "surfaces": [],
                }
            m["surfaces"].append({"surface": r["surface"], "start": r["ms"], "end": r["me"]})
        measures = [m for m in self.measure_list() if iri in _measure_iris(m)]
        return {
            "entity": {**self.s.catalog.public(iri), **self.entity_counts().get(iri, ZERO_COUNTS)},
            "mentions": list(by_passage.values()),
            "measures": measures,
            "related": self._related(iri, measures),
            "articles": self._articles(iri),
        }

    def _articles(self, iri: str) -> list[dict[str, Any]]:
        """A law's articles cited anywhere (第103条第3項), each with its citations."""
        from policygraph.service.queries import ARTICLES

        arts: dict[str, dict[str, Any]] = {}
        for r in self.s.graph.select(ARTICLES, bind={"entity": named_node(iri)}):
            a = arts.setdefault(r["art"], {"iri": r["art"], "article": r["article"], "citations": []})
            a["citations"].append({"document": self.s.catalog.doc_ref(r["doc"]), "section": split_path(r["path"]),
                                   "surface": r["surface"], "start": r["cs"], "end": r["ce"], "passage": r["p"]})
        return sorted(arts.values(), key=lambda a: [int(n) for n in re.findall(r"[0-9]+", a["article"])])

    def _related(self, iri: str, measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}

        def add(other: str, relation: str) -> None:
            ref = self.s.catalog.entity_ref(other)
            if ref and other != iri and other not in out:
                out[other] = {**ref, "relation": relation}

        if iri in self.s.catalog.parents:
            add(self.s.catalog.parents[iri], "subOrganizationOf")
        from policygraph.service.queries import RUNS_ON

        for r in self.s.graph.select(RUNS_ON, bind={"entity": named_node(iri)}):
            if r["s"] == iri:
                add(r["o"], "runsOn")
            else:
                add(r["s"], "hostsSystem")
        for child, parent in self.s.catalog.parents.items():
            if parent == iri:
                add(child, "hasSubOrganization")
        for m in measures:
            for a in m["actors"]:
                add(a["iri"], "actorInSameMeasure")
            for s in m["systems"]:
                add(s["iri"], "systemInSameMeasure")
            for r in m.get("related", []):
                add(r["iri"], "citedInSameMeasure")
        return list(out.values())

    def measure_list(self) -> list[dict[str, Any]]:
        """Every measure, read once per catalog (rebuilt after each write)."""
        cat = self.s.catalog
        cached = self._measures
        if cached is None or cached[0] is not cat:
            cached = self._measures = (cat, measure_rows(self.s.graph, cat))
        return cached[1]

    def passage_deadlines(self) -> dict[str, list[dict[str, Any]]]:
        """Passage IRI → the deadlines of the measures in it (for search hits' badges)."""
        cat = self.s.catalog
        cached = self._passage_deadlines
        if cached is None or cached[0] is not cat:
            out: dict[str, list[dict[str, Any]]] = {}
            for m in self.measure_list():
                out.setdefault(m["passage"], []).extend(m["deadlines"])
            cached = self._passage_deadlines = (cat, out)
        return cached[1]

    def measures(self, date_from: str | None = None, date_to: str | None = None, agency: str | None = None,
                 doc: str | None = None, limit: int = 1000, offset: int = 0) -> dict[str, Any]:
        items = self.measure_list()
        if date_from or date_to:
            items = [m for m in items if any(overlaps(d, date_from, date_to) for d in m["deadlines"])]
        if agency:
            wanted = set(self.s.catalog.lookup(agency))
            if not wanted:
                raise NotFound(f"no agency named {agency!r}", suggestions=self.s.catalog.suggestions(agency))
            items = [m for m in items if wanted & {a["iri"] for a in m["actors"]}]
        if doc:
            items = [m for m in items if doc in (m["document"]["id"], m["document"]["source"])]
        return {"measures": items[offset : offset + limit], "total": len(items)}

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]:
        from policygraph.graph.execute import execute  # the endpoint's rules and limits, also for the CLI

        return execute(self.s.graph, self.s.settings, query, accept)


def _measure_iris(m: dict[str, Any]) -> set[str]:
    return {x["iri"] for k in ("actors", "systems", "related") for x in m.get(k, [])}
